// The must-show: `ringside serve` restarts (same port, same data dir) under connected SDK
// clients. They reconnect by themselves; chat messages keep arriving, the collab session
// is joined again (a fresh session-state with the saved code), a runCode in flight is
// rejected with ConnectionLostError and one made while offline resolves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ChatClient,
  CollabClient,
  ConnectionLostError,
  RunnerClient,
} from '../../src/client/index.js';
import { api, registerUser } from '../helpers/http.js';
import type { ServeProcess } from '../helpers/serve-process.js';
import { NodeWebSocket, nextEvent, startServeOnFixedPort, until } from './support.js';

const fast = { WebSocket: NodeWebSocket, baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 50 };

describe('SDK clients across a server restart', () => {
  let serve: ServeProcess;
  before(async () => {
    serve = await startServeOnFixedPort();
  });
  after(async () => {
    await serve?.stop();
  });

  test('chat, collab and runner reconnect; subscriptions re-joined; pending requests settle clearly', async () => {
    const alice = await registerUser(serve.url);
    const bob = await registerUser(serve.url);
    const room = `/api/rooms/${alice.user.username}/team`;
    assert.equal(
      (await api(serve.url, 'POST', '/api/rooms', { slug: 'team', name: 'Team' }, alice.token))
        .status,
      201,
    );
    assert.equal(
      (
        await api(
          serve.url,
          'POST',
          `${room}/participants`,
          { username: bob.user.username },
          alice.token,
        )
      ).status,
      201,
    );
    const session = await api(serve.url, 'POST', '/api/sessions', { language: 'python' });
    assert.equal(session.status, 201);
    const sessionId: string = session.body.sessionId;

    const chatOf = (token: string) =>
      new ChatClient({ url: serve.wsUrl, host: alice.user.username, room: 'team', token, ...fast });
    const aliceChat = chatOf(alice.token);
    const bobChat = chatOf(bob.token);
    const collab = new CollabClient({
      url: serve.wsUrl,
      sessionId,
      userId: 'u-1',
      username: 'Uno',
      ...fast,
    });
    const runner = new RunnerClient({ url: serve.wsUrl, ...fast, requestTimeoutMs: 20_000 });
    const clients = [aliceChat, bobChat, collab, runner];
    try {
      const firstState = nextEvent(collab, 'session-state');
      await Promise.all(clients.map((c) => c.connect()));
      await firstState;
      collab.changeCode('print("kept")\n');
      collab.changeLanguage('python');

      const heard: string[] = [];
      aliceChat.on('message', (m) => heard.push(m.body));
      bobChat.sendMessage('before the restart');
      await until(() => heard.length === 1, 3000, 'first chat message');

      const warm = await runner.runCode({ language: 'javascript', code: 'console.log(6 * 7)' });
      assert.equal(warm.output, '42\n');
      const inFlight = runner.runCode({
        language: 'javascript',
        code: 'const end = Date.now() + 2000; while (Date.now() < end) {}',
        timeoutMs: 5000,
      });
      inFlight.catch(() => {}); // asserted below
      await new Promise((r) => setTimeout(r, 150));

      const closes = clients.map((c) => nextEvent(c.socket, 'close', 10_000));
      const reopens = clients.map((c) =>
        nextEvent(c.socket, 'open', 20_000, (info) => info.reconnected === true),
      );
      const secondState = nextEvent(collab, 'session-state', 20_000);
      const restarting = serve.restart();
      restarting.catch(() => {}); // awaited below, after the closes

      for (const [info] of await Promise.all(closes)) {
        assert.equal(info.code, 1001, 'graceful shutdown closes with 1001');
        assert.equal(info.willReconnect, true);
      }
      await assert.rejects(inFlight, (e: Error) => {
        assert.ok(e instanceof ConnectionLostError, String(e));
        assert.equal(e.closeCode, 1001);
        assert.match(e.message, /Connection lost before the response to runCode/);
        return true;
      });
      // Offline now: this one waits in the queue and goes out after the reconnect.
      assert.notEqual(runner.state, 'open');
      const queuedRun = runner.runCode({ language: 'javascript', code: 'console.log(2 + 3)' });
      assert.equal(runner.socket.queued, 1);
      // An edit made offline goes out after the automatic join-session, so it is accepted.
      const collabErrors: string[] = [];
      collab.on('error', (e) => collabErrors.push(e.message));
      assert.equal(collab.changeCode('print("edited offline")\n'), 'queued');

      await restarting;
      await Promise.all(reopens);

      const [state] = await secondState;
      assert.equal(state.sessionId, sessionId);
      assert.equal(state.code, 'print("kept")\n', 'the saved code, from before the offline edit');
      assert.equal(state.language, 'python');
      assert.deepEqual(
        state.participants.map((p: { userId: string }) => p.userId),
        ['u-1'],
        'joined again after the restart',
      );

      const output = await queuedRun;
      assert.equal(output.output, '5\n');
      assert.equal(output.error, null);

      const saved = async () =>
        (await api(serve.url, 'GET', `/api/sessions/${sessionId}`)).body.code;
      await until(
        async () => (await saved()) === 'print("edited offline")\n',
        5000,
        'offline edit saved',
      );
      assert.deepEqual(collabErrors, []);
      assert.equal(
        collab.session?.code,
        'print("edited offline")\n',
        'the mirror has the own edit',
      );

      bobChat.sendMessage('after the restart');
      await until(() => heard.length === 2, 5000, 'chat message after the restart');
      assert.deepEqual(heard, ['before the restart', 'after the restart']);
    } finally {
      for (const c of clients) c.close();
    }
  });
});
