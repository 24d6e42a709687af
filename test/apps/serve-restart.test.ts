// Collab and chat in the real `ringside serve` process, on SQLite and on PostgreSQL:
// real accounts and tokens, the refusals before the upgrade, and a restart that keeps
// sessions, code, language and messages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, registerUser, type Json } from '../helpers/http.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { CollabEditor } from './collab-editor.js';
import { refusal, TestClient } from './ws-client.js';

async function joinSession(serve: ServeProcess, sessionId: string, userId: string) {
  const client = await TestClient.connect(`${serve.wsUrl}/ws/${sessionId}`);
  client.send({ type: 'join-session', payload: { userId, username: userId } });
  const state = await client.nextOfType('session-state');
  return { client, state: state.payload };
}

async function history(serve: ServeProcess, path: string, token: string): Promise<Json[]> {
  const response = await api(serve.url, 'GET', `/api/rooms/${path}/messages`, undefined, token);
  assert.equal(response.status, 200);
  return response.body.messages;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`ringside serve on ${dialect}`, () => {
    let pg: Postgres | undefined;
    let serve: ServeProcess;

    before(async () => {
      if (dialect === 'postgres') pg = await startPostgres();
      serve = await startServe(pg ? ['--database', pg.url] : []);
    });
    after(async () => {
      await serve?.stop();
      await pg?.stop();
    });

    test('one address holds 200 connections in one chat room, and a message reaches all of them', async () => {
      const host = await registerUser(serve.url);
      assert.equal(
        (await api(serve.url, 'POST', '/api/rooms', { slug: 'big', name: 'Big' }, host.token))
          .status,
        201,
      );
      const url = `${serve.wsUrl}/ws/chat/${host.user.username}/big/?token=${host.token}`;
      const clients: TestClient[] = [];
      for (let i = 0; i < 4; i++) {
        clients.push(
          ...(await Promise.all(Array.from({ length: 50 }, () => TestClient.connect(url)))),
        );
      }
      clients[0]!.send({ type: 'text', message: 'to all 200' });
      const received = await Promise.all(clients.map((c) => c.next()));
      assert.ok(received.every((m) => m.body === 'to all 200' && m.id === received[0].id));
      await Promise.all(clients.map((c) => c.close()));
    });

    test('collab and chat work, refuse what they must, and survive a restart', async () => {
      const alice = await registerUser(serve.url);
      const bob = await registerUser(serve.url);
      const outsider = await registerUser(serve.url);

      // --- collab: full code, language, then a versioned change from an editor.
      const created = await api(serve.url, 'POST', '/api/sessions');
      assert.equal(created.status, 201);
      const sessionId: string = created.body.sessionId;
      assert.equal(await refusal(`${serve.wsUrl}/ws/no-such-session`), 404);
      const a = await joinSession(serve, sessionId, 'alice');
      const b = await joinSession(serve, sessionId, 'bob');
      a.client.send({
        type: 'code-change',
        payload: { userId: 'alice', changes: 'print("hello")\n' },
      });
      a.client.send({ type: 'language-change', payload: { userId: 'alice', language: 'python' } });
      assert.equal((await b.client.nextOfType('code-update')).payload.code, 'print("hello")\n');
      await b.client.nextOfType('language-updated');
      const editor = new CollabEditor('bob-editor', 'print("hello")\n', 1, (change) =>
        b.client.send({ type: 'code-change', payload: { userId: 'bob', ...change } }),
      );
      editor.edit(1, 'print("world")\n');
      const ack = await b.client.nextOfType('code-ack');
      assert.equal(ack.payload.version, 2);
      assert.equal(
        (await a.client.nextOfType('code-update')).payload.code,
        'print("hello")\nprint("world")\n',
      );

      // --- chat: a room with two participants, messages, an edit and a delete.
      assert.equal(
        (await api(serve.url, 'POST', '/api/rooms', { slug: 'lobby', name: 'Lobby' }, alice.token))
          .status,
        201,
      );
      const path = `${alice.user.username}/lobby`;
      const added = await api(
        serve.url,
        'POST',
        `/api/rooms/${path}/participants`,
        { username: bob.user.username },
        alice.token,
      );
      assert.equal(added.status, 201);
      const refused = await api(
        serve.url,
        'POST',
        `/api/rooms/${path}/participants`,
        { username: outsider.user.username },
        bob.token,
      );
      assert.equal(refused.status, 403);
      assert.equal(await refusal(`${serve.wsUrl}/ws/chat/${path}/`), 401);
      assert.equal(await refusal(`${serve.wsUrl}/ws/chat/${path}/?token=${outsider.token}`), 403);
      assert.equal(
        await refusal(`${serve.wsUrl}/ws/chat/${alice.user.username}/nope/?token=${alice.token}`),
        404,
      );
      const chatA = await TestClient.connect(
        `${serve.wsUrl}/ws/chat/${path}/?token=${alice.token}`,
      );
      const chatB = await TestClient.connect(`${serve.wsUrl}/ws/chat/${path}/`, {
        authorization: `Bearer ${bob.token}`,
      });
      for (const text of ['one', 'two', 'three']) chatA.send({ type: 'text', message: text });
      chatB.send({ type: 'text', message: 'from bob' });
      const seen = [await chatB.next(), await chatB.next(), await chatB.next(), await chatB.next()];
      const byBody = Object.fromEntries(seen.map((m) => [m.body, m]));
      assert.deepEqual(
        seen.filter((m) => m.user === alice.user.username).map((m) => m.body),
        ['one', 'two', 'three'],
      );
      chatA.send({ type: 'update', messageId: byBody.two.id, message: 'two (edited)' });
      chatA.send({ type: 'delete', messageId: byBody.three.id });
      assert.equal((await chatB.next()).action, 'update');
      assert.equal((await chatB.next()).action, 'delete');
      chatB.send({ type: 'delete', messageId: byBody.one.id });
      assert.deepEqual(await chatB.next((m) => m.error !== undefined), {
        error: 'You can only delete your own messages.',
      });
      const before = await history(serve, path, bob.token);
      assert.deepEqual(
        before.map((m) => m.body).sort(),
        ['from bob', 'one', 'two (edited)'].sort(),
      );
      for (const c of [a.client, b.client, chatA, chatB]) await c.close();

      // --- restart: the same data dir and database.
      await serve.restart();

      const session = await api(serve.url, 'GET', `/api/sessions/${sessionId}`);
      assert.equal(session.status, 200);
      assert.equal(session.body.code, 'print("hello")\nprint("world")\n');
      assert.equal(session.body.language, 'python');
      assert.equal(session.body.version, 2);
      const c = await joinSession(serve, sessionId, 'carol');
      assert.equal(c.state.code, 'print("hello")\nprint("world")\n');
      assert.equal(c.state.language, 'python');
      assert.equal(c.state.version, 2);
      assert.deepEqual(c.state.participants, [
        { userId: 'carol', username: 'carol', cursor: null },
      ]);
      // Versions continue where they were.
      c.client.send({
        type: 'code-change',
        payload: { userId: 'carol', version: 2, changes: [29, [0, '#'], 1] },
      });
      assert.equal((await c.client.nextOfType('code-ack')).payload.version, 3);
      await c.client.close();

      const after = await history(serve, path, bob.token);
      assert.deepEqual(after, before, 'the same messages, ids and timestamps');
      const again = await TestClient.connect(
        `${serve.wsUrl}/ws/chat/${path}/?token=${alice.token}`,
      );
      again.send({ type: 'text', message: 'after the restart' });
      const fresh = await again.next();
      assert.equal(fresh.body, 'after the restart');
      const newest = await history(serve, path, alice.token);
      assert.equal(newest[0].id, fresh.id);
      assert.equal(newest.length, 4);
      const older = await api(
        serve.url,
        'GET',
        `/api/rooms/${path}/messages?before=${fresh.id}&limit=2`,
        undefined,
        alice.token,
      );
      assert.deepEqual(
        older.body.messages.map((m: Json) => m.id),
        before.slice(0, 2).map((m) => m.id),
      );
      await again.close();
    });
  });
}
