// Collab (spec 001) over real sockets: REST, the upgrade refusals, every client event
// and what the others receive, the joiner's state, and every error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCollabModule } from '../../src/apps/collab/index.js';
import { startTestApp, type TestApp } from './context.js';
import { refusal, TestClient } from './ws-client.js';

let app: TestApp;

before(async () => {
  app = await startTestApp([createCollabModule({ idleUnloadMs: 50 })]);
});
after(async () => {
  await app.stop();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(app.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function newSession(body?: unknown): Promise<string> {
  const created = await api('POST', '/api/sessions', body);
  assert.equal(created.status, 201);
  return created.body.sessionId;
}

/** Connects and joins; returns the client with its session-state already taken. */
async function joined(sessionId: string, userId: string, username = userId) {
  const client = await TestClient.connect(`${app.wsUrl}/ws/${sessionId}`);
  client.send({ type: 'join-session', payload: { userId, username } });
  const state = await client.nextOfType('session-state');
  return { client, state };
}

describe('REST', () => {
  test('POST /api/sessions answers 201 {sessionId}; GET returns the session; unknown is 404', async () => {
    const created = await api('POST', '/api/sessions');
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body), ['sessionId']);
    const read = await api('GET', `/api/sessions/${created.body.sessionId}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.sessionId, created.body.sessionId);
    assert.equal(read.body.code, '');
    assert.equal(read.body.language, 'javascript');
    assert.equal(read.body.version, 0);
    assert.deepEqual(read.body.participants, []);
    const missing = await api('GET', '/api/sessions/no-such-session');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: 'Session not found' });
  });

  test('a session can start with code and a language; a bad language is 400', async () => {
    const id = await newSession({ language: 'python', code: 'print(1)' });
    const read = await api('GET', `/api/sessions/${id}`);
    assert.equal(read.body.language, 'python');
    assert.equal(read.body.code, 'print(1)');
    const bad = await api('POST', '/api/sessions', { language: 'no spaces allowed' });
    assert.equal(bad.status, 400);
  });
});

describe('upgrade', () => {
  test('an unknown session is refused with 404 before the upgrade', async () => {
    assert.equal(await refusal(`${app.wsUrl}/ws/not-a-session`), 404);
  });

  test('a token is optional, but an invalid one is refused with 401', async () => {
    const id = await newSession();
    assert.equal(await refusal(`${app.wsUrl}/ws/${id}?token=forged`), 401);
    assert.equal(await refusal(`${app.wsUrl}/ws/${id}`), 101);
  });

  test('with a valid token, join-session takes the identity from the token', async () => {
    const id = await newSession();
    const { user, token } = await app.createUser('tokenuser');
    const client = await TestClient.connect(`${app.wsUrl}/ws/${id}?token=${token}`);
    client.send({ type: 'join-session', payload: { userId: 'spoofed', username: 'Spoofed' } });
    const state = await client.nextOfType('session-state');
    assert.deepEqual(state.payload.participants, [
      { userId: user.id, username: 'tokenuser', cursor: null },
    ]);
    await client.close();
  });
});

describe('events', () => {
  test('join-session: the joiner gets session-state, the others participant-joined', async () => {
    const id = await newSession({ code: 'x = 1', language: 'python' });
    const alice = await joined(id, 'user-a', 'Alice');
    assert.deepEqual(alice.state, {
      type: 'session-state',
      payload: {
        sessionId: id,
        code: 'x = 1',
        language: 'python',
        version: 0,
        participants: [{ userId: 'user-a', username: 'Alice', cursor: null }],
        lastExecution: null,
      },
    });
    const bob = await joined(id, 'user-b', 'Bob');
    assert.deepEqual(await alice.client.next(), {
      type: 'participant-joined',
      payload: { userId: 'user-b', username: 'Bob' },
    });
    assert.deepEqual(
      bob.state.payload.participants.map((p: { userId: string }) => p.userId),
      ['user-a', 'user-b'],
    );
    // Bob is not told about himself.
    assert.deepEqual(await bob.client.settle(50), []);
    await alice.client.close();
    await bob.client.close();
  });

  test('code-change (full code) → code-update with the full code to the others only', async () => {
    const id = await newSession();
    const alice = await joined(id, 'a', 'Alice');
    const bob = await joined(id, 'b', 'Bob');
    await alice.client.nextOfType('participant-joined');
    alice.client.send({ type: 'code-change', payload: { userId: 'a', changes: 'print("hi")' } });
    const update = await bob.client.nextOfType('code-update');
    assert.equal(update.payload.userId, 'a');
    assert.equal(update.payload.code, 'print("hi")');
    assert.equal(update.payload.version, 1);
    assert.deepEqual(update.payload.changes, [[0, 'print("hi")']]);
    alice.client.send({ type: 'code-change', payload: { userId: 'a', changes: 'print("hi!")' } });
    const second = await bob.client.nextOfType('code-update');
    assert.equal(second.payload.code, 'print("hi!")');
    assert.deepEqual(second.payload.changes, [9, [0, '!'], 2], 'only the difference is a change');
    assert.deepEqual(await alice.client.settle(50), [], 'the sender gets no echo');
    await alice.client.close();
    await bob.client.close();
  });

  test('cursor-move → cursor-update, language-change → language-updated, to the others', async () => {
    const id = await newSession();
    const alice = await joined(id, 'a', 'Alice');
    const bob = await joined(id, 'b', 'Bob');
    await alice.client.nextOfType('participant-joined');
    alice.client.send({
      type: 'cursor-move',
      payload: { userId: 'a', cursor: { line: 4, column: 10 } },
    });
    assert.deepEqual(await bob.client.next(), {
      type: 'cursor-update',
      payload: { userId: 'a', cursor: { line: 4, column: 10 } },
    });
    bob.client.send({ type: 'language-change', payload: { userId: 'b', language: 'python' } });
    assert.deepEqual(await alice.client.next(), {
      type: 'language-updated',
      payload: { userId: 'b', language: 'python' },
    });
    assert.deepEqual(await alice.client.settle(30), []);
    assert.deepEqual(await bob.client.settle(0), []);
    const read = await api('GET', `/api/sessions/${id}`);
    assert.equal(read.body.language, 'python');
    assert.deepEqual(
      read.body.participants.find((p: { userId: string }) => p.userId === 'a').cursor,
      { line: 4, column: 10 },
    );
    await alice.client.close();
    await bob.client.close();
  });

  test('execute-code is relayed to the others; execution-result goes to everyone', async () => {
    const id = await newSession();
    const alice = await joined(id, 'a', 'Alice');
    const bob = await joined(id, 'b', 'Bob');
    await alice.client.nextOfType('participant-joined');
    alice.client.send({
      type: 'execute-code',
      payload: { language: 'python', code: 'print(1 + 1)' },
    });
    assert.deepEqual(await bob.client.next(), {
      type: 'execute-code',
      payload: { language: 'python', code: 'print(1 + 1)', userId: 'a' },
    });
    bob.client.send({ type: 'execution-result', payload: { output: '2\n', error: null } });
    const expected = {
      type: 'execution-result',
      payload: { output: '2\n', error: null, userId: 'b' },
    };
    assert.deepEqual(await alice.client.next(), expected);
    assert.deepEqual(await bob.client.next(), expected);
    assert.deepEqual(await alice.client.settle(30), [], 'execute-code is not echoed to its sender');
    // A later joiner sees the last result.
    const carol = await joined(id, 'c', 'Carol');
    assert.deepEqual(carol.state.payload.lastExecution, {
      userId: 'b',
      output: '2\n',
      error: null,
    });
    for (const c of [alice, bob, carol]) await c.client.close();
  });

  test('leave-session and a disconnect both give participant-left', async () => {
    const id = await newSession();
    const alice = await joined(id, 'a', 'Alice');
    const bob = await joined(id, 'b', 'Bob');
    const carol = await joined(id, 'c', 'Carol');
    await alice.client.nextOfType('participant-joined');
    await alice.client.nextOfType('participant-joined');
    bob.client.send({ type: 'leave-session', payload: { userId: 'b' } });
    assert.deepEqual(await alice.client.next(), {
      type: 'participant-left',
      payload: { userId: 'b' },
    });
    assert.deepEqual(await carol.client.next(), {
      type: 'participant-left',
      payload: { userId: 'b' },
    });
    carol.client.socket.terminate(); // no close frame: an unexpected disconnect
    assert.deepEqual(await alice.client.next(), {
      type: 'participant-left',
      payload: { userId: 'c' },
    });
    // After leaving, bob must join again to edit.
    bob.client.send({ type: 'code-change', payload: { userId: 'b', changes: 'x' } });
    assert.deepEqual(await bob.client.nextOfType('error'), {
      type: 'error',
      payload: { message: 'Join the session first (join-session)' },
    });
    await alice.client.close();
    await bob.client.close();
  });

  test('two connections of one user: participant-left only when the last one goes', async () => {
    const id = await newSession();
    const watcher = await joined(id, 'w', 'Watcher');
    const tab1 = await joined(id, 'a', 'Alice');
    await watcher.client.nextOfType('participant-joined');
    const tab2 = await joined(id, 'a', 'Alice');
    assert.equal(tab2.state.payload.participants.length, 2);
    await tab1.client.close();
    assert.deepEqual(await watcher.client.settle(50), [], 'Alice is still there in her other tab');
    await tab2.client.close();
    assert.deepEqual(await watcher.client.next(), {
      type: 'participant-left',
      payload: { userId: 'a' },
    });
    await watcher.client.close();
  });
});

describe("the joiner's state", () => {
  test('a late joiner gets code, language, version, participants and their cursors at once', async () => {
    const id = await newSession();
    const alice = await joined(id, 'a', 'Alice');
    const bob = await joined(id, 'b', 'Bob');
    alice.client.send({
      type: 'code-change',
      payload: { userId: 'a', changes: 'def f():\n    return 1\n' },
    });
    alice.client.send({ type: 'language-change', payload: { userId: 'a', language: 'python' } });
    alice.client.send({
      type: 'cursor-move',
      payload: { userId: 'a', cursor: { line: 2, column: 12 } },
    });
    await bob.client.nextOfType('cursor-update');
    const carol = await joined(id, 'c', 'Carol');
    assert.deepEqual(carol.state.payload, {
      sessionId: id,
      code: 'def f():\n    return 1\n',
      language: 'python',
      version: 1,
      participants: [
        { userId: 'a', username: 'Alice', cursor: { line: 2, column: 12 } },
        { userId: 'b', username: 'Bob', cursor: null },
        { userId: 'c', username: 'Carol', cursor: null },
      ],
      lastExecution: null,
    });
    for (const c of [alice, bob, carol]) await c.client.close();
  });

  test('an empty session keeps its state, in memory and after it is unloaded', async () => {
    const id = await newSession();
    const alice = await joined(id, 'a', 'Alice');
    alice.client.send({ type: 'code-change', payload: { userId: 'a', changes: 'kept' } });
    alice.client.send({ type: 'language-change', payload: { userId: 'a', language: 'go' } });
    await alice.client.settle(30);
    await alice.client.close();
    const back = await joined(id, 'b', 'Bob');
    assert.equal(back.state.payload.code, 'kept');
    assert.equal(back.state.payload.language, 'go');
    assert.deepEqual(back.state.payload.participants, [
      { userId: 'b', username: 'Bob', cursor: null },
    ]);
    await back.client.close();
    await new Promise((resolve) => setTimeout(resolve, 150)); // idleUnloadMs is 50 here
    const read = await api('GET', `/api/sessions/${id}`);
    assert.equal(read.body.code, 'kept');
    const later = await joined(id, 'c', 'Carol');
    assert.equal(later.state.payload.code, 'kept');
    assert.equal(later.state.payload.language, 'go');
    assert.equal(later.state.payload.version, 1);
    await later.client.close();
  });
});

describe('versioned changes', () => {
  test('a ChangeSet with its version: code-ack to the sender, code-update to the others', async () => {
    const id = await newSession({ code: 'abc' });
    const alice = await joined(id, 'a', 'Alice');
    const bob = await joined(id, 'b', 'Bob');
    alice.client.send({
      type: 'code-change',
      payload: { userId: 'a', version: 0, changes: [3, [0, 'd']], clientID: 'ed-a' },
    });
    assert.deepEqual(await alice.client.nextOfType('code-ack'), {
      type: 'code-ack',
      payload: { version: 1, clientID: 'ed-a', changes: [3, [0, 'd']] },
    });
    assert.deepEqual(await bob.client.nextOfType('code-update'), {
      type: 'code-update',
      payload: { userId: 'a', code: 'abcd', version: 1, changes: [3, [0, 'd']], clientID: 'ed-a' },
    });
    // Bob edits version 0 too (he has not applied Alice's change): merged, not lost.
    bob.client.send({
      type: 'code-change',
      payload: { userId: 'b', version: 0, changes: [[0, 'X'], 3], clientID: 'ed-b' },
    });
    const ack = await bob.client.nextOfType('code-ack');
    assert.deepEqual(ack.payload, { version: 2, clientID: 'ed-b', changes: [[0, 'X'], 4] });
    const update = await alice.client.nextOfType('code-update');
    assert.equal(update.payload.code, 'Xabcd');
    await alice.client.close();
    await bob.client.close();
  });

  test('full code with a version is merged with what happened since', async () => {
    const id = await newSession({ code: 'one\ntwo\n' });
    const alice = await joined(id, 'a', 'Alice');
    const bob = await joined(id, 'b', 'Bob');
    alice.client.send({
      type: 'code-change',
      payload: { userId: 'a', version: 0, changes: 'ONE\ntwo\n' },
    });
    await alice.client.nextOfType('code-ack');
    bob.client.send({
      type: 'code-change',
      payload: { userId: 'b', version: 0, changes: 'one\ntwo\nthree\n' },
    });
    await bob.client.nextOfType('code-ack');
    const read = await api('GET', `/api/sessions/${id}`);
    assert.equal(read.body.code, 'ONE\ntwo\nthree\n');
    await alice.client.close();
    await bob.client.close();
  });

  test('a version ahead of the session, or a change that does not fit, is an error and the state is resent', async () => {
    const id = await newSession({ code: 'abc' });
    const alice = await joined(id, 'a', 'Alice');
    alice.client.send({
      type: 'code-change',
      payload: { userId: 'a', version: 7, changes: [3, [0, 'd']] },
    });
    assert.deepEqual(await alice.client.next(), {
      type: 'error',
      payload: { message: 'Version 7 is ahead of the session (version 0)' },
    });
    assert.equal((await alice.client.next()).type, 'session-state');
    alice.client.send({
      type: 'code-change',
      payload: { userId: 'a', version: 0, changes: [10, [0, 'd']] },
    });
    const error = await alice.client.next();
    assert.equal(error.type, 'error');
    assert.match(error.payload.message, /expect a document of 10 characters, it has 3/);
    assert.equal((await alice.client.next()).type, 'session-state');
    await alice.client.close();
  });
});

describe('errors', () => {
  test('unknown type, invalid payload, text that is not JSON, binary, not joined', async () => {
    const id = await newSession();
    const client = await TestClient.connect(`${app.wsUrl}/ws/${id}`);
    client.send({ type: 'cursor-move', payload: { userId: 'a', cursor: { line: 1, column: 1 } } });
    assert.deepEqual(await client.next(), {
      type: 'error',
      payload: { message: 'Join the session first (join-session)' },
    });
    client.send({ type: 'no-such-event', payload: {} });
    assert.deepEqual(await client.next(), {
      type: 'error',
      payload: { message: 'Invalid message type' },
    });
    client.send('this is not json');
    assert.deepEqual(await client.next(), { type: 'error', payload: { message: 'Invalid JSON' } });
    client.send({ payload: {} });
    assert.deepEqual(await client.next(), {
      type: 'error',
      payload: { message: 'Invalid message: expected {"type": string, "payload": object}' },
    });
    client.send({ type: 'join-session', payload: { userId: 'a' } });
    assert.match(
      (await client.next()).payload.message,
      /^Invalid payload for join-session: username/,
    );
    client.send({ type: 'join-session', payload: { userId: 'a', username: 'A' } });
    await client.nextOfType('session-state');
    client.send({
      type: 'cursor-move',
      payload: { userId: 'a', cursor: { line: -1, column: 'x' } },
    });
    assert.match(
      (await client.next()).payload.message,
      /^Invalid payload for cursor-move: cursor\.line/,
    );
    client.send({ type: 'code-change', payload: { userId: 'a', changes: [1, 2] } });
    assert.match((await client.next()).payload.message, /a ChangeSet needs the version/);
    client.send({
      type: 'code-change',
      payload: { userId: 'a', version: 0, changes: [[0, 'a\nb']] },
    });
    assert.match(
      (await client.next()).payload.message,
      /inserted lines may not contain line breaks/,
    );
    client.sendBinary(Buffer.from([1, 2, 3]));
    assert.deepEqual(await client.next(), {
      type: 'error',
      payload: { message: 'Binary messages are not supported' },
    });
    // The connection lives on.
    client.send({ type: 'code-change', payload: { userId: 'a', changes: 'still here' } });
    client.send({ type: 'join-session', payload: { userId: 'a', username: 'A' } });
    assert.equal((await client.nextOfType('session-state')).payload.code, 'still here');
    await client.close();
  });

  test('too many invalid messages close the connection with 1008 (error budget)', async () => {
    const id = await newSession();
    const client = await TestClient.connect(`${app.wsUrl}/ws/${id}`);
    for (let i = 0; i < 25; i++) client.send('{');
    const { code } = await client.closed;
    assert.equal(code, 1008);
    const errors = client.received.filter((m) => m.type === 'error');
    assert.equal(errors.length, 20, 'each invalid message within the budget is answered');
  });
});
