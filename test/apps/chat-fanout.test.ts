// 100 clients in one chat room, all sending at once: every message is stored once and
// reaches every client exactly once, and all clients see the same order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createChatModule } from '../../src/apps/chat/index.js';
import { startTestApp, type TestApp } from './context.js';
import { TestClient, type Json } from './ws-client.js';

const CLIENTS = 100;
const MESSAGES_EACH = 3;

let app: TestApp;
before(async () => {
  app = await startTestApp([createChatModule()]);
});
after(async () => {
  await app.stop();
});

async function post(path: string, token: string, body: unknown): Promise<number> {
  const response = await fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

test(`${CLIENTS} clients in one room: each message stored and delivered exactly once to everyone`, async () => {
  const host = await app.createUser('fanout_host');
  assert.equal(await post('/api/rooms', host.token, { slug: 'crowd', name: 'Crowd' }), 201);
  const members = [host];
  for (let i = 1; i < CLIENTS; i++) {
    const member = await app.createUser(`fanout_${i}`);
    assert.equal(
      await post('/api/rooms/fanout_host/crowd/participants', host.token, {
        username: member.user.username,
      }),
      201,
    );
    members.push(member);
  }
  const clients = await Promise.all(
    members.map((m) =>
      TestClient.connect(`${app.wsUrl}/ws/chat/fanout_host/crowd/?token=${m.token}`),
    ),
  );

  for (const [i, client] of clients.entries()) {
    for (let k = 0; k < MESSAGES_EACH; k++)
      client.send({ type: 'text', message: `from ${i} #${k}` });
  }
  const total = CLIENTS * MESSAGES_EACH;
  const deadline = Date.now() + 20_000;
  while (clients.some((c) => c.received.length < total)) {
    assert.ok(Date.now() < deadline, `all ${total} messages reach everyone within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 100)); // anything extra would show up now

  const reference = clients[0]!.received.map((m: Json) => m.id);
  assert.equal(new Set(reference).size, total, 'every event is a distinct message');
  const bodies = new Set(clients[0]!.received.map((m: Json) => m.body));
  for (let i = 0; i < CLIENTS; i++)
    for (let k = 0; k < MESSAGES_EACH; k++) assert.ok(bodies.has(`from ${i} #${k}`));
  for (const client of clients) {
    assert.ok(client.received.every((m: Json) => m.type === 'chat_message' && m.action === 'new'));
    assert.deepEqual(
      client.received.map((m: Json) => m.id),
      reference,
      'exactly once each, in the same order for everyone',
    );
  }
  // Each sender's own messages keep their order.
  for (let i = 0; i < CLIENTS; i++) {
    const own = clients[0]!.received
      .filter((m: Json) => m.user === members[i]!.user.username)
      .map((m: Json) => m.body);
    assert.deepEqual(
      own,
      Array.from({ length: MESSAGES_EACH }, (_, k) => `from ${i} #${k}`),
    );
  }

  // Stored: the history, paged, is exactly what was delivered (newest first).
  const stored: Json[] = [];
  let before: string | undefined;
  for (;;) {
    const query = before ? `?limit=100&before=${before}` : '?limit=100';
    const response = await fetch(`${app.url}/api/rooms/fanout_host/crowd/messages${query}`, {
      headers: { authorization: `Bearer ${members[7]!.token}` },
    });
    const page = ((await response.json()) as Json).messages as Json[];
    if (page.length === 0) break;
    stored.push(...page);
    before = page.at(-1).id;
  }
  assert.deepEqual(
    stored.map((m) => m.id),
    [...reference].reverse(),
  );
  await Promise.all(clients.map((c) => c.close()));
});
