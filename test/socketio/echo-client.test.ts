// socket.io-client 4 against `ringside echo`'s reference contract on each transport
// setting (polling only, WebSocket only, polling then the upgrade): auth, events with
// binary arguments both ways, acknowledgements, two namespaces on one connection, an
// unknown namespace, and sessions that outlive several heartbeats.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { startEcho, type EchoProcess } from '../helpers/echo-process.js';
import type { Transports } from './sio-player.js';
import { sleep } from './peers.js';

let echo: EchoProcess;
let url: string;
const sockets: Socket[] = [];

before(async () => {
  echo = await startEcho([
    '--socketio-ping-interval-ms',
    '300',
    '--socketio-ping-timeout-ms',
    // Pings every 300 ms as in the contract suite, but a generous pong deadline: this
    // process runs socket.io-client and may be busy for a moment on a loaded machine.
    '1500',
  ]);
  url = `http://127.0.0.1:${echo.port}`;
});

after(async () => {
  for (const socket of sockets) socket.close();
  assert.equal(await echo.stop(), 0);
});

function connect(nsp: string, transports: Transports, auth: object = {}): Socket {
  const socket = io(`${url}${nsp}`, { transports, auth, reconnection: false, forceNew: true });
  sockets.push(socket);
  return socket;
}

function once<T = unknown[]>(socket: Socket, event: string, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${event} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']] as Transports[]) {
  describe(`socket.io-client over ${transports.join(' then ')}`, () => {
    it('gets auth, message-back with binary, and acks', async () => {
      const socket = connect('/', transports, { token: 'secret', n: 1 });
      const [auth] = await once<[object]>(socket, 'auth');
      assert.deepEqual(auth, { token: 'secret', n: 1 });
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      const backPromise = once<unknown[]>(socket, 'message-back');
      socket.emit('message', 'text', 42, { nested: [true, null] }, bytes);
      const back = await backPromise;
      assert.deepEqual(back.slice(0, 3), ['text', 42, { nested: [true, null] }]);
      assert.ok(Buffer.isBuffer(back[3]));
      assert.deepEqual(back[3], bytes);
      const acked = await new Promise<unknown[]>((resolve) =>
        socket.emit('message-with-ack', 'a', { b: bytes }, (...args: unknown[]) => resolve(args)),
      );
      assert.equal(acked[0], 'a');
      assert.deepEqual((acked[1] as { b: Buffer }).b, bytes);
      // Several heartbeats (300 ms) later the session is still the same one.
      const sid = socket.io.engine.id;
      await sleep(1000);
      assert.equal(socket.connected, true);
      assert.equal(socket.io.engine.id, sid);
      assert.equal(socket.io.engine.transport.name, transports.at(-1));
      socket.close();
    });

    it('joins /custom next to / on one connection, and is refused an unknown namespace', async () => {
      const main = connect('/', transports);
      await once(main, 'auth');
      const custom = io(`${url}/custom`, { transports, auth: { room: 'c' }, reconnection: false });
      sockets.push(custom);
      const [auth] = await once<[object]>(custom, 'auth');
      assert.deepEqual(auth, { room: 'c' });
      const reply = once<unknown[]>(custom, 'message-back');
      custom.emit('message', 'to custom');
      assert.deepEqual(await reply, ['to custom']);
      const unknown = io(`${url}/random`, { transports, reconnection: false });
      sockets.push(unknown);
      const [error] = await once<[Error]>(unknown, 'connect_error');
      assert.equal(error.message, 'Invalid namespace');
      for (const socket of [main, custom, unknown]) socket.close();
    });
  });
}
