// Reconnect timing: the delay formula, and a real socket retrying a port where nothing
// listens (connection refused at once), so the gaps measured are the SDK's own delays.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import {
  backoffDelay,
  ReconnectingSocket,
  SocketClosedError,
  type SocketState,
} from '../../src/client/index.js';
import { freePort, NodeWebSocket, nextEvent } from './support.js';

describe('backoffDelay', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 };

  test('doubles per attempt up to the cap, times a jitter factor in [0.5, 1.5)', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, options, () => 0.5)),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(
      backoffDelay(2, options, () => 0),
      200,
    );
    assert.equal(
      backoffDelay(2, options, () => 0.999999),
      600,
    );
    assert.equal(
      backoffDelay(10, options, () => 0),
      500,
    );
    assert.equal(
      backoffDelay(60, options, () => 0.999999),
      1500,
    );
  });

  test('jitter 0 gives the exact exponential; random values spread within the bounds', () => {
    assert.equal(
      backoffDelay(3, { ...options, jitter: 0 }, () => 0.9),
      800,
    );
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(1, options);
      assert.ok(d >= 100 && d <= 300, `delay ${d}`);
      seen.add(d);
    }
    assert.ok(seen.size > 20, 'jitter spreads the delays');
  });
});

describe('ReconnectingSocket against a port where nothing listens', () => {
  test('waits the backoff between attempts, then gives up after maxAttempts with "failed"', async () => {
    const port = await freePort();
    const socket = new ReconnectingSocket({
      url: `ws://127.0.0.1:${port}/`,
      WebSocket: NodeWebSocket,
      baseDelayMs: 40,
      maxDelayMs: 120,
      jitter: 0.5,
      maxAttempts: 4,
    });
    const delays: number[] = [];
    const gaps: number[] = [];
    let scheduledAt = 0;
    const states: SocketState[] = [];
    socket.on('reconnecting', ({ attempt, delayMs, maxAttempts }) => {
      assert.equal(attempt, delays.length + 1);
      assert.equal(maxAttempts, 4);
      delays.push(delayMs);
      scheduledAt = performance.now();
    });
    socket.on('state', (state) => {
      states.push(state);
      if (state === 'connecting' && scheduledAt) gaps.push(performance.now() - scheduledAt);
    });
    let closes = 0;
    socket.on('close', (info) => {
      closes++;
      assert.equal(info.wasOpen, false);
      assert.equal(info.code, 1006);
    });
    const connected = socket.connect();
    const [failed] = await nextEvent(socket, 'failed', 5000);
    await assert.rejects(connected, SocketClosedError);

    // min(120, 40 * 2^n) * [0.5, 1.5)
    const caps = [40, 80, 120, 120];
    assert.equal(delays.length, 4);
    delays.forEach((d, n) => {
      assert.ok(d >= caps[n]! * 0.5 && d <= caps[n]! * 1.5, `delay ${n}: ${d}`);
    });
    // Node's timers count from the event loop's cached clock: allow them 10 ms early.
    gaps.forEach((gap, n) => {
      assert.ok(
        gap >= delays[n]! - 10,
        `attempt ${n + 1} came after ${gap} ms, delay ${delays[n]}`,
      );
      assert.ok(
        gap < delays[n]! + 150,
        `attempt ${n + 1} came after ${gap} ms, delay ${delays[n]}`,
      );
    });
    assert.equal(closes, 5, 'the first attempt and four reconnects');
    assert.equal(failed.attempts, 4);
    assert.equal(socket.state, 'closed');
    assert.deepEqual(states.slice(0, 3), ['connecting', 'reconnecting', 'connecting']);
    assert.equal(states.at(-1), 'closed');
    assert.throws(
      () => socket.send('x'),
      (e: Error) => {
        assert.ok(e instanceof SocketClosedError);
        assert.match(e.message, /gave up after 4 reconnect attempts/);
        return true;
      },
    );
  });

  test('autoReconnect: false closes after the first failure, without retrying', async () => {
    const port = await freePort();
    const socket = new ReconnectingSocket({
      url: `ws://127.0.0.1:${port}/`,
      WebSocket: NodeWebSocket,
      autoReconnect: false,
    });
    let reconnecting = 0;
    socket.on('reconnecting', () => reconnecting++);
    await assert.rejects(socket.connect(), /autoReconnect is off/);
    assert.equal(reconnecting, 0);
    assert.equal(socket.state, 'closed');
  });

  test('an attempt that never opens is abandoned after connectTimeoutMs', async () => {
    // Accepts TCP, never answers the upgrade.
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const socket = new ReconnectingSocket({
        url: `ws://127.0.0.1:${port}/`,
        WebSocket: NodeWebSocket,
        connectTimeoutMs: 150,
        maxAttempts: 0,
      });
      const started = performance.now();
      const closed = nextEvent(socket, 'close', 3000);
      socket.connect().catch(() => {});
      const [info] = await closed;
      const took = performance.now() - started;
      assert.match(info.reason, /not open within 150 ms/);
      assert.ok(took >= 145 && took < 1000, `gave up after ${took} ms`);
      assert.equal(socket.state, 'closed');
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  });

  test('the url function is called before every attempt (fresh tokens)', async () => {
    const port = await freePort();
    let calls = 0;
    const socket = new ReconnectingSocket({
      url: async () => `ws://127.0.0.1:${port}/?token=t${++calls}`,
      WebSocket: NodeWebSocket,
      baseDelayMs: 5,
      maxAttempts: 2,
    });
    socket.connect().catch(() => {});
    await nextEvent(socket, 'failed', 3000);
    assert.equal(calls, 3);
  });

  test('a malformed address fails at once with the error, no retries', async () => {
    const socket = new ReconnectingSocket({ url: 'not a url', WebSocket: NodeWebSocket });
    const failed = nextEvent(socket, 'failed', 1000);
    await assert.rejects(socket.connect(), /cannot connect/);
    const [info] = await failed;
    assert.equal(info.attempts, 0);
    assert.ok(info.error instanceof Error);
  });
});
