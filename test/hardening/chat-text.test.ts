// Issue 11, defect 5: text that is not well-formed Unicode (lone UTF-16 surrogates, which
// JSON's \ud800 escape can carry) cannot be stored as UTF-8; SQLite would keep U+FFFD
// in their place, so history would differ from what the room was sent. Both chats
// refuse such text with their protocol's own error, and store nothing.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createArenaModule } from '../../src/apps/arena/index.js';
import { createChatModule } from '../../src/apps/chat/index.js';
import { createCollabModule } from '../../src/apps/collab/index.js';
import { connectArena, nextEvent, ok, request, writeTestProblems } from '../apps/arena-client.js';
import { startTestApp, type TestApp } from '../apps/context.js';
import { TestClient, type Json } from '../apps/ws-client.js';

const LONE = '\ud800'.repeat(500);
const PAIRS = '\u{1F600}'.repeat(500); // 500 characters, 1000 UTF-16 units: allowed

async function get(app: TestApp, path: string, token: string): Promise<Json> {
  const response = await fetch(app.url + path, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  return response.json();
}

describe('chat (spec 003): lone surrogates', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp([createChatModule()]);
  });
  after(() => app.stop());

  test('a body with lone surrogates is refused with "Invalid message." and not stored; pairs round-trip', async () => {
    const host = await app.createUser();
    const created = await fetch(`${app.url}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'text', name: 'Text' }),
    });
    assert.equal(created.status, 201);
    const client = await TestClient.connect(
      `${app.wsUrl}/ws/chat/${host.user.username}/text/?token=${host.token}`,
    );
    try {
      client.send({ type: 'text', message: LONE });
      assert.deepEqual(await client.next(), { error: 'Invalid message.' });
      client.send({ type: 'text', message: `ok ${'\udfff'}` });
      assert.deepEqual(await client.next(), { error: 'Invalid message.' });

      client.send({ type: 'text', message: PAIRS });
      const sent = await client.next((m) => m.type === 'chat_message');
      assert.equal(sent.body, PAIRS);
      client.send({ type: 'update', messageId: sent.id, message: `x${'\udc00'}` });
      assert.deepEqual(await client.next(), { error: 'Invalid message.' });

      const history = await get(app, `/api/rooms/${host.user.username}/text/messages`, host.token);
      assert.deepEqual(
        history.messages.map((m: Json) => m.body),
        [PAIRS],
        'history holds exactly what was broadcast',
      );
    } finally {
      await client.close();
    }
  });
});

describe('arena chat (spec 000): lone surrogates', () => {
  let app: TestApp;
  let problemsDir: string;
  before(async () => {
    problemsDir = writeTestProblems();
    app = await startTestApp([createArenaModule({ problemsDir })]);
  });
  after(async () => {
    await app.stop();
    rmSync(problemsDir, { recursive: true, force: true });
  });

  test('chat:send with lone surrogates is a VALIDATION_ERROR and not stored; pairs round-trip', async () => {
    const user = await app.createUser();
    const client = await connectArena(app.wsUrl, user.token);
    try {
      await ok(client, 'chat:join', { channel: 'surrogates' });
      const refused = await request(client, 'chat:send', { channel: 'surrogates', message: LONE });
      assert.equal(refused.type, 'error');
      assert.equal(refused.error.code, 'VALIDATION_ERROR');
      const sent = await ok(client, 'chat:send', { channel: 'surrogates', message: PAIRS });
      const heard = await nextEvent(client, 'chat:message');
      assert.equal(heard.data.messageId, sent.data.messageId);
      assert.equal(heard.data.message, PAIRS);
      const history = await get(app, '/api/channels/surrogates/messages', user.token);
      assert.deepEqual(
        history.messages.map((m: Json) => m.message),
        [PAIRS],
      );
    } finally {
      await client.close();
    }
  });
});

describe('collab (spec 001): lone surrogates', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp([createCollabModule()]);
  });
  after(() => app.stop());

  test('code with lone surrogates is refused (REST 400, live edits an error event); the stored code is what was sent', async () => {
    const post = (code: string) =>
      fetch(`${app.url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
    assert.equal((await post(`x${'\ud800'}`)).status, 400);
    const created = await post(PAIRS);
    assert.equal(created.status, 201);
    const { sessionId } = (await created.json()) as Json;
    const client = await TestClient.connect(`${app.wsUrl}/ws/${sessionId}`);
    try {
      client.send({ type: 'join-session', payload: { userId: 'u1', username: 'Ann' } });
      await client.nextOfType('session-state');
      client.send({ type: 'code-change', payload: { changes: `a${'\udc00'}` } });
      assert.match((await client.nextOfType('error')).payload.message, /surrogates/);
      client.send({
        type: 'code-change',
        payload: { changes: [1000, [0, `b${'\ud801'}`]], version: 0 },
      });
      assert.match((await client.nextOfType('error')).payload.message, /surrogates/);
      client.send({ type: 'code-change', payload: { changes: `${PAIRS}!`, version: 0 } });
      await client.nextOfType('code-ack');
      await new Promise((resolve) => setTimeout(resolve, 300)); // the save
    } finally {
      await client.close();
    }
    const row = await app.db
      .selectFrom('collab_sessions')
      .select('code')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    assert.equal(row.code, `${PAIRS}!`);
  });
});
