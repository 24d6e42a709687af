// The arena over Socket.IO (socket.io-client 4 against the in-process server): whole
// battles over HTTP long-polling, over WebSocket and with the upgrade, a Socket.IO
// player against a raw /v1 player, the ack's answer and error shapes, a bad token,
// and a client that reconnects after the server dropped it and re-joins its battle.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createArenaModule } from '../../src/apps/arena/index.js';
import {
  connectArena,
  nextEvent,
  ok as okRaw,
  SOLUTIONS,
  writeTestProblems,
} from '../apps/arena-client.js';
import { startTestApp, type TestApp } from '../apps/context.js';
import type { TestClient } from '../apps/ws-client.js';
import { SioPlayer, type Transports } from './sio-player.js';

let app: TestApp;
let problemsDir: string;
const players: SioPlayer[] = [];
const rawClients: TestClient[] = [];

before(async () => {
  problemsDir = writeTestProblems();
  app = await startTestApp([createArenaModule({ problemsDir, forfeitGraceMs: 4000 })]);
});

after(async () => {
  for (const player of players) player.close();
  await Promise.all(rawClients.map((c) => c.close().catch(() => {})));
  await app.stop();
  rmSync(problemsDir, { recursive: true, force: true });
});

async function sioPlayer(transports: Transports, options = {}) {
  const { user, token } = await app.createUser();
  const player = await SioPlayer.connect(app.url, token, transports, options);
  players.push(player);
  return { user, token, player };
}

const JOIN = { difficulty: 'easy', language: 'javascript', mode: 'quick-battle' };

/** A whole battle between two Socket.IO players: wrong answer, then the right one wins. */
async function battle(transports: Transports): Promise<void> {
  const a = await sioPlayer(transports);
  const b = await sioPlayer(transports);
  const joined = await a.player.request('battle:join', JOIN);
  assert.equal(joined.type, 'response');
  assert.equal(joined.event, 'battle:joined');
  assert.equal(joined.success, true);
  assert.equal(joined.data.status, 'queued');
  assert.ok(!('id' in joined), 'the ack needs no request id');
  await b.player.ok('battle:join', JOIN);
  const [ma, mb] = await Promise.all([
    a.player.event('battle:matched'),
    b.player.event('battle:matched'),
  ]);
  const battleId = ma.battleId;
  assert.equal(typeof battleId, 'string');
  assert.equal(mb.battleId, battleId);
  assert.equal(ma.problem.difficulty, 'easy');

  const submitted = await a.player.ok(
    'battle:submit',
    { battleId, code: SOLUTIONS.wrong, language: 'javascript' },
    20_000,
  );
  assert.equal(submitted.event, 'battle:submitted');
  const resultA = await a.player.event('battle:execution_result', 20_000);
  assert.equal(resultA.testsPassed, 1);
  assert.equal(resultA.totalTests, 4);
  const seen = await b.player.event('battle:submission');
  assert.equal(seen.userId, a.user.id);

  await b.player.ok(
    'battle:submit',
    { battleId, code: SOLUTIONS.right, language: 'javascript' },
    20_000,
  );
  assert.equal((await b.player.event('battle:execution_result', 20_000)).testsPassed, 4);
  const [endA, endB] = await Promise.all([
    a.player.event('battle:ended', 20_000),
    b.player.event('battle:ended', 20_000),
  ]);
  assert.deepEqual(endA, endB);
  assert.equal(endA.winner, b.user.id);
  assert.equal(endA.reason, 'solved');
  for (const p of [a, b]) {
    assert.equal(p.player.socket.io.engine.transport.name, transports.at(-1));
    p.player.close();
  }
}

describe('arena over Socket.IO', () => {
  test('a whole battle over HTTP long-polling', async () => {
    await battle(['polling']);
  });

  test('a whole battle over WebSocket', async () => {
    await battle(['websocket']);
  });

  test('a whole battle that starts on polling and upgrades to WebSocket', async () => {
    await battle(['polling', 'websocket']);
  });

  test('a Socket.IO player and a raw /v1 player meet in one battle', async () => {
    const a = await sioPlayer(['polling']);
    const { user: userB, token: tokenB } = await app.createUser();
    const b = await connectArena(app.wsUrl, tokenB);
    rawClients.push(b);
    const medium = { ...JOIN, difficulty: 'medium' };
    await a.player.ok('battle:join', medium);
    await okRaw(b, 'battle:join', medium);
    const [ma, mb] = await Promise.all([
      a.player.event('battle:matched'),
      nextEvent(b, 'battle:matched'),
    ]);
    assert.equal(ma.battleId, mb.data.battleId);
    await okRaw(
      b,
      'battle:submit',
      { battleId: ma.battleId, code: SOLUTIONS.right, language: 'javascript' },
      20_000,
    );
    const ended = await a.player.event('battle:ended', 20_000);
    assert.equal(ended.winner, userB.id);
    a.player.close();
  });

  test('errors come through the ack in the /v1 error shape', async () => {
    const { player } = await sioPlayer(['websocket']);
    const invalid = await player.request('battle:join', { language: 'cobol' });
    assert.equal(invalid.type, 'error');
    assert.equal(invalid.error.code, 'VALIDATION_ERROR');
    assert.equal(typeof invalid.error.message, 'string');
    assert.ok(Array.isArray(invalid.error.details.issues));
    const unknown = await player.request('battle:dance', {});
    assert.equal(unknown.type, 'error');
    assert.equal(unknown.error.code, 'UNKNOWN_EVENT');
    const notInBattle = await player.request('battle:submit', {
      battleId: '00000000-0000-4000-8000-000000000000',
      code: SOLUTIONS.right,
      language: 'javascript',
    });
    assert.equal(notInBattle.type, 'error');
    assert.equal(notInBattle.error.code, 'INVALID_BATTLE_ID');
    const pong = await player.ok('system:ping');
    assert.equal(pong.event, 'system:pong');
    player.close();
  });

  test('a bad or missing token is a connect_error with the UNAUTHORIZED message', async () => {
    for (const token of ['not-a-token', undefined]) {
      for (const transports of [['polling'], ['websocket']] as Transports[]) {
        await assert.rejects(
          SioPlayer.connect(app.url, token, transports),
          (error: Error & { data?: { code?: string } }) => {
            assert.equal(error.message, 'Missing, invalid or expired token');
            assert.equal(error.data?.code, 'UNAUTHORIZED');
            return true;
          },
        );
      }
    }
  });

  test('a client dropped by the server reconnects by itself and re-joins its battle', async () => {
    const a = await sioPlayer(['websocket'], {
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 200,
    });
    const b = await sioPlayer(['websocket']);
    const hard = { ...JOIN, difficulty: 'hard' };
    // The application's re-join: on every (re)connection, back into the current battle.
    let battleId: string | null = null;
    const rejoined: Array<Promise<unknown>> = [];
    a.player.socket.on('connect', () => {
      if (battleId !== null) rejoined.push(a.player.ok('battle:join', { battleId }));
    });
    await a.player.ok('battle:join', hard);
    await b.player.ok('battle:join', hard);
    battleId = (await a.player.event('battle:matched')).battleId;
    await b.player.event('battle:matched');

    // The server drops every Socket.IO WebSocket of this test app's player A.
    const firstId = a.player.socket.id;
    const reconnected = new Promise<void>((resolve) =>
      a.player.socket.once('connect', () => resolve()),
    );
    let dropped = 0;
    for (const connection of app.context.server.connections) {
      if (connection.route === '/socket.io/' && connection.request.url.includes('websocket')) {
        const state = connection.state as { session?: { sid: string } };
        if (state.session?.sid === a.player.socket.io.engine.id) {
          connection.terminate();
          dropped++;
        }
      }
    }
    assert.equal(dropped, 1);
    await reconnected;
    assert.notEqual(a.player.socket.id, firstId, 'a new Socket.IO session');
    assert.equal(rejoined.length, 1);
    const again = (await rejoined[0]) as { data: { battleId?: string; id?: string } };
    assert.equal(JSON.stringify(again).includes(battleId!), true);

    // Events sent to A reach the new socket: B submits, A hears of it, then B wins.
    await b.player.ok(
      'battle:submit',
      { battleId, code: SOLUTIONS.right, language: 'javascript' },
      20_000,
    );
    const ended = await a.player.event('battle:ended', 20_000);
    assert.equal(ended.battleId, battleId);
    assert.equal(ended.reason, 'solved');
    a.player.close();
    b.player.close();
  });
});
