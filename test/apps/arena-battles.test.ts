// Arena battles over real sockets (`ws` peers, an in-process server on SQLite, the real
// sandbox with one JavaScript worker): matchmaking, judging, the three ways a battle
// ends, ratings, and each of the spec's error codes provoked.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createArenaModule } from '../../src/apps/arena/index.js';
import {
  connectArena,
  HIDDEN_MARKERS,
  nextEvent,
  ok,
  request,
  SOLUTIONS,
  writeTestProblems,
  type Json,
} from './arena-client.js';
import { signToken, startTestApp, type TestApp } from './context.js';
import { TestClient } from './ws-client.js';

let app: TestApp;
let problemsDir: string;
const clients: TestClient[] = [];

before(async () => {
  problemsDir = writeTestProblems();
  app = await startTestApp([createArenaModule({ problemsDir, forfeitGraceMs: 300 })]);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await app.stop();
  rmSync(problemsDir, { recursive: true, force: true });
});

async function player() {
  const { user, token } = await app.createUser();
  const client = await connectArena(app.wsUrl, token);
  clients.push(client);
  return { user, token, client };
}

type Player = Awaited<ReturnType<typeof player>>;

/** Two players queued for the same difficulty and mode: both get battle:matched. */
async function matched(
  difficulty: string,
  mode = 'quick-battle',
): Promise<[Player, Player, string]> {
  const a = await player();
  const b = await player();
  await ok(a.client, 'battle:join', { difficulty, language: 'javascript', mode });
  await ok(b.client, 'battle:join', { difficulty, language: 'javascript', mode });
  const [ma, mb] = await Promise.all([
    nextEvent(a.client, 'battle:matched'),
    nextEvent(b.client, 'battle:matched'),
  ]);
  assert.equal(ma.data.battleId, mb.data.battleId);
  return [a, b, ma.data.battleId];
}

async function api(path: string, token: string) {
  const response = await fetch(app.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Json };
}

describe('arena battles', () => {
  let finishedBattle = '';

  test('two players are matched, one submits a wrong answer and one a right one: the right one wins', async () => {
    const a = await player();
    const b = await player();
    const joined = await request(a.client, 'battle:join', {
      difficulty: 'easy',
      language: 'javascript',
      mode: 'quick-battle',
    });
    assert.equal(joined.type, 'response');
    assert.equal(joined.event, 'battle:joined');
    assert.equal(joined.success, true);
    assert.match(joined.id, /^req-/);
    assert.equal(joined.data.status, 'queued');
    assert.ok(!Number.isNaN(Date.parse(joined.timestamp)));
    await ok(b.client, 'battle:join', {
      difficulty: 'easy',
      language: 'javascript',
      mode: 'quick-battle',
    });

    const [ma, mb] = await Promise.all([
      nextEvent(a.client, 'battle:matched'),
      nextEvent(b.client, 'battle:matched'),
    ]);
    assert.equal(ma.type, 'event');
    assert.equal(typeof ma.id, 'string');
    const battleId = ma.data.battleId;
    assert.equal(mb.data.battleId, battleId);
    assert.deepEqual(ma.data.opponent, {
      userId: b.user.id,
      username: b.user.username,
      rating: 1200,
    });
    assert.deepEqual(mb.data.opponent, {
      userId: a.user.id,
      username: a.user.username,
      rating: 1200,
    });
    assert.equal(ma.data.problem.id, 'add-easy');
    assert.equal(ma.data.problem.title, 'Add (easy)');
    assert.equal(ma.data.problem.difficulty, 'easy');
    assert.equal(ma.data.problem.description, 'Return a + b.');
    assert.equal(ma.data.problem.starter, 'function add(a, b) {\n}\n');
    assert.equal(ma.data.problem.totalTests, 4);
    assert.equal(ma.data.problem.examples.length, 2, 'only the visible tests are examples');
    assert.equal(ma.data.timeLimit, 600, 'easy battles last 10 minutes');

    // A: a wrong answer. The opponent hears of the submission, not of its result.
    const submitted = await ok(
      a.client,
      'battle:submit',
      { battleId, code: SOLUTIONS.wrong, language: 'javascript' },
      20_000,
    );
    assert.equal(submitted.event, 'battle:submitted');
    const resultA = await nextEvent(a.client, 'battle:execution_result');
    assert.equal(resultA.data.battleId, battleId);
    assert.equal(resultA.data.testsPassed, 1);
    assert.equal(resultA.data.totalTests, 4, 'hidden tests are counted');
    assert.equal(typeof resultA.data.executionTime, 'number');
    assert.equal(typeof resultA.data.memoryUsed, 'number');
    assert.equal(resultA.data.errors.length, 3);
    const visibleError = resultA.data.errors.find((e: Json) => e.test === 1);
    assert.deepEqual(
      [visibleError.hidden, visibleError.verdict, visibleError.expected, visibleError.actual],
      [false, 'Wrong Answer', 3, -1],
    );
    const hiddenErrors = resultA.data.errors.filter((e: Json) => e.hidden);
    assert.deepEqual(
      hiddenErrors.map((e: Json) => Object.keys(e).sort()),
      [
        ['hidden', 'message', 'test', 'verdict'],
        ['hidden', 'message', 'test', 'verdict'],
      ],
    );
    const submission = await nextEvent(b.client, 'battle:submission');
    assert.equal(submission.data.battleId, battleId);
    assert.equal(submission.data.userId, a.user.id);
    assert.equal(submission.data.status, 'submitted');
    assert.ok(!Number.isNaN(Date.parse(submission.data.timestamp)));

    // B: right. The battle ends at once.
    await ok(
      b.client,
      'battle:submit',
      { battleId, code: SOLUTIONS.right, language: 'javascript' },
      20_000,
    );
    const resultB = await nextEvent(b.client, 'battle:execution_result');
    assert.equal(resultB.data.testsPassed, 4);
    assert.deepEqual(resultB.data.errors, []);
    const [endA, endB] = await Promise.all([
      nextEvent(a.client, 'battle:ended'),
      nextEvent(b.client, 'battle:ended'),
    ]);
    assert.deepEqual(endA.data, endB.data);
    assert.equal(endA.data.battleId, battleId);
    assert.equal(endA.data.winner, b.user.id);
    assert.equal(endA.data.reason, 'solved');
    assert.equal(endA.data.results[a.user.id].score, 25);
    assert.equal(endA.data.results[b.user.id].score, 100);
    assert.ok(endA.data.results[b.user.id].time > endA.data.results[a.user.id].time);
    assert.deepEqual(endA.data.ratings, {
      [b.user.id]: { before: 1200, after: 1216 },
      [a.user.id]: { before: 1200, after: 1184 },
    });

    // Nothing either player received holds a hidden test's data.
    for (const client of [a.client, b.client]) {
      const everything = JSON.stringify(client.received);
      for (const marker of HIDDEN_MARKERS) assert.ok(!everything.includes(marker), marker);
    }

    // Stored: the battle, the ratings (also on the leaderboard).
    const battle = await api(`/api/battles/${battleId}`, a.token);
    assert.equal(battle.status, 200);
    assert.equal(battle.body.battle.status, 'ended');
    assert.equal(battle.body.battle.winner, b.user.id);
    assert.equal(battle.body.battle.problem.id, 'add-easy');
    assert.deepEqual(
      battle.body.battle.players.map((p: Json) => [p.username, p.score, p.submissions]),
      [
        [a.user.username, 25, 1],
        [b.user.username, 100, 1],
      ],
    );
    const board = await api('/api/leaderboard', a.token);
    const rows = board.body.leaderboard;
    const rowB = rows.find((r: Json) => r.userId === b.user.id);
    const rowA = rows.find((r: Json) => r.userId === a.user.id);
    assert.deepEqual(
      { ...rowB, draws: undefined },
      {
        userId: b.user.id,
        username: b.user.username,
        rating: 1216,
        wins: 1,
        losses: 0,
        draws: undefined,
      },
    );
    assert.equal(rowA.rating, 1184);
    assert.equal(rowA.losses, 1);
    assert.ok(rows.indexOf(rowB) < rows.indexOf(rowA), 'highest rating first');
    const ratings = await app.db.selectFrom('arena_ratings').selectAll().execute();
    assert.equal(ratings.find((r) => r.user_id === b.user.id)?.rating, 1216);
    const submissions = await app.db
      .selectFrom('arena_submissions')
      .select(['user_id', 'score', 'verdict'])
      .where('battle_id', '=', battleId)
      .execute();
    assert.equal(submissions.length, 2);
    finishedBattle = battleId;
  });

  test('time runs out: the best score wins, and among equal scores the earliest', async () => {
    // The hard fixture problem lasts 4 seconds.
    const [a, b, battleId] = await matched('hard');
    const submit = (p: Player, code: string) =>
      ok(p.client, 'battle:submit', { battleId, code, language: 'javascript' }, 20_000);
    // B scores 25 first; A reaches 75 while B's first submission is still being judged
    // (or just after); B reaches 75 later.
    const first = submit(b, SOLUTIONS.wrong);
    const second = submit(a, SOLUTIONS.partial);
    await first;
    await submit(b, SOLUTIONS.partial);
    await second;
    const ended = await nextEvent(a.client, 'battle:ended', 10_000);
    assert.equal(ended.data.reason, 'timeout');
    assert.equal(ended.data.results[a.user.id].score, 75);
    assert.equal(ended.data.results[b.user.id].score, 75);
    // B's first submission came first, but B reached 75 after A did.
    assert.ok(ended.data.results[a.user.id].time < ended.data.results[b.user.id].time);
    assert.equal(ended.data.winner, a.user.id);
    // Too late now.
    const late = await request(b.client, 'battle:submit', {
      battleId,
      code: SOLUTIONS.right,
      language: 'javascript',
    });
    assert.equal(late.error.code, 'INVALID_BATTLE_ID');
    assert.equal(late.error.details.status, 'ended');
  });

  test('a player without a connection past the grace period forfeits; one who comes back in time does not', async () => {
    const [a, b, battleId] = await matched('medium');
    await a.client.close();
    const ended = await nextEvent(b.client, 'battle:ended', 3000);
    assert.equal(ended.data.battleId, battleId);
    assert.equal(ended.data.winner, b.user.id);
    assert.equal(ended.data.reason, 'forfeit');
    assert.equal(ended.data.ratings[b.user.id].after, 1216);

    const [c, d, second] = await matched('medium');
    await c.client.close();
    const back = await connectArena(app.wsUrl, c.token);
    clients.push(back);
    await new Promise((resolve) => setTimeout(resolve, 600)); // twice the grace period
    assert.deepEqual(
      d.client.pending.filter((m) => m.event === 'battle:ended'),
      [],
      'no forfeit for a player who reconnected',
    );
    const rejoined = await ok(back, 'battle:join', { battleId: second });
    assert.equal(rejoined.data.status, 'active');
    assert.equal(rejoined.data.opponent.username, d.user.username);
    // Giving up is a forfeit at once.
    const left = await ok(back, 'battle:leave', { battleId: second });
    assert.equal(left.data.status, 'forfeited');
    const end = await nextEvent(d.client, 'battle:ended');
    assert.equal(end.data.winner, d.user.id);
    assert.equal(end.data.reason, 'forfeit');
  });

  test('BATTLE_FULL, INVALID_BATTLE_ID and INVALID_CODE', async () => {
    const [a, , battleId] = await matched('easy', 'ranked');
    const third = await player();
    const full = await request(third.client, 'battle:join', { battleId });
    assert.equal(full.type, 'error');
    assert.match(full.id, /^req-/);
    assert.equal(full.error.code, 'BATTLE_FULL');
    assert.equal(full.error.details.battleId, battleId);
    assert.ok(!Number.isNaN(Date.parse(full.timestamp)));
    assert.deepEqual(Object.keys(full).sort(), ['error', 'id', 'timestamp', 'type']);
    assert.deepEqual(Object.keys(full.error).sort(), ['code', 'details', 'message']);

    const unknown = await request(third.client, 'battle:submit', {
      battleId: 'no-such-battle',
      code: SOLUTIONS.right,
      language: 'javascript',
    });
    assert.equal(unknown.error.code, 'INVALID_BATTLE_ID');
    assert.deepEqual(unknown.error.details, { battleId: 'no-such-battle', status: 'not_found' });
    const ended = await request(third.client, 'battle:join', { battleId: finishedBattle });
    assert.equal(ended.error.code, 'INVALID_BATTLE_ID');
    assert.equal(ended.error.details.status, 'ended');

    const syntax = await request(
      a.client,
      'battle:submit',
      { battleId, code: SOLUTIONS.syntaxError, language: 'javascript' },
      20_000,
    );
    assert.equal(syntax.type, 'error');
    assert.equal(syntax.error.code, 'INVALID_CODE');
    assert.equal(syntax.error.details.verdict, 'Compilation Error');
    assert.match(syntax.error.details.message, /SyntaxError/);
    const empty = await request(a.client, 'battle:submit', {
      battleId,
      code: '  \n',
      language: 'javascript',
    });
    assert.equal(empty.error.code, 'INVALID_CODE');
    assert.equal(empty.error.details.reason, 'empty');
    const stranger = await request(third.client, 'battle:submit', {
      battleId,
      code: SOLUTIONS.right,
      language: 'javascript',
    });
    assert.equal(stranger.error.code, 'FORBIDDEN');
    await ok(a.client, 'battle:leave', { battleId });
  });

  test('RATE_LIMITED after a burst of 100 requests on one connection, echoing each id', async () => {
    const { client } = await player();
    for (let i = 0; i < 130; i++)
      client.send({ id: `burst-${i}`, type: 'action', event: 'system:ping', data: {} });
    const answers: Json[] = [];
    for (let i = 0; i < 130; i++)
      answers.push(await client.next((m) => String(m.id).startsWith('burst-')));
    const byId = new Map(answers.map((m) => [m.id, m]));
    for (let i = 0; i < 100; i++)
      assert.equal(byId.get(`burst-${i}`)?.type, 'response', `request ${i}`);
    const limited = answers.filter((m) => m.type === 'error');
    assert.ok(limited.length >= 25, `${limited.length} refused`);
    for (const m of limited) {
      assert.equal(m.error.code, 'RATE_LIMITED');
      assert.equal(typeof m.error.details.retryAfterMs, 'number');
    }
    // The connection lives on and is served again once the bucket refills.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await request(client, 'system:ping')).type, 'response');
  });

  test('UNAUTHORIZED: no token, a forged one, or one that expires while connected', async () => {
    for (const url of [`${app.wsUrl}/v1`, `${app.wsUrl}/v1?token=forged.token.here`]) {
      const client = await TestClient.connect(url);
      const error = await client.next();
      assert.equal(error.type, 'error');
      assert.equal(error.id, null);
      assert.equal(error.error.code, 'UNAUTHORIZED');
      assert.equal((await client.closed).code, 4401);
    }
    // A header token works as well as ?token=.
    const { user, token } = await app.createUser();
    const viaHeader = await TestClient.connect(`${app.wsUrl}/v1`, {
      authorization: `Bearer ${token}`,
    });
    clients.push(viaHeader);
    assert.equal((await request(viaHeader, 'system:ping')).type, 'response');

    const shortLived = await signToken(user, 1);
    const client = await connectArena(app.wsUrl, shortLived);
    assert.equal((await request(client, 'system:ping')).type, 'response');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await request(client, 'system:ping');
    assert.equal(expired.type, 'error');
    assert.equal(expired.error.code, 'UNAUTHORIZED');
    assert.match(expired.id, /^req-/);
    assert.equal((await client.closed).code, 4401);
  });

  test('battle:leave and a disconnect take a player out of the queue', async () => {
    const a = await player();
    await ok(a.client, 'battle:join', {
      difficulty: 'medium',
      language: 'javascript',
      mode: 'practice',
    });
    const again = await request(a.client, 'battle:join', {
      difficulty: 'medium',
      mode: 'practice',
    });
    assert.equal(again.error.code, 'ALREADY_QUEUED');
    assert.equal((await ok(a.client, 'battle:leave')).data.status, 'left_queue');
    assert.equal((await ok(a.client, 'battle:leave')).data.status, 'not_queued');

    const b = await player();
    await ok(b.client, 'battle:join', {
      difficulty: 'medium',
      language: 'javascript',
      mode: 'practice',
    });
    await b.client.close();
    const c = await player();
    await ok(c.client, 'battle:join', {
      difficulty: 'medium',
      language: 'javascript',
      mode: 'practice',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      c.client.pending.filter((m) => m.event === 'battle:matched'),
      [],
      'neither the player who left nor the one who disconnected is still waiting',
    );
    const d = await player();
    await ok(d.client, 'battle:join', {
      difficulty: 'medium',
      language: 'python',
      mode: 'practice',
    });
    const matchedC = await nextEvent(c.client, 'battle:matched');
    assert.equal(matchedC.data.opponent.username, d.user.username);
    const matchedD = await nextEvent(d.client, 'battle:matched');
    assert.equal(
      matchedD.data.problem.starter,
      'def add(a, b):\n    pass\n',
      "each player gets their language's starter",
    );
    assert.equal(matchedD.data.mode, 'practice');
    // A practice battle leaves ratings alone.
    await ok(c.client, 'battle:leave', { battleId: matchedC.data.battleId });
    const end = await nextEvent(d.client, 'battle:ended');
    assert.deepEqual(end.data.ratings, {});
  });

  test('bad requests get VALIDATION_ERROR or UNKNOWN_EVENT, and the connection lives on', async () => {
    const { client } = await player();
    const bad = await request(client, 'battle:join', { difficulty: 'impossible' });
    assert.equal(bad.error.code, 'VALIDATION_ERROR');
    assert.equal(bad.error.details.issues[0].path, 'difficulty');
    const unknown = await request(client, 'battle:teleport', {});
    assert.equal(unknown.error.code, 'UNKNOWN_EVENT');
    client.send('{not json');
    const notJson = await client.next((m) => m.type === 'error' && m.id === null);
    assert.equal(notJson.error.code, 'VALIDATION_ERROR');
    client.send({ id: 'no-event', data: {} });
    assert.equal((await client.next((m) => m.id === 'no-event')).error.code, 'VALIDATION_ERROR');
    assert.equal((await request(client, 'system:ping')).type, 'response');
  });
});
