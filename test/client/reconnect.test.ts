// The SDK against a real `ringside serve`, reached through a TCP proxy the test controls:
// connections cut, new ones refused for a while, then allowed again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ChatClient,
  ConnectionLostError,
  QueueFullError,
  RunnerClient,
  SocketClosedError,
} from '../../src/client/index.js';
import { api, registerUser, type RegisteredUser } from '../helpers/http.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { NodeWebSocket, nextEvent, TcpProxy, until } from './support.js';

const fast = { WebSocket: NodeWebSocket, baseDelayMs: 20, maxDelayMs: 100 };

describe('reconnecting through a proxy to ringside serve', () => {
  let serve: ServeProcess;
  let proxy: TcpProxy;
  let host: RegisteredUser;
  let guest: RegisteredUser;

  before(async () => {
    serve = await startServe();
    proxy = await new TcpProxy(serve.port).start();
    host = await registerUser(serve.url);
    guest = await registerUser(serve.url);
    const created = await api(
      serve.url,
      'POST',
      '/api/rooms',
      { slug: 'lobby', name: 'Lobby' },
      host.token,
    );
    assert.equal(created.status, 201);
    const added = await api(
      serve.url,
      'POST',
      '/api/rooms/' + host.user.username + '/lobby/participants',
      { username: guest.user.username },
      host.token,
    );
    assert.equal(added.status, 201);
  });
  after(async () => {
    await proxy?.stop();
    await serve?.stop();
  });

  const chat = (user: RegisteredUser, url: string, extra: object = {}) =>
    new ChatClient({
      url,
      host: host.user.username,
      room: 'lobby',
      token: user.token,
      ...fast,
      ...extra,
    });

  test('offline: sends are queued up to maxQueued and flushed in order; missed messages are recovered', async () => {
    const away = chat(guest, proxy.wsUrl, { maxQueued: 3 });
    const present = chat(host, serve.wsUrl);
    try {
      await Promise.all([away.connect(), present.connect()]);
      const seenByAway: Array<[string, boolean]> = [];
      away.on('message', (m, meta) => seenByAway.push([m.body, meta.recovered]));
      present.sendMessage('before the cut');
      await until(() => seenByAway.length === 1, 3000, 'first message');

      proxy.refuse(true);
      const reconnecting = nextEvent(away.socket, 'reconnecting');
      proxy.cut();
      await reconnecting;
      assert.notEqual(away.state, 'open');

      // While away: three sends are queued, the fourth is refused with a clear error.
      assert.equal(away.sendMessage('queued 1'), 'queued');
      assert.equal(away.sendMessage('queued 2'), 'queued');
      assert.equal(away.sendMessage('queued 3'), 'queued');
      assert.throws(
        () => away.sendMessage('queued 4'),
        (e: Error) => {
          assert.ok(e instanceof QueueFullError);
          assert.match(e.message, /3 messages are already queued/);
          return true;
        },
      );
      assert.equal(away.socket.queued, 3);

      // Others talk meanwhile.
      const seenByPresent: string[] = [];
      present.on('message', (m) => seenByPresent.push(m.body));
      present.sendMessage('missed 1');
      present.sendMessage('missed 2');
      await until(() => seenByPresent.length === 2, 3000, 'missed messages stored');

      const caughtUp = nextEvent(away, 'catch-up', 5000);
      const reopened = nextEvent(away.socket, 'open', 5000);
      proxy.refuse(false);
      const [openInfo] = await reopened;
      assert.equal(openInfo.reconnected, true);
      const [info] = await caughtUp;
      // The queued sends go out as the history is fetched: they may be in it too.
      assert.equal(info.complete, true);
      assert.ok(info.recovered >= 2 && info.recovered <= 5, `recovered ${info.recovered}`);

      await until(() => seenByPresent.length === 5, 3000, 'queued messages delivered');
      assert.deepEqual(seenByPresent, ['missed 1', 'missed 2', 'queued 1', 'queued 2', 'queued 3']);
      await until(() => seenByAway.length === 6, 3000, 'away sees everything once');
      assert.deepEqual(
        seenByAway.map(([body]) => body),
        ['before the cut', 'missed 1', 'missed 2', 'queued 1', 'queued 2', 'queued 3'],
      );
      assert.deepEqual(
        seenByAway.slice(0, 3).map(([, recovered]) => recovered),
        [false, true, true],
      );
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(seenByAway.length, 6, 'no duplicates');
      assert.equal(away.socket.queued, 0);
    } finally {
      proxy.refuse(false);
      away.close();
      present.close();
    }
  });

  test('the attempt count restarts after a connection stays open resetAfterMs, not before', async () => {
    for (const resetAfterMs of [50, 60_000]) {
      const client = chat(host, proxy.wsUrl, { resetAfterMs, maxAttempts: 10 });
      try {
        await client.connect();
        const attempts: number[] = [];
        client.socket.on('reconnecting', ({ attempt }) => attempts.push(attempt));
        proxy.refuse(true);
        proxy.cut();
        await until(() => attempts.length >= 2, 3000, 'two failed attempts');
        const reopened = nextEvent(client.socket, 'open', 3000);
        proxy.refuse(false);
        await reopened;
        const lastBeforeOpen = attempts.at(-1)!;
        assert.ok(lastBeforeOpen >= 2);
        await new Promise((r) => setTimeout(r, 120));
        attempts.length = 0;
        proxy.cut();
        await until(() => attempts.length >= 1, 3000, 'reconnecting after the second cut');
        // Open 120 ms: past a 50 ms resetAfterMs the count starts again; within 60 s it goes on.
        const expected = resetAfterMs === 50 ? 1 : lastBeforeOpen + 1;
        assert.equal(attempts[0], expected, `resetAfterMs ${resetAfterMs}`);
      } finally {
        proxy.refuse(false);
        client.close();
      }
    }
  });

  test('runCode: in flight when the link drops → ConnectionLostError; queued then given up → SocketClosedError', async () => {
    const runner = new RunnerClient({ url: proxy.wsUrl, ...fast, maxAttempts: 2 });
    try {
      await runner.connect();
      // Warm the sandbox so the slow run below really is in flight at the cut.
      const warm = await runner.runCode({ language: 'javascript', code: 'console.log(6 * 7)' });
      assert.equal(warm.output, '42\n');

      const inFlight = runner.runCode({
        language: 'javascript',
        code: 'const end = Date.now() + 1500; while (Date.now() < end) {}',
        timeoutMs: 5000,
      });
      await new Promise((r) => setTimeout(r, 100));
      proxy.refuse(true);
      proxy.cut();
      await assert.rejects(inFlight, (e: Error) => {
        assert.ok(e instanceof ConnectionLostError, String(e));
        assert.equal(e.request, 'runCode');
        assert.match(
          e.message,
          /^Connection lost before the response to runCode \(request id req-/,
        );
        assert.match(e.message, /may or may not have processed it/);
        return true;
      });

      // Sent while offline: waits in the queue; when reconnecting gives up it is rejected.
      const queued = runner.runCode({ language: 'javascript', code: 'console.log(1)' });
      const [failed] = await nextEvent(runner.socket, 'failed', 3000);
      assert.equal(failed.attempts, 2);
      assert.equal(failed.dropped, 1);
      await assert.rejects(queued, (e: Error) => {
        assert.ok(e instanceof SocketClosedError, String(e));
        assert.match(e.message, /gave up after 2 reconnect attempts.*runCode was never sent/);
        return true;
      });
      await assert.rejects(runner.runCode({ language: 'javascript', code: '' }), SocketClosedError);
    } finally {
      proxy.refuse(false);
      runner.close();
    }
  });

  test('a refused upgrade (bad token) is retried up to maxAttempts, then "failed"', async () => {
    const client = new ChatClient({
      url: serve.wsUrl,
      host: host.user.username,
      room: 'lobby',
      token: 'not-a-jwt',
      ...fast,
      maxAttempts: 2,
    });
    const [failed] = await nextEvent(client.socket, 'failed', 3000);
    assert.equal(failed.attempts, 2);
    assert.equal(client.state, 'closed');
  });
});
