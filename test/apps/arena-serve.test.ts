// The arena end to end on a real `ringside serve` process: a custom --problems
// directory (malformed files named in the log and skipped), two users registered over
// REST and matched over /v1 with `ws` clients, one Python and one JavaScript
// submission judged in the real sandbox, and the ratings still there after a restart.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_FORFEIT_GRACE_MS, type ArenaSettings } from '../../src/apps/arena/settings.js';
import { serveSettings } from '../../src/cli/serve-config.js';
import { api, registerUser } from '../helpers/http.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import {
  connectArena,
  nextEvent,
  ok,
  SOLUTIONS,
  writeTestProblems,
  type Json,
} from './arena-client.js';
import { TestClient } from './ws-client.js';

describe('arena flags of ringside serve', () => {
  test('--problems, --admin-users, --battle-seconds, --forfeit-grace-ms and their variables', () => {
    const arena = (argv: string[], env: NodeJS.ProcessEnv) =>
      serveSettings(argv, env).config.modules!.arena as ArenaSettings;
    const none = arena([], {});
    assert.deepEqual(
      [none.problemsDir, none.adminUsers, none.battleSeconds, none.forfeitGraceMs],
      [undefined, undefined, undefined, DEFAULT_FORFEIT_GRACE_MS],
    );
    const flags = arena(
      ['--problems', 'bank', '--admin-users', 'root, Alice', '--battle-seconds', '90'],
      { RINGSIDE_FORFEIT_GRACE_MS: '250', RINGSIDE_BATTLE_SECONDS: '30' },
    );
    assert.equal(flags.problemsDir, path.resolve('bank'));
    assert.deepEqual(flags.adminUsers, ['root', 'Alice']);
    assert.equal(flags.battleSeconds, 90, 'the flag wins over the variable');
    assert.equal(flags.forfeitGraceMs, 250);
    assert.equal(arena([], { RINGSIDE_PROBLEMS: '/srv/p' }).problemsDir, '/srv/p');
    assert.throws(() => serveSettings(['--battle-seconds', '0'], {}), /--battle-seconds must be/);
  });
});

describe('arena on ringside serve', () => {
  let serve: ServeProcess;
  let problemsDir: string;

  before(async () => {
    problemsDir = writeTestProblems({
      'broken.json': '{"id": ',
      'no-tests.json': JSON.stringify({ id: 'no-tests', title: 'x', difficulty: 'easy' }),
    });
    // One worker per language: the default two would boot a second Pyodide for nothing.
    serve = await startServe([
      '--problems',
      problemsDir,
      '--python-workers',
      '1',
      '--javascript-workers',
      '1',
    ]);
  });

  after(async () => {
    await serve?.stop();
    rmSync(problemsDir, { recursive: true, force: true });
  });

  test('malformed problem files are reported by name; only the directory’s problems are served', async () => {
    const output = serve.output();
    assert.match(output, /skipped problem file broken\.json/);
    assert.match(output, /skipped problem file no-tests\.json/);
    const { token } = await registerUser(serve.url);
    const listed = await api(serve.url, 'GET', '/api/problems', undefined, token);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.problems.map((p: Json) => p.id).sort(), [
      'add-easy',
      'add-fast',
      'add-medium',
    ]);
  });

  test('two users matched, a wrong JavaScript and a right Python submission; ratings survive a restart', async () => {
    const alice = await registerUser(serve.url);
    const bob = await registerUser(serve.url);
    const a = await connectArena(serve.wsUrl, alice.token);
    const b = await connectArena(serve.wsUrl, bob.token);
    try {
      await ok(a, 'battle:join', { difficulty: 'easy', language: 'python', mode: 'quick-battle' });
      await ok(b, 'battle:join', {
        difficulty: 'easy',
        language: 'javascript',
        mode: 'quick-battle',
      });
      const [ma, mb] = await Promise.all([
        nextEvent(a, 'battle:matched'),
        nextEvent(b, 'battle:matched'),
      ]);
      const battleId = ma.data.battleId;
      assert.equal(mb.data.battleId, battleId);
      assert.deepEqual(ma.data.opponent, {
        userId: bob.user.id,
        username: bob.user.username,
        rating: 1200,
      });
      assert.equal(ma.data.problem.starter, 'def add(a, b):\n    pass\n');
      assert.equal(mb.data.problem.starter, 'function add(a, b) {\n}\n');

      await ok(
        b,
        'battle:submit',
        { battleId, code: SOLUTIONS.wrong, language: 'javascript' },
        60_000,
      );
      const wrong = await nextEvent(b, 'battle:execution_result');
      assert.equal(wrong.data.testsPassed, 1);
      assert.equal(wrong.data.totalTests, 4);
      assert.equal((await nextEvent(a, 'battle:submission')).data.userId, bob.user.id);

      // Python: the first Python run boots Pyodide (seconds).
      await ok(
        a,
        'battle:submit',
        { battleId, code: SOLUTIONS.python, language: 'python' },
        60_000,
      );
      const right = await nextEvent(a, 'battle:execution_result');
      assert.equal(right.data.testsPassed, 4);
      assert.ok(right.data.memoryUsed > 0);
      const ended = await nextEvent(b, 'battle:ended');
      assert.equal(ended.data.winner, alice.user.id);
      assert.deepEqual(ended.data.results[bob.user.id].score, 25);
      assert.deepEqual(ended.data.results[alice.user.id].score, 100);
      assert.deepEqual(ended.data.ratings[alice.user.id], { before: 1200, after: 1216 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }

    await serve.restart();
    const board = await api(serve.url, 'GET', '/api/leaderboard', undefined, alice.token);
    assert.equal(board.status, 200);
    const rows = board.body.leaderboard.map((r: Json) => [r.username, r.rating, r.wins, r.losses]);
    assert.deepEqual(rows, [
      [alice.user.username, 1216, 1, 0],
      [bob.user.username, 1184, 0, 1],
    ]);

    // And a client without a token is told so on the restarted server.
    const anonymous = await TestClient.connect(`${serve.wsUrl}/v1`);
    assert.equal((await anonymous.next()).error.code, 'UNAUTHORIZED');
    assert.equal((await anonymous.closed).code, 4401);
  });
});
