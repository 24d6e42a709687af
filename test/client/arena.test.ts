// The arena end to end with real SDK clients against `ringside serve`: two users matched,
// chat in the battle's channel, a judged submission ending the battle; a queued player
// whose connection drops is queued again by the SDK and still matched; and the spec's
// JavaScript example, as written apart from the class name, in two Chromium pages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  ArenaClient,
  ArenaRequestError,
  ConnectionLostError,
  type BattleMatched,
} from '../../src/client/index.js';
import { referenceSolutions } from '../apps/arena-reference-solutions.js';
import { registerUser, type RegisteredUser } from '../helpers/http.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { launchChromium, sdkPage } from './browser-harness.js';
import { NodeWebSocket, nextEvent, TcpProxy } from './support.js';

const fast = { WebSocket: NodeWebSocket, baseDelayMs: 20, maxDelayMs: 100 };

describe('arena with SDK clients', () => {
  let serve: ServeProcess;
  before(async () => {
    serve = await startServe();
  });
  after(async () => {
    await serve?.stop();
  });

  const client = (user: RegisteredUser, url = serve.wsUrl) =>
    new ArenaClient({ url, token: user.token, autoReconnect: true, ...fast });

  test('two users are matched, chat in the battle channel, and a correct submission wins', async () => {
    const [alice, bob] = await Promise.all([registerUser(serve.url), registerUser(serve.url)]);
    const a = client(alice);
    const b = client(bob);
    try {
      const matchedA = nextEvent(a, 'battle:matched', 10_000);
      const matchedB = nextEvent(b, 'battle:matched', 10_000);
      const queued = await a.joinBattle({ difficulty: 'easy', language: 'javascript' });
      assert.equal(queued.status, 'queued');
      assert.equal(queued.difficulty, 'easy');
      await b.joinBattle({ difficulty: 'easy', language: 'javascript' });
      const [[forA, envelope], [forB]] = (await Promise.all([matchedA, matchedB])) as [
        [BattleMatched, { type: string }],
        [BattleMatched],
      ];
      assert.equal(envelope.type, 'event');
      assert.equal(forA.battleId, forB.battleId);
      assert.equal(forA.opponent.username, bob.user.username);
      assert.equal(forB.opponent.username, alice.user.username);
      assert.equal(forA.problem.difficulty, 'easy');
      assert.equal(a.battleId, forA.battleId);

      const channel = `battle:${forA.battleId}`;
      await Promise.all([a.joinChannel(channel), b.joinChannel(channel)]);
      const chat = nextEvent(b, 'chat:message', 5000);
      await a.sendChat(channel, 'good luck');
      const [message] = await chat;
      assert.equal(message.message, 'good luck');
      assert.equal(message.username, alice.user.username);

      const code = referenceSolutions[forA.problem.id];
      assert.ok(code, `a reference solution for ${forA.problem.id}`);
      const result = nextEvent(a, 'battle:execution_result', 20_000);
      const opponentSaw = nextEvent(b, 'battle:submission', 20_000);
      const endedForA = nextEvent(a, 'battle:ended', 20_000);
      const endedForB = nextEvent(b, 'battle:ended', 20_000);
      const response = (await a.submit({ code, language: 'javascript' })) as { verdict: string };
      assert.equal(response.verdict, 'Accepted');
      const [execution] = await result;
      assert.equal(execution.testsPassed, execution.totalTests);
      assert.equal((await opponentSaw)[0].userId, alice.user.id);
      const [ended] = await endedForB;
      assert.equal(ended.winner, alice.user.id);
      await endedForA;
      assert.equal(a.battleId, null, 'the battle is over for the SDK too');

      // An error response rejects the request with the server's code and the request id.
      await assert.rejects(
        a.submit({ code, language: 'javascript', battleId: forA.battleId }),
        (e: Error) => {
          assert.ok(e instanceof ArenaRequestError);
          assert.equal(e.code, 'INVALID_BATTLE_ID');
          assert.equal(e.event, 'battle:submit');
          assert.match(String(e.requestId), /^req-/);
          return true;
        },
      );
    } finally {
      a.close();
      b.close();
    }
  });

  test('a queued player whose link drops is queued again by the SDK and still matched', async () => {
    const proxy = await new TcpProxy(serve.port).start();
    const [alice, bob] = await Promise.all([registerUser(serve.url), registerUser(serve.url)]);
    const a = client(alice, proxy.wsUrl);
    const b = client(bob);
    try {
      assert.equal(
        (await a.joinBattle({ difficulty: 'medium', language: 'javascript' })).status,
        'queued',
      );
      const rejoined = nextEvent(a, 'rejoin', 5000);
      const inFlight = a.ping();
      proxy.cut();
      await assert.rejects(inFlight, (e: Error) => {
        assert.ok(e instanceof ConnectionLostError, String(e));
        assert.match(e.message, /response to system:ping \(request id req-/);
        return true;
      });
      const [report] = await rejoined;
      assert.equal(report.event, 'battle:join');
      assert.equal(report.error, undefined);
      assert.equal((report.response as { status: string }).status, 'queued');

      const matched = nextEvent(a, 'battle:matched', 10_000);
      await b.joinBattle({ difficulty: 'medium', language: 'javascript' });
      const [data] = await matched;
      assert.equal(data.opponent.username, bob.user.username);
    } finally {
      a.close();
      b.close();
      await proxy.stop();
    }
  });

  test('a bad token: the server says UNAUTHORIZED, closes 4401, and the SDK does not retry', async () => {
    const bad = new ArenaClient({ url: serve.wsUrl, token: 'forged', ...fast });
    const error = nextEvent(bad, 'error', 5000);
    const [failed] = await nextEvent(bad.socket, 'failed', 5000);
    assert.equal(failed.lastClose.code, 4401);
    assert.equal(failed.attempts, 0);
    assert.equal((await error)[0].code, 'UNAUTHORIZED');
    await assert.rejects(bad.ping(), /reconnecting would not help/);
  });

  describe('the spec example in Chromium', () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
    });

    test('as written (apart from the class name): two pages are matched', async () => {
      const users = await Promise.all([registerUser(serve.url), registerUser(serve.url)]);
      const pages = await Promise.all(users.map(() => sdkPage(browser, serve.url)));
      const logs: string[][] = [[], []];
      pages.forEach((page, i) => page.on('console', (m) => logs[i]!.push(m.text())));
      try {
        for (const [i, page] of pages.entries()) {
          await page.evaluate(async (token) => {
            const sdkUrl = '/sdk/index.js';
            const { ArenaClient: CoderspaESocket } = await import(sdkUrl);
            // --- the spec's example (its token a real one, its class our ArenaClient) ---
            const socket = new CoderspaESocket({
              token: token,
              autoReconnect: true,
            });

            socket.on('battle:matched', (data: unknown) => {
              console.log('Battle matched:', JSON.stringify(data));
            });

            await socket.joinBattle({ difficulty: 'medium' });
            // --- end of the example ---
            (window as unknown as { socket: unknown }).socket = socket;
          }, users[i]!.token);
          if (i === 0) assert.deepEqual(logs[0], [], 'nothing logged while alone in the queue');
        }
        const deadline = Date.now() + 10_000;
        while (logs.some((l) => l.length === 0) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        const matched = logs.map((l) => {
          assert.equal(l.length, 1, JSON.stringify(l));
          assert.match(l[0]!, /^Battle matched: /);
          return JSON.parse(l[0]!.slice('Battle matched: '.length)) as BattleMatched;
        });
        assert.equal(matched[0]!.battleId, matched[1]!.battleId);
        assert.equal(matched[0]!.opponent.username, users[1]!.user.username);
        assert.equal(matched[1]!.opponent.username, users[0]!.user.username);
        assert.equal(matched[0]!.problem.difficulty, 'medium');
      } finally {
        for (const page of pages) await page.close();
      }
    });
  });
});
