// Dead-connection detection: a proxy that stops forwarding (no FIN, no RST: the socket
// stays "open") must be noticed by the heartbeat, and the client must reconnect. A live
// but quiet connection must not be dropped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ChatClient, RunnerClient, type WebSocketConstructor } from '../../src/client/index.js';
import { api, registerUser, type RegisteredUser } from '../helpers/http.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { BrowserLikeWebSocket, NodeWebSocket, nextEvent, TcpProxy } from './support.js';

const heartbeat = { intervalMs: 150, timeoutMs: 200 };
const fast = { baseDelayMs: 20, maxDelayMs: 100, heartbeat };

describe('heartbeat', () => {
  let serve: ServeProcess;
  let proxy: TcpProxy;
  let user: RegisteredUser;

  before(async () => {
    serve = await startServe();
    proxy = await new TcpProxy(serve.port).start();
    user = await registerUser(serve.url);
    const created = await api(
      serve.url,
      'POST',
      '/api/rooms',
      { slug: 'hb', name: 'HB' },
      user.token,
    );
    assert.equal(created.status, 201);
  });
  after(async () => {
    await proxy?.stop();
    await serve?.stop();
  });

  async function expectDeadLinkDetected(client: ChatClient | RunnerClient): Promise<void> {
    await client.connect();
    let closes = 0;
    client.socket.on('close', () => closes++);
    // Quiet but alive: several heartbeat intervals pass without a drop.
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(closes, 0, 'a live connection is kept');

    const closed = nextEvent(client.socket, 'close', 3000);
    const reopened = nextEvent(client.socket, 'open', 5000);
    const stalledAt = performance.now();
    proxy.stall();
    const [info] = await closed;
    const took = performance.now() - stalledAt;
    const silent = /^heartbeat timeout: nothing received for (\d+) ms$/.exec(info.reason);
    assert.ok(silent, info.reason);
    assert.equal(info.willReconnect, true);
    // Never before a probe went unanswered for the whole timeout. (Measured from the
    // stall it can be less: a probe may have left just before the link stalled.)
    assert.ok(Number(silent[1]) >= heartbeat.timeoutMs - 10, info.reason);
    // At most interval (silence) + timeout (probe unanswered) + timer slack.
    assert.ok(took < 1200, `detected after ${took} ms`);
    const [open] = await reopened;
    assert.equal(open.reconnected, true);
  }

  test('Node (ws): ping frames probe the link; a stalled one is dropped and replaced', async () => {
    const client = new ChatClient({
      url: proxy.wsUrl,
      host: user.user.username,
      room: 'hb',
      token: user.token,
      WebSocket: NodeWebSocket,
      ...fast,
    });
    try {
      await expectDeadLinkDetected(client);
      // The new connection works.
      const heard = nextEvent(client, 'message', 3000);
      client.sendMessage('still here');
      assert.equal((await heard)[0].body, 'still here');
    } finally {
      client.close();
    }
  });

  test('browser API only (no ping frames): the runner probe is a protocol message', async () => {
    const client = new RunnerClient({
      url: proxy.wsUrl,
      WebSocket: BrowserLikeWebSocket as unknown as WebSocketConstructor,
      ...fast,
    });
    let probesAnswered = 0;
    client.on('leaderboardUpdate', () => probesAnswered++);
    try {
      await expectDeadLinkDetected(client);
      assert.ok(probesAnswered >= 2, `probes answered: ${probesAnswered}`);
      const output = await client.runCode({ language: 'javascript', code: 'console.log("up")' });
      assert.equal(output.output, 'up\n');
    } finally {
      client.close();
      proxy.cut();
    }
  });
});
