// The server API in-process, with the `ws` package as an independent client: hooks,
// state, rooms, broadcast, send-by-id, limits, heartbeat and shutdown.
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import {
  RoomLimitError,
  UpgradeRejection,
  WebSocketServer,
  type ServerOptions,
} from '../../src/websocket/index.js';

const servers: WebSocketServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close(200)));
});

async function start(setup: (server: WebSocketServer) => void, options: ServerOptions = {}) {
  const server = new WebSocketServer({ heartbeatIntervalMs: 0, ...options });
  setup(server);
  const { port } = await server.listen(0, '127.0.0.1');
  servers.push(server);
  return { server, url: `ws://127.0.0.1:${port}` };
}

function open(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function messages(ws: WebSocket, count: number, timeoutMs = 3000): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`got ${got.length} of ${count}: ${got.join('|')}`)),
      timeoutMs,
    );
    ws.on('message', (data) => {
      got.push(data.toString());
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

function closeEvent(ws: WebSocket): Promise<[number, string]> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve([code, reason.toString()])),
  );
}

test('hooks run in order with typed state and route params', async () => {
  const calls: string[] = [];
  const { url } = await start((server) =>
    server.route<{ name: string }>('/ws/:room/:user', {
      initialState: () => ({ name: '' }),
      onConnect(connection, request) {
        connection.state.name = `${request.params.room}/${request.params.user}?${request.query.get('x')}`;
        calls.push(`connect ${connection.state.name}`);
      },
      onMessage(connection, data) {
        calls.push(`message ${data}`);
        connection.send(`${connection.state.name}: ${data}`);
      },
      onClose(connection, code, reason) {
        calls.push(`close ${code} ${reason} ${connection.state.name}`);
      },
    }),
  );
  const ws = await open(`${url}/ws/lobby/ann%20b?x=1`);
  ws.send('hi');
  assert.deepEqual(await messages(ws, 1), ['lobby/ann b?1: hi']);
  ws.close(4000, 'done');
  await closeEvent(ws);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(calls, ['connect lobby/ann b?1', 'message hi', 'close 4000 done lobby/ann b?1']);
});

test('onConnect can refuse with an HTTP status before the 101', async () => {
  const { url } = await start((server) =>
    server.route('/private', {
      onConnect(_connection, request) {
        if (request.query.get('token') !== 'good') throw new UpgradeRejection(401, 'Unauthorized');
      },
    }),
  );
  await assert.rejects(open(`${url}/private?token=bad`), /HTTP 401/);
  await assert.rejects(open(`${url}/nowhere`), /HTTP 404/);
  const ws = await open(`${url}/private?token=good`);
  ws.close();
});

test('a message published while onConnect runs arrives right after the open', async () => {
  const { server, url } = await start((s) =>
    s.route('/room', {
      async onConnect(connection) {
        connection.join('r');
        s.rooms.publish('r', 'welcome');
        await new Promise((r) => setTimeout(r, 20));
      },
    }),
  );
  const ws = new WebSocket(`${url}/room`);
  const first = messages(ws, 1);
  assert.deepEqual(await first, ['welcome']);
  assert.deepEqual(server.rooms.members('r').length, 1);
  ws.close();
});

test('rooms: join, leave, publish (with except), members; broadcast; send by id', async () => {
  const ids: string[] = [];
  const { server, url } = await start((s) =>
    s.route('/r', {
      onConnect(connection) {
        ids.push(connection.id);
      },
      onMessage(connection, data) {
        const [command, arg] = data.toString().split(' ');
        if (command === 'join') connection.join(arg!);
        if (command === 'leave') connection.leave(arg!);
        if (command === 'say') s.rooms.publish('a', `${arg}`, { except: connection });
        connection.send(`ok ${command}`);
      },
    }),
  );
  const [a, b, c] = await Promise.all([open(`${url}/r`), open(`${url}/r`), open(`${url}/r`)]);
  assert.equal(new Set(ids).size, 3, 'connection ids are unique');
  const acks = await Promise.all(
    [a, b, c].map((ws) => {
      const got = messages(ws, 1);
      ws.send('join a');
      return got;
    }),
  );
  assert.deepEqual(acks.flat(), ['ok join', 'ok join', 'ok join']);
  assert.equal(server.rooms.members('a').length, 3);

  const bLeft = messages(b, 1);
  b.send('leave a');
  assert.deepEqual(await bLeft, ['ok leave']);
  assert.equal(server.rooms.members('a').length, 2);

  const cGot = messages(c, 1);
  const aGot = messages(a, 1);
  a.send('say hello');
  assert.deepEqual(await cGot, ['hello']);
  assert.deepEqual(await aGot, ['ok say']); // the sender was excepted

  const all = Promise.all([a, b, c].map((ws) => messages(ws, 1)));
  assert.equal(server.broadcast('to all'), 3);
  assert.deepEqual((await all).flat(), ['to all', 'to all', 'to all']);

  const direct = messages(b, 1);
  assert.equal(server.sendTo(ids[1]!, 'just b'), true);
  assert.equal(server.sendTo('no-such-id', 'x'), false);
  assert.deepEqual(await direct, ['just b']);

  const closed = closeEvent(c);
  c.close();
  await closed;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.rooms.members('a').length, 1, 'a closed connection leaves its rooms');
  a.close();
  b.close();
});

test('room fan-out shares one compressed frame among deflate peers and plain bytes with others', async () => {
  const { server, url } = await start((s) => s.route('/fan', { onConnect: (c) => c.join('all') }), {
    deflate: { threshold: 16 },
  });
  const deflated = await Promise.all(
    [1, 2, 3].map(() => open(`${url}/fan`, { perMessageDeflate: true })),
  );
  const plain = await open(`${url}/fan`, { perMessageDeflate: false });
  assert.ok(deflated.every((ws) => ws.extensions.includes('permessage-deflate')));
  const text = 'a message long enough to be compressed '.repeat(20);
  const all = Promise.all([...deflated, plain].map((ws) => messages(ws, 3)));
  server.rooms.publish('all', text);
  server.rooms.publish('all', 'short');
  server.rooms.publish('all', text + '!');
  for (const got of await all) assert.deepEqual(got, [text, 'short', text + '!']);
  assert.ok(server.stats.bytesOut < 4 * 2 * text.length, 'deflate peers got compressed frames');
  for (const ws of [...deflated, plain]) ws.close();
});

test('compressed sends queued in one turn keep their own bytes and order (context takeover)', async () => {
  const { url } = await start(
    (s) =>
      s.route('/burst', {
        onMessage(connection) {
          for (let i = 0; i < 50; i++) connection.send(`message ${i} `.repeat(10));
        },
      }),
    { deflate: { threshold: 0 } },
  );
  const ws = await open(`${url}/burst`, { perMessageDeflate: true });
  assert.equal(ws.extensions, 'permessage-deflate');
  const got = messages(ws, 50);
  ws.send('go');
  assert.deepEqual(
    await got,
    Array.from({ length: 50 }, (_, i) => `message ${i} `.repeat(10)),
  );
  ws.close();
});

test('rate limit: "error" replies through onRateLimited, "close" closes with 1008', async () => {
  let limited = 0;
  const { url } = await start((s) => {
    s.route('/soft', {
      rateLimit: { messagesPerSecond: 5, burst: 5, onExceeded: 'error' },
      onMessage: (c, d) => c.send(`echo ${d}`),
      onRateLimited: (c) => {
        limited++;
        c.send('slow down');
      },
    });
    s.route('/hard', {
      rateLimit: { messagesPerSecond: 5, burst: 5, onExceeded: 'close' },
      onMessage: (c, d) => c.send(d),
    });
  });
  const soft = await open(`${url}/soft`);
  const got = messages(soft, 8);
  for (let i = 0; i < 8; i++) soft.send(String(i));
  const replies = await got;
  assert.deepEqual(replies.slice(0, 5), ['echo 0', 'echo 1', 'echo 2', 'echo 3', 'echo 4']);
  assert.deepEqual(replies.slice(5), ['slow down', 'slow down', 'slow down']);
  assert.equal(limited, 3);
  assert.equal(soft.readyState, WebSocket.OPEN, 'the soft route keeps the connection');
  soft.close();

  const hard = await open(`${url}/hard`);
  const closed = closeEvent(hard);
  for (let i = 0; i < 20; i++) hard.send(String(i));
  assert.deepEqual(await closed, [1008, 'rate limit exceeded']);
});

test('error budget: a peer that keeps sending invalid messages is disconnected', async () => {
  const { server, url } = await start((s) =>
    s.route('/json', {
      rateLimit: false,
      errorBudget: { maxInvalid: 3, windowMs: 10_000 },
      onMessage(connection, data) {
        try {
          JSON.parse(data.toString());
          connection.send('ok');
        } catch {
          if (server.reportInvalid(connection)) connection.send('error: not JSON');
        }
      },
    }),
  );
  const ws = await open(`${url}/json`);
  const got = messages(ws, 4);
  const closed = closeEvent(ws);
  for (const m of ['{}', 'x', 'y', 'z', 'w']) ws.send(m);
  assert.deepEqual(await got, ['ok', 'error: not JSON', 'error: not JSON', 'error: not JSON']);
  assert.deepEqual(await closed, [1008, 'too many invalid messages']);
});

test('a message over maxMessageBytes closes with 1009; the server keeps serving', async () => {
  const { url } = await start((s) => s.route('/e', { onMessage: (c, d) => c.send(d) }), {
    maxMessageBytes: 1000,
  });
  const ws = await open(`${url}/e`);
  const closed = closeEvent(ws);
  ws.send(Buffer.alloc(1001));
  assert.equal((await closed)[0], 1009);
  const again = await open(`${url}/e`);
  const got = messages(again, 1);
  again.send('still here');
  assert.deepEqual(await got, ['still here']);
  again.close();
});

test('heartbeat: a peer that never answers pings is dropped; one that does stays', async () => {
  let closedCode = 0;
  const { url } = await start(
    (s) => s.route('/hb', { onClose: (_c, code) => (closedCode = code) }),
    { heartbeatIntervalMs: 100 },
  );
  const alive = await open(`${url}/hb`); // ws answers pings by itself
  const port = Number(new URL(url).port);
  const silent = net.connect(port, '127.0.0.1');
  await once(silent, 'connect');
  silent.write(
    'GET /hb HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let received = Buffer.alloc(0);
  silent.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  const started = Date.now();
  await once(silent, 'close');
  const elapsed = Date.now() - started;
  await new Promise((r) => setTimeout(r, 50));
  // One shared timer: the first tick after the upgrade pings, the next one (a whole
  // interval later) drops, so at least one interval passes; 150 ms was not guaranteed.
  assert.ok(elapsed >= 100 && elapsed < 2000, `dropped after ${elapsed} ms`);
  assert.ok(received.includes(Buffer.from([0x89, 0x00])), 'it was pinged first');
  assert.equal(closedCode, 1006);
  assert.equal(alive.readyState, WebSocket.OPEN);
  alive.close();
});

test('max connections per IP: the next one gets 429 before the upgrade', async () => {
  const { url } = await start((s) => s.route('/c', {}), { maxConnectionsPerIp: 2 });
  const a = await open(`${url}/c`);
  const b = await open(`${url}/c`);
  await assert.rejects(open(`${url}/c`), /HTTP 429/);
  const closed = closeEvent(a);
  a.close();
  await closed;
  await new Promise((r) => setTimeout(r, 30));
  const c = await open(`${url}/c`);
  b.close();
  c.close();
});

test('subprotocol: the route picks one of the offered', async () => {
  const { url } = await start((s) =>
    s.route('/p', { selectProtocol: (offered) => offered.find((p) => p === 'chat.v2') }),
  );
  const ws = await open(`${url}/p`, {});
  assert.equal(ws.protocol, '');
  ws.close();
  const chosen = new WebSocket(`${url}/p`, ['chat.v1', 'chat.v2']);
  await once(chosen, 'open');
  assert.equal(chosen.protocol, 'chat.v2');
  chosen.close();
});

test('slow consumer with the drop policy: messages to it are dropped, others unaffected', async () => {
  const { server, url } = await start((s) => s.route('/b', { onConnect: (c) => c.join('b') }), {
    maxQueuedBytes: 256 * 1024,
    slowConsumer: 'drop',
  });
  const port = Number(new URL(url).port);
  const stalled = net.connect(port, '127.0.0.1');
  await once(stalled, 'connect');
  stalled.write(
    'GET /b HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await once(stalled, 'data');
  stalled.pause(); // never reads again
  const fast = await open(`${url}/b`);
  let received = 0;
  fast.on('message', () => received++);
  const chunk = Buffer.alloc(16 * 1024, 7);
  const statsBefore = { ...server.stats };
  // 16 MiB in bursts of 64 KiB: more than the kernel buffers of the stalled socket hold.
  for (let i = 0; i < 1000; i++) {
    server.rooms.publish('b', chunk);
    if (i % 4 === 3) await new Promise((r) => setTimeout(r, 4));
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(received, 1000, 'the fast reader got everything');
  const slow = server.rooms.members('b').find((c) => c.droppedMessages > 0);
  assert.ok(slow, 'the stalled reader had messages dropped');
  assert.ok(slow.bufferedAmount <= 256 * 1024 + 16 * 1024 + 64, `queued ${slow.bufferedAmount}`);
  // Dropped frames are not counted as sent: 2 x 1000 queued minus what was dropped.
  const queued = 2000 - slow.droppedMessages;
  assert.equal(server.stats.messagesOut - statsBefore.messagesOut, queued);
  assert.equal(server.stats.bytesOut - statsBefore.bytesOut, queued * (4 + 16 * 1024));
  stalled.destroy();
  fast.close();
});

test('graceful shutdown: every client receives 1001 and close() resolves', async () => {
  const server = new WebSocketServer({ heartbeatIntervalMs: 0 });
  server.route('/s', {});
  const { port } = await server.listen(0, '127.0.0.1');
  const clients = await Promise.all([1, 2, 3, 4, 5].map(() => open(`ws://127.0.0.1:${port}/s`)));
  const codes = Promise.all(clients.map(closeEvent));
  await server.close(2000);
  assert.deepEqual(
    (await codes).map(([code]) => code),
    [1001, 1001, 1001, 1001, 1001],
  );
  await assert.rejects(open(`ws://127.0.0.1:${port}/s`));
});

test('a failing onConnect answers 500, a failing onMessage closes 1011; the server carries on', async () => {
  const errors: string[] = [];
  const { url } = await start((s) => {
    s.route('/broken-connect', {
      onConnect() {
        throw new Error('database down');
      },
    });
    s.route('/broken-message', {
      onMessage(_c, data) {
        if (data.toString() === 'boom') throw new Error('handler bug');
      },
    });
    s.route('/handled', {
      onMessage: async () => {
        throw new Error('async bug');
      },
      onError: (connection, error) => {
        errors.push(error.message);
        connection.send('sorry');
      },
    });
    s.route('/ok', { onMessage: (c, d) => c.send(d) });
  });
  await assert.rejects(open(`${url}/broken-connect`), /HTTP 500/);

  const broken = await open(`${url}/broken-message`);
  const closed = closeEvent(broken);
  broken.send('boom');
  assert.deepEqual(await closed, [1011, 'internal error']);

  const handled = await open(`${url}/handled`);
  const reply = messages(handled, 1);
  handled.send('x');
  assert.deepEqual(await reply, ['sorry']);
  assert.deepEqual(errors, ['async bug']);
  assert.equal(handled.readyState, WebSocket.OPEN, 'onError decides; the connection stays');
  handled.close();

  const ok = await open(`${url}/ok`);
  const echoed = messages(ok, 1);
  ok.send('fine');
  assert.deepEqual(await echoed, ['fine']);
  ok.close();
});

test('rooms per connection are limited: join throws RoomLimitError past the limit', async () => {
  const results: string[] = [];
  const { url } = await start(
    (s) =>
      s.route('/many', {
        onMessage(connection, data) {
          try {
            connection.join(data.toString());
            results.push('joined');
          } catch (error) {
            results.push(error instanceof RoomLimitError ? 'limited' : 'other');
          }
          connection.send('done');
        },
      }),
    { maxRoomsPerConnection: 2 },
  );
  const ws = await open(`${url}/many`);
  const replies = messages(ws, 4);
  for (const room of ['a', 'b', 'a', 'c']) ws.send(room);
  await replies;
  assert.deepEqual(results, ['joined', 'joined', 'joined', 'limited']);
  ws.close();
});

test('a malformed Sec-WebSocket-Extensions header is refused with 400', async () => {
  const { url } = await start((s) => s.route('/x', {}), { deflate: true });
  const port = Number(new URL(url).port);
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    'GET /x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits="10\r\n\r\n',
  );
  const [answer] = (await once(socket, 'data')) as [Buffer];
  assert.match(answer.toString(), /^HTTP\/1\.1 400 /);
  socket.destroy();
});

test('stats count every message in and out: direct sends, room fan-out and send-by-id', async () => {
  const { server, url } = await start((s) =>
    s.route('/count', {
      onConnect: (c) => c.join('r'),
      onMessage(connection, data) {
        connection.send(data.toString()); // one direct send
        s.rooms.publish('r', 'to the room'); // one per member
      },
    }),
  );
  const [a, b] = await Promise.all([open(`${url}/count`), open(`${url}/count`)]);
  const gotA = messages(a, 2);
  const gotB = messages(b, 1);
  a.send('héllo');
  await Promise.all([gotA, gotB]);
  const either = Promise.race([messages(a, 1), messages(b, 1)]);
  assert.equal(server.sendTo([...server.connections][0]!.id, 'x'), true);
  await either;
  assert.equal(server.stats.messagesIn, 1);
  assert.equal(server.stats.bytesIn, Buffer.byteLength('héllo'));
  // 'héllo' (2-byte header + 6) + 'to the room' twice (2 + 11 each) + 'x' (2 + 1)
  assert.equal(server.stats.messagesOut, 4);
  assert.equal(server.stats.bytesOut, 8 + 13 + 13 + 3);
  a.close();
  b.close();
});

test('an idle peer keeps no parser after a pong; small fragments across turns still assemble', async () => {
  const { server, url } = await start((s) =>
    s.route('/e', { onMessage: (c, data, isBinary) => c.send(data, { binary: isBinary }) }),
  );
  const ws = await open(`${url}/e`);
  const connection = [...server.connections][0]!;
  const parserOf = (): unknown => (connection as unknown as { receiver: unknown }).receiver;
  const turns = (): Promise<void> => new Promise((r) => setTimeout(r, 60));
  ws.ping('hb');
  await once(ws, 'pong');
  await turns();
  assert.equal(parserOf(), null, 'dropped after a lone control frame');
  // A text message in three small fragments, a ping between them, each in its own turn.
  const echoed = messages(ws, 1);
  ws.send('ab', { fin: false });
  await turns();
  assert.notEqual(parserOf(), null, 'kept while a message is in progress');
  ws.ping('mid');
  await turns();
  ws.send('cé', { fin: false });
  await turns();
  ws.send('f', { fin: true });
  assert.deepEqual(await echoed, ['abcéf']);
  ws.close();
});
