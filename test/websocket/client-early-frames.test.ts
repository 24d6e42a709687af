// Regression: frames that arrive with the 101 (or right behind it, in any TCP chunking)
// reach the caller of connectWebSocket. A server may greet at once, or send an error
// and close (4401) in the same write as the 101; the client used to parse those bytes
// before the caller could attach a listener, and they were lost.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, test } from 'node:test';
import { acceptValue } from '../../src/websocket/handshake.js';
import { encodeClosePayload } from '../../src/websocket/close-codes.js';
import { encodeFrame } from '../../src/websocket/frame-encoder.js';
import {
  connectWebSocket,
  WebSocketServer,
  type WebSocketClient,
} from '../../src/websocket/index.js';

const toClose: Array<() => unknown> = [];
after(async () => {
  for (const close of toClose) await close();
});

/** Everything the client reports, in order, until the close. */
function record(client: WebSocketClient): Promise<string[]> {
  const events: string[] = [];
  client.on('message', (data) => events.push(`message ${data.toString()}`));
  return new Promise((resolve) =>
    client.on('close', (code, reason) => {
      events.push(`close ${code} ${reason}`);
      resolve(events);
    }),
  );
}

test('the engine refuses in onConnect with a message and 4401: the client sees both', async () => {
  const server = new WebSocketServer({ heartbeatIntervalMs: 0 });
  server.route('/v1', {
    onConnect: (connection) => {
      connection.send('{"type":"error","code":"UNAUTHORIZED"}');
      connection.close(4401, 'unauthorized');
    },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  toClose.push(() => server.close(200));
  for (let i = 0; i < 5; i++) {
    const client = await connectWebSocket(`ws://127.0.0.1:${port}/v1`);
    assert.deepEqual(await record(client), [
      'message {"type":"error","code":"UNAUTHORIZED"}',
      'close 4401 unauthorized',
    ]);
  }
});

/**
 * A hand-written server that answers the upgrade with the 101, two text frames and a
 * close frame, all as one byte string cut at `cuts` into separate writes.
 */
async function scriptedServer(cuts: (length: number, headLength: number) => number[]) {
  const server = net.createServer((socket) => {
    socket.once('data', async (head: Buffer) => {
      const key = /Sec-WebSocket-Key: (\S+)/i.exec(head.toString())![1]!;
      const response = Buffer.from(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${acceptValue(key)}\r\n\r\n`,
      );
      const all = Buffer.concat([
        response,
        encodeFrame(0x1, Buffer.from('first')),
        encodeFrame(0x1, Buffer.from('second')),
        encodeFrame(0x8, encodeClosePayload(4401, 'unauthorized')),
      ]);
      let start = 0;
      for (const cut of [...cuts(all.length, response.length), all.length]) {
        socket.write(all.subarray(start, cut));
        start = cut;
        // Separate TCP segments: the client reads each on its own.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      socket.on('data', () => {}); // the client's close frame
      socket.on('error', () => {});
      setTimeout(() => socket.end(), 50);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  toClose.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

test('frames in the same write as the 101, or cut anywhere after it, all reach the caller', async () => {
  const plans: Array<[string, (length: number, headLength: number) => number[]]> = [
    ['one write', () => []],
    ['head alone, then the frames together', (_l, h) => [h]],
    ['head with half the first frame', (_l, h) => [h + 3]],
    ['the head cut, frames one byte at a time', (l, h) => [h - 5, ...range(h + 1, l)]],
  ];
  for (const [name, cuts] of plans) {
    const port = await scriptedServer(cuts);
    const client = await connectWebSocket(`ws://127.0.0.1:${port}/`);
    assert.deepEqual(
      await record(client),
      ['message first', 'message second', 'close 4401 unauthorized'],
      name,
    );
  }
});

test('listeners attached after another await still get the early frames', async () => {
  const port = await scriptedServer(() => []);
  const client = await connectWebSocket(`ws://127.0.0.1:${port}/`);
  await new Promise((resolve) => setTimeout(resolve, 100)); // the frames are all here by now
  assert.deepEqual(await record(client), [
    'message first',
    'message second',
    'close 4401 unauthorized',
  ]);
});

test('nextMessage() twice sees two messages that arrived in one chunk', async () => {
  const port = await scriptedServer(() => []);
  const client = await connectWebSocket(`ws://127.0.0.1:${port}/`);
  assert.equal((await client.nextMessage()).data.toString(), 'first');
  assert.equal((await client.nextMessage()).data.toString(), 'second');
  await once(client, 'close');
});

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
