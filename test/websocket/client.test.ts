// ringside's Node client against an independent server (the `ws` package) and against
// a hand-written misbehaving server.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, test } from 'node:test';
import { WebSocketServer as WsServer } from 'ws';
import { acceptValue } from '../../src/websocket/handshake.js';
import { connectWebSocket, HandshakeFailedError } from '../../src/websocket/index.js';

const toClose: Array<{ close(): void }> = [];
after(() => toClose.forEach((s) => s.close()));

async function wsServer(options: ConstructorParameters<typeof WsServer>[0] = {}) {
  const server = new WsServer({ port: 0, host: '127.0.0.1', ...options });
  await once(server, 'listening');
  toClose.push(server);
  const port = (server.address() as net.AddressInfo).port;
  server.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('ping', () => ws.send('saw ping'));
  });
  return { server, url: `ws://127.0.0.1:${port}` };
}

test('echo through a ws server: text, binary, large, and a clean close', async () => {
  const { server, url } = await wsServer();
  const client = await connectWebSocket(`${url}/x`);
  client.send('héllo');
  assert.deepEqual(await client.nextMessage(), { data: Buffer.from('héllo'), isBinary: false });
  client.send(Buffer.from([0, 1, 2, 255]));
  assert.deepEqual(await client.nextMessage(), {
    data: Buffer.from([0, 1, 2, 255]),
    isBinary: true,
  });
  const big = Buffer.alloc(3 * 1024 * 1024, 'z');
  client.send(big);
  assert.ok((await client.nextMessage()).data.equals(big));
  client.ping('p');
  assert.equal((await client.nextMessage()).data.toString(), 'saw ping');
  const serverClosed = new Promise<[number, string]>((resolve) =>
    [...server.clients][0]!.once('close', (code, reason) => resolve([code, reason.toString()])),
  );
  const closed = once(client, 'close');
  client.close(4001, 'bye');
  assert.deepEqual(await serverClosed, [4001, 'bye']);
  const [code, , wasClean] = await closed;
  assert.equal(code, 4001);
  assert.equal(wasClean, true);
});

test('permessage-deflate with a ws server, with and without context takeover', async () => {
  for (const serverNoContextTakeover of [false, true]) {
    const { url } = await wsServer({
      perMessageDeflate: { threshold: 0, serverNoContextTakeover },
    });
    const client = await connectWebSocket(url, { deflate: { threshold: 0 } });
    assert.match(client.extensions ?? '', /^permessage-deflate/);
    for (const text of ['aaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaa', 'κόσμε'.repeat(1000)]) {
      client.send(text);
      assert.equal((await client.nextMessage()).data.toString(), text);
    }
    client.close();
    await once(client, 'close');
  }
});

test('a server that refuses the upgrade gives a HandshakeFailedError with its status', async () => {
  const server = net.createServer((socket) =>
    socket.once('data', () => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  toClose.push(server);
  const port = (server.address() as net.AddressInfo).port;
  const error = await connectWebSocket(`ws://127.0.0.1:${port}/`).catch((e: unknown) => e);
  assert.ok(error instanceof HandshakeFailedError);
  assert.equal(error.status, 403);
});

test('the client fails the connection with 1002 when the server masks a frame', async () => {
  const server = net.createServer((socket) => {
    socket.once('data', (head: Buffer) => {
      const key = /Sec-WebSocket-Key: (\S+)/i.exec(head.toString())![1]!;
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${acceptValue(key)}\r\n\r\n`,
      );
      socket.write(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x61 ^ 1])); // masked "a"
      let got = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
      socket.on('end', () => {
        server.emit('client-bytes', got);
        socket.end();
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  toClose.push(server);
  const port = (server.address() as net.AddressInfo).port;
  const bytes = once(server, 'client-bytes');
  const client = await connectWebSocket(`ws://127.0.0.1:${port}/`);
  const [code] = await once(client, 'close');
  assert.equal(code, 1002);
  const [sent] = (await bytes) as [Buffer];
  // A masked close frame (client to server) carrying 1002.
  assert.equal(sent[0], 0x88);
  assert.equal(sent[1]! & 0x80, 0x80);
  const mask = sent.subarray(2, 6);
  const payload = Buffer.from(sent.subarray(6, 6 + (sent[1]! & 0x7f)));
  for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
  assert.equal(payload.readUInt16BE(0), 1002);
});
