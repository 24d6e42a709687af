// Load and limits against a real `ringside echo`: 1,000 concurrent `ws` clients, the
// per-IP connection cap (429 before the upgrade), the per-connection rate limit (1008),
// and a slow consumer on /broadcast under --slow-consumer close with bounded memory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import WebSocket from 'ws';
import { startEcho } from '../helpers/echo-process.js';
import { connect, send, withTimeout, type Client } from './ws-helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process in bytes (Linux /proc). */
function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Resolves with the HTTP status of a refused upgrade, or rejects if the upgrade succeeds. */
function refusedStatus(url: string): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      ws.on('open', () => {
        ws.terminate();
        reject(new Error('connection was accepted'));
      });
      ws.on('error', (err) => reject(err));
    }),
    5000,
    `refusal of ${url}`,
  );
}

describe('1,000 concurrent connections', () => {
  it('each of 1,000 clients gets exactly its own messages back, then all close cleanly', async () => {
    const server = await startEcho(['--max-connections-per-ip', '0', '--heartbeat-ms', '0']);
    const clients: Client[] = [];
    try {
      const total = 1000;
      const wave = 100; // bounded concurrency for the TCP connects themselves
      for (let i = 0; i < total; i += wave) {
        const batch = await Promise.all(
          Array.from({ length: wave }, () =>
            connect(`${server.url}/echo`, { perMessageDeflate: false }, 10_000),
          ),
        );
        clients.push(...batch);
      }
      assert.equal(clients.length, total);

      // All 1,000 sockets are open at the same time now; each sends three distinct messages.
      for (const [i, c] of clients.entries()) {
        c.ws.send(`client-${i}-a`);
        c.ws.send(Buffer.from(`client-${i}-b`));
        c.ws.send(`client-${i}-c-${'x'.repeat(i % 200)}`);
      }
      await Promise.all(clients.map((c) => c.waitFor(3, 20_000)));
      await sleep(100); // anything extra would show up now
      for (const [i, c] of clients.entries()) {
        assert.deepEqual(
          c.received.map((m) => [m.isBinary, m.data.toString()]),
          [
            [false, `client-${i}-a`],
            [true, `client-${i}-b`],
            [false, `client-${i}-c-${'x'.repeat(i % 200)}`],
          ],
          `client ${i}`,
        );
      }

      for (const c of clients) c.ws.close(1000, 'bye');
      const closes = await Promise.all(clients.map((c) => withTimeout(c.closed, 10_000, 'close')));
      const codes = new Map<number, number>();
      for (const { code } of closes) codes.set(code, (codes.get(code) ?? 0) + 1);
      assert.deepEqual([...codes], [[1000, total]]);
    } finally {
      for (const c of clients) c.ws.terminate();
      await server.stop();
    }
  });
});

describe('--max-connections-per-ip 5', () => {
  it('refuses the 6th connection from 127.0.0.1 with 429, and frees the slot on close', async () => {
    const server = await startEcho(['--max-connections-per-ip', '5']);
    const clients: Client[] = [];
    try {
      for (let i = 0; i < 5; i++) clients.push(await connect(`${server.url}/echo`));
      assert.equal(await refusedStatus(`${server.url}/echo`), 429);
      assert.equal(await refusedStatus(`${server.url}/broadcast`), 429);

      // The five admitted connections still work.
      await send(clients[0]!.ws, 'still fine');
      assert.equal((await clients[0]!.next()).data.toString(), 'still fine');

      // Closing one frees its slot (allow the server a moment to see the TCP close).
      clients[4]!.ws.close(1000);
      await withTimeout(clients[4]!.closed, 5000, 'close');
      let sixth: Client | undefined;
      for (let attempt = 0; attempt < 20 && !sixth; attempt++) {
        try {
          sixth = await connect(`${server.url}/echo`);
        } catch {
          await sleep(100);
        }
      }
      assert.ok(sixth, 'a slot freed by a closed connection was never reusable');
      clients.push(sixth);
      await send(sixth.ws, 'new one');
      assert.equal((await sixth.next()).data.toString(), 'new one');
      // And we are at five again.
      assert.equal(await refusedStatus(`${server.url}/echo`), 429);
    } finally {
      for (const c of clients) c.ws.terminate();
      await server.stop();
    }
  });
});

describe('--rate-limit 10 (burst 20)', () => {
  it('closes a client sending 100 messages at once with 1008 after at most 20 echoes; a polite client is unaffected', async () => {
    const server = await startEcho(['--rate-limit', '10']);
    try {
      const [abuser, polite] = await Promise.all([
        connect(`${server.url}/echo`, { perMessageDeflate: false }),
        connect(`${server.url}/echo`, { perMessageDeflate: false }),
      ]);

      // 15 at once (inside the burst), then 5 more at 5/s (inside the rate).
      const politeRun = (async () => {
        for (let i = 0; i < 15; i++) polite.ws.send(`p${i}`);
        await polite.waitFor(15);
        for (let i = 15; i < 20; i++) {
          await sleep(200);
          polite.ws.send(`p${i}`);
        }
        return polite.waitFor(20);
      })();

      for (let i = 0; i < 100; i++) abuser.ws.send(`a${i}`);
      const closed = await withTimeout(abuser.closed, 5000, 'rate-limit close');
      assert.equal(closed.code, 1008, `closed with ${closed.code} ${closed.reason}`);
      const echoed = abuser.received.map((m) => m.data.toString());
      assert.ok(echoed.length <= 20, `abuser got ${echoed.length} echoes (burst is 20)`);
      assert.ok(
        echoed.length >= 10,
        `abuser got only ${echoed.length} echoes; the burst should allow 20`,
      );
      assert.deepEqual(
        echoed,
        Array.from({ length: echoed.length }, (_, i) => `a${i}`),
        'echoes must be the first messages, in order',
      );

      const politeGot = await politeRun;
      assert.deepEqual(
        politeGot.map((m) => m.data.toString()),
        Array.from({ length: 20 }, (_, i) => `p${i}`),
      );
      assert.equal(polite.ws.readyState, WebSocket.OPEN);
      polite.ws.close(1000);
      assert.equal((await withTimeout(polite.closed, 5000, 'close')).code, 1000);
    } finally {
      await server.stop();
    }
  });
});

/** A raw TCP client that completes the /broadcast handshake and then stops reading. */
async function stalledClient(port: number): Promise<{
  socket: net.Socket;
  resumeAndDrain(ms: number): Promise<{ bytes: number; ended: boolean }>;
}> {
  const socket = net.connect(port, '127.0.0.1');
  const key = crypto.randomBytes(16).toString('base64');
  const head = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer): void => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end >= 0) {
          socket.off('data', onData);
          socket.pause();
          if (buf.length > end + 4) socket.unshift(buf.subarray(end + 4));
          resolve(buf.subarray(0, end).toString('latin1'));
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('connect', () =>
        socket.write(
          'GET /broadcast HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
      );
    }),
    5000,
    'raw handshake',
  );
  assert.match(head, /^HTTP\/1\.1 101 /);
  return {
    socket,
    resumeAndDrain(ms: number) {
      return new Promise((resolve) => {
        let bytes = 0;
        const timer = setTimeout(() => resolve({ bytes, ended: false }), ms);
        const done = (): void => {
          clearTimeout(timer);
          resolve({ bytes, ended: true });
        };
        socket.on('data', (d: Buffer) => (bytes += d.length));
        socket.once('end', done);
        socket.once('close', done);
        socket.on('error', () => {});
        socket.resume();
      });
    },
  };
}

describe('--max-queued-bytes 1 MiB --slow-consumer close', () => {
  it('closes a /broadcast member that never reads while the fast ones get every message; RSS stays bounded', async () => {
    const server = await startEcho([
      '--max-queued-bytes',
      '1048576',
      '--slow-consumer',
      'close',
      '--close-timeout-ms',
      '1000',
      '--heartbeat-ms',
      '0',
    ]);
    const pid = server.proc.pid!;
    try {
      const slow = await stalledClient(server.port);
      const flooder = await connect(`${server.url}/broadcast`, { perMessageDeflate: false });
      const fast = await connect(`${server.url}/broadcast`, { perMessageDeflate: false });
      await sleep(200);
      const rssBefore = rssBytes(pid);
      let rssPeak = rssBefore;

      const messageBytes = 64 * 1024;
      const count = 2048; // 128 MiB in total, far beyond the queue limit plus kernel buffers
      const window = 16; // the fast clients are never more than 1 MiB behind
      for (let i = 0; i < count; i++) {
        if (i >= window) await fast.waitFor(i - window + 1, 10_000);
        const msg = Buffer.alloc(messageBytes, i & 0xff);
        msg.writeUInt32BE(i, 0);
        flooder.ws.send(msg);
        if (i % 32 === 0) rssPeak = Math.max(rssPeak, rssBytes(pid));
      }
      await fast.waitFor(count, 10_000);
      await flooder.waitFor(count, 10_000);
      rssPeak = Math.max(rssPeak, rssBytes(pid));

      for (const c of [fast, flooder]) {
        assert.equal(c.received.length, count);
        c.received.forEach((m, i) => {
          assert.equal(m.data.length, messageBytes);
          assert.equal(m.data.readUInt32BE(0), i, 'fast client: message order or content');
        });
      }
      assert.equal(fast.ws.readyState, WebSocket.OPEN);

      const total = count * messageBytes;
      const drained = await slow.resumeAndDrain(5000);
      assert.ok(
        drained.ended,
        `the stalled client was never disconnected (it then read ${drained.bytes} bytes)`,
      );
      assert.ok(
        drained.bytes < total / 2,
        `the stalled client was sent ${drained.bytes} of ${total} bytes: its queue was not bounded`,
      );
      // A bounded server grows by a GC-driven plateau (about 40 MiB for a ws-based one);
      // one that queued the stalled member's share would grow by more than the flood.
      const growth = rssPeak - rssBefore;
      assert.ok(
        growth < 80 * 1024 * 1024,
        `server RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB during a ${total / 2 ** 20} MiB flood`,
      );

      // The fast path is still live after the slow member is gone.
      await send(flooder.ws, 'after');
      const last = await fast.waitFor(count + 1);
      assert.equal(last[count]!.data.toString(), 'after');
      fast.ws.terminate();
      flooder.ws.terminate();
      slow.socket.destroy();
    } finally {
      await server.stop();
    }
  });
});
