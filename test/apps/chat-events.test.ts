// Chat (spec 003) over real sockets: the REST routes, the refusals before the upgrade,
// every client message and event, every error text, paging, and the rate-limit defaults.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createChatModule } from '../../src/apps/chat/index.js';
import { timestamp6 } from '../../src/apps/chat/protocol.js';
import { ChatStore } from '../../src/apps/chat/store.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { signToken, startTestApp, type TestApp } from './context.js';
import { refusal, TestClient, type Json } from './ws-client.js';

let app: TestApp;
let pg: Postgres | undefined;

// The whole file runs once per storage dialect: DIALECT picks it; the default runs both.
const dialects = (process.env.DIALECT ?? 'sqlite,postgres').split(',');

for (const dialect of dialects) {
  describe(`chat on ${dialect}`, () => {
    before(async () => {
      if (dialect === 'postgres') pg = await startPostgres();
      app = await startTestApp([createChatModule()], { database: pg?.url });
    });
    after(async () => {
      await app.stop();
      await pg?.stop();
    });

    async function api(method: string, path: string, token?: string, body?: unknown) {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      const response = await fetch(app.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Json };
    }

    type Member = Awaited<ReturnType<TestApp['createUser']>>;

    /** A host with a room, and `guests` more participants. */
    async function room(
      slug: string,
      guests = 1,
    ): Promise<{ host: Member; guests: Member[]; path: string }> {
      const host = await app.createUser();
      const created = await api('POST', '/api/rooms', host.token, { slug, name: `Room ${slug}` });
      assert.equal(created.status, 201);
      const members: Member[] = [];
      for (let i = 0; i < guests; i++) {
        const guest = await app.createUser();
        const added = await api(
          'POST',
          `/api/rooms/${host.user.username}/${slug}/participants`,
          host.token,
          {
            username: guest.user.username,
          },
        );
        assert.equal(added.status, 201);
        members.push(guest);
      }
      return { host, guests: members, path: `${host.user.username}/${slug}` };
    }

    function connect(path: string, token: string): Promise<TestClient> {
      return TestClient.connect(`${app.wsUrl}/ws/chat/${path}/?token=${token}`);
    }

    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

    describe('REST', () => {
      test('POST /api/rooms: 201 for a signed-in user (host and participant), 401 without, 409 twice, 400 invalid', async () => {
        const host = await app.createUser();
        const created = await api('POST', '/api/rooms', host.token, {
          slug: 'general',
          name: 'General',
        });
        assert.equal(created.status, 201);
        assert.equal(created.body.host, host.user.username);
        assert.equal(created.body.slug, 'general');
        assert.equal(created.body.name, 'General');
        assert.match(created.body.id, UUID);
        const read = await api('GET', `/api/rooms/${host.user.username}/general`, host.token);
        assert.deepEqual(read.body.participants, [host.user.username]);
        assert.equal(
          (await api('POST', '/api/rooms', undefined, { slug: 'x', name: 'X' })).status,
          401,
        );
        assert.equal(
          (await api('POST', '/api/rooms', 'forged', { slug: 'x', name: 'X' })).status,
          401,
        );
        assert.equal(
          (await api('POST', '/api/rooms', host.token, { slug: 'general', name: 'Again' })).status,
          409,
        );
        assert.equal(
          (await api('POST', '/api/rooms', host.token, { slug: 'has space', name: 'X' })).status,
          400,
        );
        assert.equal((await api('POST', '/api/rooms', host.token, { slug: 'ok' })).status, 400);
      });

      test('participants: the host adds (201, then 200), anyone else gets 403, unknown names and rooms 404', async () => {
        const { host, guests, path } = await room('team', 1);
        const stranger = await app.createUser();
        const added = await api('POST', `/api/rooms/${path}/participants`, host.token, {
          username: stranger.user.username,
        });
        assert.equal(added.status, 201);
        assert.deepEqual(added.body, {
          user_id: stranger.user.id,
          username: stranger.user.username,
        });
        assert.equal(
          (
            await api('POST', `/api/rooms/${path}/participants`, host.token, {
              username: stranger.user.username,
            })
          ).status,
          200,
        );
        const other = await app.createUser();
        assert.equal(
          (
            await api('POST', `/api/rooms/${path}/participants`, guests[0]!.token, {
              username: other.user.username,
            })
          ).status,
          403,
        );
        assert.equal(
          (
            await api('POST', `/api/rooms/${path}/participants`, other.token, {
              username: other.user.username,
            })
          ).status,
          403,
        );
        assert.equal(
          (
            await api('POST', `/api/rooms/${path}/participants`, host.token, {
              username: 'nobody-here',
            })
          ).status,
          404,
        );
        assert.equal(
          (
            await api('POST', `/api/rooms/${host.user.username}/nope/participants`, host.token, {
              username: other.user.username,
            })
          ).status,
          404,
        );
        assert.equal(
          (
            await api('POST', `/api/rooms/${path}/participants`, undefined, {
              username: other.user.username,
            })
          ).status,
          401,
        );
      });

      test('GET messages: participants only (403 otherwise, 401 without a token, 404 for no room)', async () => {
        const { host, path } = await room('private', 0);
        const outsider = await app.createUser();
        assert.deepEqual((await api('GET', `/api/rooms/${path}/messages`, host.token)).body, {
          messages: [],
        });
        assert.equal((await api('GET', `/api/rooms/${path}/messages`, outsider.token)).status, 403);
        assert.equal((await api('GET', `/api/rooms/${path}/messages`)).status, 401);
        assert.equal(
          (await api('GET', `/api/rooms/${host.user.username}/missing/messages`, host.token))
            .status,
          404,
        );
        assert.equal(
          (await api('GET', `/api/rooms/${path}/messages?limit=0`, host.token)).status,
          400,
        );
        assert.equal(
          (await api('GET', `/api/rooms/${path}/messages?before=not-an-id`, host.token)).status,
          400,
        );
      });
    });

    describe('upgrade refusals', () => {
      test('no token or a bad one → 401, unknown room → 404, not a participant → 403', async () => {
        const { host, path } = await room('guarded', 0);
        const outsider = await app.createUser();
        assert.equal(await refusal(`${app.wsUrl}/ws/chat/${path}/`), 401);
        assert.equal(await refusal(`${app.wsUrl}/ws/chat/${path}/?token=forged`), 401);
        const expired = await signToken(host.user, -60);
        assert.equal(await refusal(`${app.wsUrl}/ws/chat/${path}/?token=${expired}`), 401);
        assert.equal(
          await refusal(`${app.wsUrl}/ws/chat/${host.user.username}/missing/?token=${host.token}`),
          404,
        );
        assert.equal(
          await refusal(`${app.wsUrl}/ws/chat/nobody/guarded/?token=${host.token}`),
          404,
        );
        assert.equal(await refusal(`${app.wsUrl}/ws/chat/${path}/?token=${outsider.token}`), 403);
        assert.equal(
          await refusal(`${app.wsUrl}/ws/chat/${path}/`, { authorization: `Bearer ${host.token}` }),
          101,
        );
        assert.equal(
          await refusal(`${app.wsUrl}/ws/chat/${path}?token=${host.token}`),
          101,
          'without the trailing slash too',
        );
      });
    });

    describe('messages', () => {
      test('text → chat_message new to everyone in the room, the sender included, stored first', async () => {
        const { host, guests, path } = await room('talk', 1);
        const a = await connect(path, host.token);
        const b = await connect(path, guests[0]!.token);
        a.send({ type: 'text', message: 'Hello world!', timestamp: new Date().toISOString() });
        const event = await b.next();
        assert.deepEqual(
          Object.keys(event).sort(),
          [
            'action',
            'body',
            'created',
            'edited',
            'id',
            'type',
            'updated',
            'user',
            'userAvatar',
            'user_id',
          ].sort(),
        );
        assert.equal(event.type, 'chat_message');
        assert.equal(event.action, 'new');
        assert.match(event.id, UUID);
        assert.equal(event.user, host.user.username);
        assert.equal(event.user_id, host.user.id);
        assert.equal(event.body, 'Hello world!');
        assert.match(event.created, TIME);
        assert.equal(event.updated, event.created);
        assert.equal(event.edited, false);
        assert.equal(event.userAvatar, null);
        assert.deepEqual(await a.next(), event, 'the sender gets the same event');
        const history = await api('GET', `/api/rooms/${path}/messages`, guests[0]!.token);
        const stored = { ...event };
        delete stored.type;
        delete stored.action;
        assert.deepEqual(history.body.messages, [stored]);
        await a.close();
        await b.close();
      });

      test("update: own message → chat_message update; someone else's → the spec's error", async () => {
        const { host, guests, path } = await room('edits', 1);
        const a = await connect(path, host.token);
        const b = await connect(path, guests[0]!.token);
        a.send({ type: 'text', message: 'first draft' });
        const posted = await a.next();
        await b.next();
        a.send({ type: 'update', messageId: posted.id, message: 'Updated message content' });
        const updated = await b.next();
        assert.deepEqual(Object.keys(updated).sort(), [
          'action',
          'body',
          'edited',
          'id',
          'type',
          'updated',
        ]);
        assert.equal(updated.action, 'update');
        assert.equal(updated.id, posted.id);
        assert.equal(updated.body, 'Updated message content');
        assert.equal(updated.edited, true);
        assert.match(updated.updated, TIME);
        assert.deepEqual(await a.next(), updated);
        b.send({ type: 'update', messageId: posted.id, message: 'hijack' });
        assert.deepEqual(await b.next(), { error: 'You can only edit your own messages.' });
        const [stored] = (await api('GET', `/api/rooms/${path}/messages`, host.token)).body
          .messages;
        assert.equal(stored.body, 'Updated message content');
        assert.equal(stored.edited, true);
        assert.deepEqual(await a.settle(30), [], 'a refused edit is not broadcast');
        await a.close();
        await b.close();
      });

      test("delete: own message → chat_message delete and gone from history; someone else's → error; unknown → not found", async () => {
        const { host, guests, path } = await room('deletes', 1);
        const a = await connect(path, host.token);
        const b = await connect(path, guests[0]!.token);
        a.send({ type: 'text', message: 'to be deleted' });
        const posted = await a.next();
        await b.next();
        b.send({ type: 'delete', messageId: posted.id });
        assert.deepEqual(await b.next(), { error: 'You can only delete your own messages.' });
        a.send({ type: 'delete', messageId: posted.id });
        const deleted = { type: 'chat_message', action: 'delete', id: posted.id };
        assert.deepEqual(await b.next(), deleted);
        assert.deepEqual(await a.next(), deleted);
        assert.deepEqual((await api('GET', `/api/rooms/${path}/messages`, host.token)).body, {
          messages: [],
        });
        a.send({ type: 'delete', messageId: posted.id });
        assert.deepEqual(await a.next(), { error: 'Message not found.' });
        a.send({ type: 'update', messageId: posted.id, message: 'edit a deleted one' });
        assert.deepEqual(await a.next(), { error: 'Message not found.' });
        a.send({ type: 'delete', messageId: '123e4567-e89b-12d3-a456-426614174000' });
        assert.deepEqual(await a.next(), { error: 'Message not found.' });
        a.send({ type: 'delete', messageId: 'not-a-uuid' });
        assert.deepEqual(await a.next(), { error: 'Message not found.' });
        await a.close();
        await b.close();
      });

      test('a message from another room cannot be edited or deleted through this one', async () => {
        const one = await room('one', 0);
        const two = await app.createUser();
        assert.equal(
          (await api('POST', '/api/rooms', two.token, { slug: 'two', name: 'Two' })).status,
          201,
        );
        await api('POST', `/api/rooms/${two.user.username}/two/participants`, two.token, {
          username: one.host.user.username,
        });
        const inOne = await connect(one.path, one.host.token);
        inOne.send({ type: 'text', message: 'mine, in room one' });
        const posted = await inOne.next();
        const inTwo = await connect(`${two.user.username}/two`, one.host.token);
        inTwo.send({ type: 'delete', messageId: posted.id });
        assert.deepEqual(await inTwo.next(), { error: 'Message not found.' });
        await inOne.close();
        await inTwo.close();
      });

      test('length: 500 characters pass (emoji count as one), 501 get "Message exceeds 500 characters."', async () => {
        const { host, path } = await room('lengths', 0);
        const a = await connect(path, host.token);
        a.send({ type: 'text', message: '😀'.repeat(500) });
        assert.equal((await a.next()).body, '😀'.repeat(500));
        a.send({ type: 'text', message: 'x'.repeat(501) });
        assert.deepEqual(await a.next(), { error: 'Message exceeds 500 characters.' });
        a.send({ type: 'text', message: 'x'.repeat(100_000) });
        assert.deepEqual(await a.next(), { error: 'Message exceeds 500 characters.' });
        const posted = a.received.find((m) => m.action === 'new');
        a.send({ type: 'update', messageId: posted.id, message: 'y'.repeat(501) });
        assert.deepEqual(await a.next(), { error: 'Message exceeds 500 characters.' });
        a.send({ type: 'text', message: '   ' });
        assert.deepEqual(await a.next(), { error: 'Message cannot be empty.' });
        await a.close();
      });

      test("invalid input gets an error in the spec's shape and the connection lives on", async () => {
        const { host, path } = await room('bad-input', 0);
        const a = await connect(path, host.token);
        a.send('not json');
        assert.deepEqual(await a.next(), { error: 'Invalid JSON.' });
        a.send({ type: 'shout', message: 'hi' });
        assert.deepEqual(await a.next(), { error: 'Unknown message type.' });
        a.send({ type: 'text' });
        assert.deepEqual(await a.next(), { error: 'Invalid message.' });
        a.send([1, 2]);
        assert.deepEqual(await a.next(), { error: 'Invalid message.' });
        a.sendBinary(Buffer.from('{}'));
        assert.deepEqual(await a.next(), { error: 'Binary messages are not supported.' });
        a.send({ type: 'text', message: 'still connected' });
        assert.equal((await a.next()).body, 'still connected');
        await a.close();
      });
    });

    describe('history paging', () => {
      test('newest first, 50 by default, `before` strictly older, deleted ones skipped', async () => {
        const { host, path } = await room('paging', 0);
        // 120 messages straight into the store (the socket's rate limit would take seconds).
        const roomId = (await api('GET', `/api/rooms/${path}`, host.token)).body.id;
        const store = new ChatStore(app.db, app.context.users);
        const ids: string[] = [];
        for (let i = 0; i < 120; i++) {
          ids.push(randomUUID());
          await store.insertMessage({
            id: ids[i]!,
            roomId,
            userId: host.user.id,
            body: `m${i}`,
            created: timestamp6(),
          });
        }
        const a = await connect(path, host.token);
        a.send({ type: 'delete', messageId: ids[100]! });
        await a.next();
        const first = (await api('GET', `/api/rooms/${path}/messages`, host.token)).body.messages;
        assert.equal(first.length, 50);
        assert.deepEqual(
          first.map((m: Json) => m.body),
          Array.from({ length: 51 }, (_, k) => `m${119 - k}`).filter((b) => b !== 'm100'),
        );
        const second = (
          await api('GET', `/api/rooms/${path}/messages?before=${first.at(-1).id}`, host.token)
        ).body.messages;
        assert.deepEqual(
          second.map((m: Json) => m.body),
          Array.from({ length: 50 }, (_, k) => `m${68 - k}`),
        );
        const small = (
          await api('GET', `/api/rooms/${path}/messages?before=${ids[5]}&limit=3`, host.token)
        ).body.messages;
        assert.deepEqual(
          small.map((m: Json) => m.body),
          ['m4', 'm3', 'm2'],
        );
        const fromDeleted = (
          await api('GET', `/api/rooms/${path}/messages?before=${ids[100]}&limit=2`, host.token)
        ).body.messages;
        assert.deepEqual(
          fromDeleted.map((m: Json) => m.body),
          ['m99', 'm98'],
          'a deleted message still marks a place',
        );
        const oldest = (
          await api('GET', `/api/rooms/${path}/messages?before=${ids[0]}`, host.token)
        ).body.messages;
        assert.deepEqual(oldest, []);
        await a.close();
      });
    });

    describe('limits', () => {
      test('a burst of 25 messages goes through; far past the burst the extra ones get an error, not a close', async () => {
        const { host, guests, path } = await room('bursty', 1);
        const a = await connect(path, host.token);
        const b = await connect(path, guests[0]!.token);
        for (let i = 0; i < 25; i++) a.send({ type: 'text', message: `burst ${i}` });
        for (let i = 0; i < 25; i++) assert.equal((await b.next()).body, `burst ${i}`, 'in order');
        for (let i = 0; i < 40; i++) a.send({ type: 'text', message: `flood ${i}` });
        const limited = await a.next((m) => m.error !== undefined);
        assert.deepEqual(limited, { error: 'Too many messages; slow down.' });
        await b.settle(200);
        a.send({ type: 'text', message: 'after the flood' });
        assert.equal(
          (await b.next((m) => m.body === 'after the flood', 3000)).body,
          'after the flood',
        );
        assert.ok(a.socket.readyState === a.socket.OPEN);
        await a.close();
        await b.close();
      });
    });
  });
}
