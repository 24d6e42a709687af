// The benchmark's C load generator, against the `ws` reference server (not ringside,
// so this does not depend on the engine): it must compile, count echoes exactly,
// notice wrong echoes, and measure broadcast and idle rows sanely. Needs gcc.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { buildLoadgen } from '../../bench/lib/loadgen-binary.js';
import { runLoadgen } from '../../bench/lib/loadgen.js';
import { WS_SERVER } from '../../bench/lib/paths.js';
import { startServer, type ServerProcess } from '../../bench/lib/processes.js';

const none = { core: null, nofile: null };
let server: ServerProcess;

before(async () => {
  server = await startServer(process.execPath, [WS_SERVER, '--port', '0'], none);
});
after(async () => {
  await server?.stop();
});

test('the load generator compiles from bench/loadgen/*.c without warnings', () => {
  // throws "gcc not found on PATH ..." on a machine without gcc: a failure, not a skip
  let warnings = '';
  buildLoadgen({ force: true, onWarnings: (text) => (warnings = text) });
  assert.equal(warnings, '');
});

/** The ws server's own counters, printed when it stops. */
async function serverCounts(s: ServerProcess): Promise<{ echoed: number; published: number }> {
  await s.stop();
  const m = /\{"msg":"ws echo stopped".*\}/.exec(s.output());
  assert.ok(m, `no counters in the server output:\n${s.output()}`);
  return JSON.parse(m[0]) as { echoed: number; published: number };
}

test('echo: pipelines a window per connection and counts exactly what came back', async () => {
  const own = await startServer(process.execPath, [WS_SERVER, '--port', '0'], none);
  const conns = 10;
  const window = 8;
  const { result: r, exitCode } = await runLoadgen(
    'echo',
    {
      port: own.port,
      serverPid: own.pid,
      conns,
      size: 100,
      window,
      warmupMs: 200,
      durationMs: 800,
    },
    none,
    15_000,
  );
  const counts = await serverCounts(own);
  assert.equal(exitCode, 0, r.first_error);
  assert.equal(r.ok, true);
  assert.equal(r.errors, 0);
  assert.equal(r.opened, conns);
  assert.ok(r.messages > 500, `only ${r.messages} echoes in the window`);
  // measure_s is printed to the millisecond, so allow for its rounding
  assert.ok(Math.abs(r.msgs_per_s * r.measure_s - r.messages) <= r.msgs_per_s * 0.001);
  assert.ok(r.measure_s > 0.75 && r.measure_s < 1.2, `window lasted ${r.measure_s} s`);
  assert.ok(r.messages <= r.received_total);
  // every connection keeps `window` messages in flight: sent - received never exceeds it
  const inFlight = r.sent_total - r.received_total;
  assert.ok(inFlight >= 0 && inFlight <= conns * window, `in flight: ${inFlight}`);
  // the server echoed everything the loadgen counted, and nothing it did not send
  assert.ok(
    counts.echoed >= r.received_total,
    `server echoed ${counts.echoed} < ${r.received_total}`,
  );
  assert.ok(counts.echoed <= r.sent_total, `server echoed ${counts.echoed} > sent ${r.sent_total}`);
  assert.ok(r.server_cpu > 0 && r.server_cpu <= 2, `server cpu ${r.server_cpu}`);
  assert.ok(r.loadgen_cpu >= 0 && r.loadgen_cpu <= 2, `loadgen cpu ${r.loadgen_cpu}`);
});

/** An in-process server whose echo is altered by `mangle`. */
async function withBadEcho(
  mangle: (data: Buffer) => Buffer,
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) =>
    ws.on('message', (data: Buffer, isBinary) => ws.send(mangle(data), { binary: isBinary })),
  );
  try {
    await fn((wss.address() as AddressInfo).port);
  } finally {
    for (const ws of wss.clients) ws.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
}

test('echo: a truncated or altered echo is an error, not a count', async () => {
  const options = { conns: 2, size: 100, window: 4, warmupMs: 100, durationMs: 300 };
  await withBadEcho(
    (d) => d.subarray(0, 99),
    async (port) => {
      const { result: r, exitCode } = await runLoadgen('echo', { port, ...options }, none, 10_000);
      assert.equal(exitCode, 1);
      assert.equal(r.ok, false);
      assert.match(r.first_error, /opcode 2 and 99 bytes, sent opcode 2 and 100 bytes/);
    },
  );
  await withBadEcho(
    (d) => Buffer.concat([d.subarray(0, 50), Buffer.from('#'), d.subarray(51)]),
    async (port) => {
      const { result: r, exitCode } = await runLoadgen('echo', { port, ...options }, none, 10_000);
      assert.equal(exitCode, 1);
      assert.match(r.first_error, /payload differs/);
    },
  );
});

test('broadcast: every subscriber gets every publish, none late', async () => {
  const own = await startServer(process.execPath, [WS_SERVER, '--port', '0'], none);
  const { result: r, exitCode } = await runLoadgen(
    'broadcast',
    {
      port: own.port,
      serverPid: own.pid,
      conns: 20,
      rate: 50,
      durationMs: 600,
      size: 64,
      settleMs: 50,
    },
    none,
    15_000,
  );
  const counts = await serverCounts(own);
  assert.equal(exitCode, 0, r.first_error);
  assert.equal(r.subscribers_open, 20);
  assert.equal(r.offered, 30);
  assert.equal(r.published, 30);
  assert.equal(counts.published, 30);
  assert.equal(r.expected, 600);
  assert.equal(r.delivered, 600);
  assert.equal(r.lost, 0);
  assert.equal(r.gaps, 0);
  assert.equal(r.sustained, true);
  assert.ok(r.latency_ms.p50 >= 0 && r.latency_ms.p50 <= r.latency_ms.max);
});

test('idle: opens and holds connections, reads the server memory', async () => {
  const { result: r, exitCode } = await runLoadgen(
    'idle',
    { port: server.port, serverPid: server.pid, conns: 200, maxConnecting: 50, settleMs: 200 },
    none,
    15_000,
  );
  assert.equal(exitCode, 0, r.first_error);
  assert.equal(r.opened, 200);
  assert.equal(r.alive_after_settle, 200);
  assert.ok(r.handshakes_per_s > 0);
  assert.ok(r.rss_before_kib > 0 && r.rss_after_kib > 0);
  assert.ok(Number.isFinite(r.bytes_per_conn));
});

test('a refused upgrade is reported with its status line', async () => {
  const { result: r, exitCode } = await runLoadgen(
    'echo',
    { port: server.port, path: '/nope', conns: 1, warmupMs: 0, durationMs: 100 },
    none,
    10_000,
  );
  assert.equal(exitCode, 1);
  assert.equal(r.opened, 0);
  assert.match(r.first_error, /upgrade refused: "HTTP\/1\.1 404 Not Found"/);
});
