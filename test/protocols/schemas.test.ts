// docs/schemas/ as published: fresh (regenerated from src/protocols, byte for byte), an
// AsyncAPI 3 document the official parser accepts, and JSON Schemas that real traffic
// of a running server satisfies in both directions (and that refuse a broken message).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Parser } from '@asyncapi/parser';
import { Ajv, type ValidateFunction } from 'ajv';
import { createArenaModule } from '../../src/apps/arena/index.js';
import { chatModule } from '../../src/apps/chat/index.js';
import { collabModule } from '../../src/apps/collab/index.js';
import { runnerModule } from '../../src/apps/runner/index.js';
import { SCHEMA_DIR, staleSchemas } from '../../tools/schemas.js';
import { writeTestProblems } from '../apps/arena-client.js';
import { startTestApp, type TestApp } from '../apps/context.js';
import { TestClient, type Json } from '../apps/ws-client.js';

function validator(protocol: string, side: 'client' | 'server'): ValidateFunction {
  const file = path.join(SCHEMA_DIR, `${protocol}.${side}.schema.json`);
  return new Ajv({ strict: false }).compile(JSON.parse(readFileSync(file, 'utf8')) as object);
}

function assertValid(validate: ValidateFunction, message: unknown, what: string): void {
  assert.ok(
    validate(message),
    `${what} does not match its schema: ${JSON.stringify(validate.errors?.slice(0, 3))}\n${JSON.stringify(message)}`,
  );
}

test('docs/schemas is what src/protocols generates (run `npm run schemas` after a change)', () => {
  assert.deepEqual(staleSchemas(), []);
});

test('the AsyncAPI document is valid for the official parser', async () => {
  const document = readFileSync(path.join(SCHEMA_DIR, 'asyncapi.json'), 'utf8');
  const { document: parsed, diagnostics } = await new Parser().parse(document);
  const errors = diagnostics.filter((d) => d.severity === 0);
  assert.deepEqual(errors, [], JSON.stringify(errors.slice(0, 3), null, 2));
  assert.ok(parsed);
  assert.deepEqual(
    parsed
      .channels()
      .all()
      .map((c) => c.address())
      .sort(),
    ['/appws', '/v1', '/ws/chat/{host}/{room}/', '/ws/{sessionId}'],
  );
});

describe('real traffic matches the schemas', () => {
  let app: TestApp;
  let problems: string;
  before(async () => {
    problems = writeTestProblems();
    app = await startTestApp([
      collabModule,
      chatModule,
      runnerModule,
      createArenaModule({ problemsDir: problems }),
    ]);
  });
  after(async () => {
    await app?.stop();
  });

  async function exchange(
    url: string,
    sent: Json[],
    count: number,
  ): Promise<{ sent: Json[]; received: Json[] }> {
    const client = await TestClient.connect(url);
    for (const message of sent) client.send(message);
    const received: Json[] = [];
    for (let i = 0; i < count; i++) received.push(await client.next(() => true, 5000));
    client.socket.close();
    return { sent, received };
  }

  test('collab', async () => {
    const toServer = validator('collab', 'client');
    const toClient = validator('collab', 'server');
    const created = (await (await fetch(`${app.url}/api/sessions`, { method: 'POST' })).json()) as {
      sessionId: string;
    };
    const { sent, received } = await exchange(
      `${app.wsUrl}/ws/${created.sessionId}`,
      [
        { type: 'join-session', payload: { userId: 'u1', username: 'Ann' } },
        { type: 'code-change', payload: { changes: 'print(1)', version: 0 } },
        { type: 'language-change', payload: { language: 'javascript' } },
        { type: 'code-change', payload: { changes: 'x', version: 99 } },
      ],
      4,
    );
    for (const m of sent) assertValid(toServer, m, `collab ${m.type}`);
    for (const m of received) assertValid(toClient, m, `collab ${m.type}`);
    assert.equal(toServer({ type: 'cursor-move', payload: {} }), false, 'a cursor is required');
  });

  test('chat', async () => {
    const toServer = validator('chat', 'client');
    const toClient = validator('chat', 'server');
    const host = await app.createUser();
    const room = await fetch(`${app.url}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'schemas', name: 'Schemas' }),
    });
    assert.equal(room.status, 201);
    const client = await TestClient.connect(
      `${app.wsUrl}/ws/chat/${host.user.username}/schemas/?token=${host.token}`,
    );
    const sent: Json[] = [{ type: 'text', message: 'hello' }];
    client.send(sent[0]);
    const posted = await client.next();
    sent.push({ type: 'update', messageId: posted.id, message: 'hello!' });
    sent.push({ type: 'delete', messageId: 'no-such-id' });
    client.send(sent[1]);
    client.send(sent[2]);
    const received = [posted, await client.next(), await client.next()];
    client.socket.close();
    for (const m of sent) assertValid(toServer, m, `chat ${m.type}`);
    for (const m of received) assertValid(toClient, m, `chat ${m.action ?? 'error'}`);
    assert.ok(
      received.some((m) => typeof m.error === 'string'),
      'an error was seen',
    );
    assert.equal(toServer({ type: 'text' }), false, 'a text needs its message');
  });

  test('runner', async () => {
    const toServer = validator('runner', 'client');
    const toClient = validator('runner', 'server');
    const { sent, received } = await exchange(
      `${app.wsUrl}/appws`,
      [
        { action: 'getLeaderboard' },
        { action: 'updateScore', data: { playerId: 424242, change: 1 } },
      ],
      2,
    );
    for (const m of sent) assertValid(toServer, m, `runner ${m.action}`);
    for (const m of received) assertValid(toClient, m, `runner ${m.action}`);
    assert.equal(toServer({ action: 'runCode', data: { code: 1 } }), false);
  });

  test('arena', async () => {
    const toServer = validator('arena', 'client');
    const toClient = validator('arena', 'server');
    const { token } = await app.createUser();
    const { sent, received } = await exchange(
      `${app.wsUrl}/v1?token=${token}`,
      [
        { id: 1, type: 'action', event: 'system:ping', data: {} },
        { id: 2, type: 'action', event: 'battle:join', data: { difficulty: 'easy' } },
        { id: 3, type: 'action', event: 'battle:leave', data: {} },
        {
          id: 4,
          type: 'action',
          event: 'battle:submit',
          data: { battleId: 'nope', code: 'x', language: 'python' },
        },
      ],
      4,
    );
    for (const m of sent) assertValid(toServer, m, `arena ${m.event}`);
    for (const m of received) assertValid(toClient, m, `arena ${m.event ?? m.type}`);
    const refused = await exchange(`${app.wsUrl}/v1`, [], 1);
    assertValid(toClient, refused.received[0], 'arena UNAUTHORIZED');
    assert.equal(
      toServer({ event: 'battle:join', data: { difficulty: 'impossible' } }),
      false,
      'an unknown difficulty is refused',
    );
  });
});
