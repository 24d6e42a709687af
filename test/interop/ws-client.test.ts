// The `ws` npm package as an independent client of a real `ringside echo` process:
// plain and permessage-deflate echo, fragmentation, ping/pong, /broadcast, close and
// graceful shutdown.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { startEcho, type EchoProcess } from '../helpers/echo-process.js';
import { connect, send, patternBytes, withTimeout, type Client } from './ws-helpers.js';

const UNICODE = 'héllo wörld – 日本語テキスト – 🎉🚀 – 𝄞 – עברית – \u0000 end';

/** Echo checks shared by the plain and the deflate server. */
function echoSuite(getServer: () => EchoProcess, clientOptions: WebSocket.ClientOptions): void {
  let c: Client;
  before(async () => {
    c = await connect(`${getServer().url}/echo`, clientOptions);
  });
  after(() => c.ws.terminate());

  it('echoes text as text', async () => {
    await send(c.ws, 'hello ringside');
    const m = await c.next();
    assert.equal(m.isBinary, false);
    assert.equal(m.data.toString('utf8'), 'hello ringside');
  });

  it('echoes binary as binary, every byte value intact', async () => {
    const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await send(c.ws, payload, { binary: true });
    const m = await c.next();
    assert.equal(m.isBinary, true);
    assert.deepEqual(m.data, payload);
  });

  it('echoes empty text and empty binary messages', async () => {
    await send(c.ws, '');
    await send(c.ws, Buffer.alloc(0), { binary: true });
    const a = await c.next();
    const b = await c.next();
    assert.deepEqual([a.isBinary, a.data.length], [false, 0]);
    assert.deepEqual([b.isBinary, b.data.length], [true, 0]);
  });

  it('echoes unicode text byte for byte', async () => {
    await send(c.ws, UNICODE);
    const m = await c.next();
    assert.equal(m.isBinary, false);
    assert.equal(m.data.toString('utf8'), UNICODE);
  });

  it('echoes a 5 MiB binary message', async () => {
    const big = patternBytes(5 * 1024 * 1024, 7);
    await send(c.ws, big, { binary: true });
    const m = await c.next(20_000);
    assert.equal(m.isBinary, true);
    assert.equal(m.data.length, big.length);
    assert.ok(m.data.equals(big), '5 MiB payload differs');
  });

  it('reassembles a fragmented text message (three frames)', async () => {
    await send(c.ws, 'frag-', { fin: false });
    await send(c.ws, 'men-', { fin: false });
    await send(c.ws, 'ted ✓', { fin: true });
    const m = await c.next();
    assert.equal(m.isBinary, false);
    assert.equal(m.data.toString('utf8'), 'frag-men-ted ✓');
  });

  it('reassembles a fragmented binary message (3000 + 1 + 70000 bytes)', async () => {
    const parts = [patternBytes(3000, 3), patternBytes(1, 4), patternBytes(70_000, 5)];
    await send(c.ws, parts[0]!, { binary: true, fin: false });
    await send(c.ws, parts[1]!, { binary: true, fin: false });
    await send(c.ws, parts[2]!, { binary: true, fin: true });
    const m = await c.next();
    assert.equal(m.isBinary, true);
    assert.ok(m.data.equals(Buffer.concat(parts)), 'fragmented binary payload differs');
  });

  it('accepts a UTF-8 sequence split across two text fragments', async () => {
    // '€' is E2 82 AC: the first fragment ends after E2 82.
    const euro = Buffer.from('a€b', 'utf8');
    await send(c.ws, euro.subarray(0, 2), { binary: false, fin: false });
    await send(c.ws, euro.subarray(2), { binary: false, fin: true });
    const t = await c.next();
    assert.equal(t.isBinary, false);
    assert.equal(t.data.toString('utf8'), 'a€b');
  });

  it('answers ping with a pong carrying the same payload', async () => {
    const pong = new Promise<Buffer>((resolve) => c.ws.once('pong', resolve));
    c.ws.ping(Buffer.from('ping-payload-123'));
    const data = await withTimeout(pong, 5000, 'pong');
    assert.equal(data.toString(), 'ping-payload-123');
  });

  it('keeps message order across many small messages', async () => {
    const n = 200;
    for (let i = 0; i < n; i++) c.ws.send(`m${i}`);
    const got: string[] = [];
    for (let i = 0; i < n; i++) got.push((await c.next()).data.toString());
    assert.deepEqual(
      got,
      Array.from({ length: n }, (_, i) => `m${i}`),
    );
  });
}

describe('ws client ↔ ringside echo, no permessage-deflate', () => {
  let server: EchoProcess;
  before(async () => {
    server = await startEcho();
  });
  after(async () => {
    await server.stop();
  });

  it('declines the permessage-deflate offer ws makes by default', async () => {
    const c = await connect(`${server.url}/echo`); // ws offers permessage-deflate by default
    assert.equal(c.ws.extensions, '');
    assert.equal(c.response.headers['sec-websocket-extensions'], undefined);
    c.ws.terminate();
  });

  echoSuite(() => server, { perMessageDeflate: false });

  it('closes cleanly: the server echoes the close code', async () => {
    const c = await connect(`${server.url}/echo`);
    c.ws.close(4000, 'bye now');
    const closed = await withTimeout(c.closed, 5000, 'close');
    assert.equal(closed.code, 4000);
  });

  it('/broadcast: 3 clients each receive every message exactly once, sender included', async () => {
    const clients = await Promise.all(
      [0, 1, 2].map(() => connect(`${server.url}/broadcast`, { perMessageDeflate: false })),
    );
    const perClient = 20;
    const expected: string[] = [];
    await Promise.all(
      clients.map(async (c, ci) => {
        for (let i = 0; i < perClient; i++) {
          const text = `client${ci}-msg${i}`;
          expected.push(text);
          await send(c.ws, text);
        }
      }),
    );
    const total = clients.length * perClient;
    for (const c of clients) await c.waitFor(total);
    // Give duplicates a chance to show up before counting.
    await new Promise((r) => setTimeout(r, 150));
    for (const [ci, c] of clients.entries()) {
      const got = c.received.map((m) => m.data.toString()).sort();
      assert.deepEqual(got, [...expected].sort(), `client ${ci} received a different set`);
      // Messages from one sender arrive in the order sent.
      for (let s = 0; s < clients.length; s++) {
        const fromS = c.received
          .map((m) => m.data.toString())
          .filter((t) => t.startsWith(`client${s}-`));
        assert.deepEqual(
          fromS,
          Array.from({ length: perClient }, (_, i) => `client${s}-msg${i}`),
        );
      }
    }
    for (const c of clients) c.ws.close(1000);
    await Promise.all(clients.map((c) => withTimeout(c.closed, 5000, 'close')));
  });
});

describe('ws client ↔ ringside echo --deflate --deflate-threshold 0', () => {
  let server: EchoProcess;
  before(async () => {
    server = await startEcho(['--deflate', '--deflate-threshold', '0']);
  });
  after(async () => {
    await server.stop();
  });

  it('negotiates permessage-deflate', async () => {
    const c = await connect(`${server.url}/echo`);
    assert.equal(c.ws.extensions, 'permessage-deflate');
    assert.match(String(c.response.headers['sec-websocket-extensions']), /^permessage-deflate\b/);
    c.ws.terminate();
  });

  it('really compresses: a 1 MiB repetitive message arrives in far fewer wire bytes', async () => {
    const c = await connect(`${server.url}/echo`, { perMessageDeflate: { threshold: 0 } });
    const socket = c.response.socket as Socket;
    const before = socket.bytesRead;
    const text = 'abcdefghij'.repeat(100 * 1024);
    await send(c.ws, text);
    const m = await c.next();
    assert.equal(m.data.toString(), text);
    const wire = socket.bytesRead - before;
    assert.ok(wire < 50_000, `echo of 1 MiB repetitive text took ${wire} wire bytes`);
    c.ws.terminate();
  });

  it('negotiates no_context_takeover and max_window_bits when offered', async () => {
    const c = await connect(`${server.url}/echo`, {
      perMessageDeflate: {
        threshold: 0,
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 10,
      },
    });
    const header = String(c.response.headers['sec-websocket-extensions']);
    assert.match(header, /server_no_context_takeover/);
    assert.match(header, /server_max_window_bits=10/);
    // Same compressible message several times: each must decode on its own.
    for (let i = 0; i < 5; i++) {
      const text = `round ${i} ` + 'the quick brown fox '.repeat(500);
      await send(c.ws, text);
      assert.equal((await c.next()).data.toString(), text);
    }
    const bin = patternBytes(200_000, 9);
    await send(c.ws, bin, { binary: true });
    assert.ok((await c.next()).data.equals(bin));
    c.ws.terminate();
  });

  // Client compresses too (threshold 0), so fragmented messages arrive with RSV1 on the first frame.
  echoSuite(() => server, { perMessageDeflate: { threshold: 0 } });
});

describe('ws client ↔ ringside echo --deflate (default threshold 1024)', () => {
  it('sends messages below the threshold uncompressed and larger ones compressed', async () => {
    const server = await startEcho(['--deflate']);
    try {
      const c = await connect(`${server.url}/echo`, { perMessageDeflate: { threshold: 0 } });
      assert.equal(c.ws.extensions, 'permessage-deflate');
      const socket = c.response.socket as Socket;

      let before = socket.bytesRead;
      const small = 'a'.repeat(1000);
      await send(c.ws, small);
      assert.equal((await c.next()).data.toString(), small);
      const smallWire = socket.bytesRead - before;
      assert.ok(
        smallWire >= 1000,
        `1000-byte message below the threshold came back in ${smallWire} bytes`,
      );

      before = socket.bytesRead;
      const large = 'a'.repeat(20_000);
      await send(c.ws, large);
      assert.equal((await c.next()).data.toString(), large);
      const largeWire = socket.bytesRead - before;
      assert.ok(largeWire < 2000, `20000-byte repetitive message came back in ${largeWire} bytes`);
      c.ws.terminate();
    } finally {
      await server.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM with 5 connected clients: each gets close 1001, the process exits 0', async () => {
    const server = await startEcho();
    const clients = await Promise.all(
      Array.from({ length: 5 }, (_, i) => connect(`${server.url}/${i % 2 ? 'broadcast' : 'echo'}`)),
    );
    // Every connection is live before the signal.
    for (const c of clients) {
      await send(c.ws, 'still here');
      await c.waitFor(1);
    }
    const t0 = Date.now();
    const exitCode = await withTimeout(server.stop(), 10_000, 'process exit');
    const elapsed = Date.now() - t0;
    const closes = await Promise.all(
      clients.map((c) => withTimeout(c.closed, 5000, 'close event')),
    );
    assert.deepEqual(
      closes.map((c) => c.code),
      [1001, 1001, 1001, 1001, 1001],
    );
    assert.equal(exitCode, 0, `exit code ${exitCode}; output:\n${server.output()}`);
    // Every client answered the close at once, so there is nothing to wait for.
    assert.ok(elapsed < 3000, `shutdown took ${elapsed} ms although every close was answered`);
  });

  it('an idle HTTP keep-alive connection does not hold up shutdown', async () => {
    const server = await startEcho();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        http
          .get(`http://127.0.0.1:${server.port}/healthz`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
      assert.equal(status, 200);
      // A browser that loaded a page from the server keeps exactly this kind of socket.
      assert.equal(
        Object.values(agent.freeSockets).flat().length,
        1,
        'the keep-alive socket was not kept',
      );
      const ws = await connect(`${server.url}/echo`);
      const t0 = Date.now();
      const exitCode = await withTimeout(server.stop(), 10_000, 'process exit');
      const elapsed = Date.now() - t0;
      assert.equal((await withTimeout(ws.closed, 5000, 'close')).code, 1001);
      assert.equal(exitCode, 0);
      assert.ok(
        elapsed < 3000,
        `shutdown took ${elapsed} ms with one idle keep-alive HTTP connection open`,
      );
    } finally {
      agent.destroy();
    }
  });
});
