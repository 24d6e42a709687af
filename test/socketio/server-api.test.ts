// The Socket.IO server's API in process (engine, Engine.IO, Socket.IO on 127.0.0.1)
// with socket.io-client 4 as the peer: middlewares refusing with data, acks the server
// asks for (binary included), a server-side disconnect, a namespace-wide emit, and a
// listener that throws (its session ends, the server goes on).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import {
  ConnectRefusal,
  EngineIoServer,
  SocketIoServer,
  type Socket,
} from '../../src/socketio/index.js';
import { WebSocketServer } from '../../src/websocket/index.js';

let server: WebSocketServer;
let sio: SocketIoServer;
let url: string;
const clients: ClientSocket[] = [];
const serverSockets: Socket[] = [];

before(async () => {
  server = new WebSocketServer({ heartbeatIntervalMs: 0 });
  sio = new SocketIoServer(new EngineIoServer(server, server.http, { pingIntervalMs: 1000 }));
  sio.of('/guarded').use((socket) => {
    if (socket.handshake.auth.pass !== 'open sesame')
      throw new ConnectRefusal('not allowed', { hint: 'say the word' });
  });
  sio.of('/guarded').onConnection((socket) => serverSockets.push(socket));
  sio.of('/').onConnection((socket) => {
    serverSockets.push(socket);
    socket.on('explode', () => {
      throw new Error('a listener bug');
    });
  });
  const { port } = await server.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${port}`;
});

after(async () => {
  for (const client of clients) client.close();
  sio.close();
  await server.close(500);
});

function connect(nsp: string, auth: object = {}, transports = ['websocket']): ClientSocket {
  const client = io(`${url}${nsp}`, { auth, transports, reconnection: false, forceNew: true });
  clients.push(client);
  return client;
}

function when<T>(register: (resolve: (value: T) => void) => void, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within 3 s`)), 3000);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

test('a middleware refuses with its message and data, and admits the right auth', async () => {
  const refused = connect('/guarded', { pass: 'wrong' }, ['polling']);
  const error = await when<Error & { data?: unknown }>(
    (done) => refused.once('connect_error', done),
    'connect_error',
  );
  assert.equal(error.message, 'not allowed');
  assert.deepEqual(error.data, { hint: 'say the word' });
  const admitted = connect('/guarded', { pass: 'open sesame' }, ['polling']);
  await when<void>((done) => admitted.once('connect', () => done()), 'connect');
  assert.equal(serverSockets.at(-1)!.handshake.auth.pass, 'open sesame');
});

test('the server asks for an ack and gets the client answer, binary included', async () => {
  const client = connect('/');
  client.on('question', (n: number, bytes: Buffer, ack: (...args: unknown[]) => void) =>
    ack(n * 2, Buffer.concat([bytes, Buffer.from([9])])),
  );
  await when<void>((done) => client.once('connect', () => done()), 'connect');
  const socket = serverSockets.at(-1)!;
  const answer = await when<unknown[]>(
    (done) => socket.emit('question', 21, Buffer.from([1, 2]), (...args: unknown[]) => done(args)),
    'ack',
  );
  assert.equal(answer[0], 42);
  assert.deepEqual(answer[1], Buffer.from([1, 2, 9]));
});

test('a namespace-wide emit reaches every socket; a server disconnect is the client reason', async () => {
  const a = connect('/');
  const b = connect('/', {}, ['polling']);
  await Promise.all(
    [a, b].map((c) => when<void>((done) => c.once('connect', () => done()), 'connect')),
  );
  const heard = Promise.all(
    [a, b].map((c) => when<string>((done) => c.once('news', done), 'news')),
  );
  assert.ok(sio.of('/').emit('news', 'extra') >= 2);
  assert.deepEqual(await heard, ['extra', 'extra']);

  const reason = when<string>((done) => a.once('disconnect', done), 'disconnect');
  const socketA = [...sio.of('/').sockets].find((s) => s.id === a.id)!;
  socketA.disconnect();
  assert.equal(await reason, 'io server disconnect');
  assert.equal(socketA.isConnected, false);
});

test('a listener that throws ends its session, and the server goes on', async () => {
  const client = connect('/');
  await when<void>((done) => client.once('connect', () => done()), 'connect');
  const gone = when<string>((done) => client.once('disconnect', done), 'disconnect');
  client.emit('explode');
  assert.equal(await gone, 'transport close');
  const next = connect('/');
  await when<void>((done) => next.once('connect', () => done()), 'connect');
});
