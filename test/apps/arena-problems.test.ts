// The arena's problem bank: loading a directory (malformed files named and skipped),
// the built-in bank (every expected output checked by judging a reference solution in
// the sandbox), and the REST routes, which never show a hidden test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createArenaModule } from '../../src/apps/arena/index.js';
import { BUILTIN_PROBLEMS_DIR, loadProblemDir } from '../../src/apps/arena/problems.js';
import { SandboxPool } from '../../src/sandbox/index.js';
import { HIDDEN_MARKERS, writeTestProblems, type Json } from './arena-client.js';
import { referenceSolutions } from './arena-reference-solutions.js';
import { startTestApp, type TestApp } from './context.js';

const MALFORMED = {
  'broken.json': '{"id": "broken", "title": ',
  'no-tests.json': JSON.stringify({
    id: 'no-tests',
    title: 'No tests',
    difficulty: 'easy',
    description: 'x',
    function: 'f',
    starter: { python: '', javascript: '' },
  }),
  'bad-difficulty.json': JSON.stringify({
    id: 'bad-difficulty',
    title: 'Bad',
    difficulty: 'legendary',
    description: 'x',
    function: 'f',
    starter: { python: '', javascript: '' },
    tests: [{ input: [], output: 1 }],
  }),
  'copy-of-add.json': JSON.stringify({
    id: 'add-easy',
    title: 'Again',
    difficulty: 'easy',
    description: 'x',
    function: 'add',
    starter: { python: '', javascript: '' },
    tests: [{ input: [1, 1], output: 2 }],
  }),
  'README.txt': 'not a problem, not even looked at',
};

describe('problem files', () => {
  test('a directory with malformed files beside good ones: each bad file is named and skipped', () => {
    const dir = writeTestProblems(MALFORMED);
    try {
      const report = loadProblemDir(dir);
      assert.deepEqual(report.problems.map((p) => p.id).sort(), [
        'add-easy',
        'add-fast',
        'add-medium',
      ]);
      const rejected = Object.fromEntries(report.rejected.map((r) => [r.file, r.reason]));
      assert.deepEqual(Object.keys(rejected).sort(), [
        'bad-difficulty.json',
        'broken.json',
        'copy-of-add.json',
        'no-tests.json',
      ]);
      assert.match(rejected['broken.json']!, /invalid JSON/);
      assert.match(rejected['no-tests.json']!, /^tests:/);
      assert.match(rejected['bad-difficulty.json']!, /^difficulty:/);
      assert.match(rejected['copy-of-add.json']!, /duplicate id "add-easy"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a directory that cannot be read is an error', () => {
    assert.throws(() => loadProblemDir('/no/such/dir'), /cannot read the problems directory/);
  });

  test('the built-in bank: at least 15 valid problems over easy, medium and hard, Two Sum among them', () => {
    const report = loadProblemDir(BUILTIN_PROBLEMS_DIR);
    assert.deepEqual(report.rejected, []);
    assert.ok(report.problems.length >= 15, `${report.problems.length} problems`);
    const count = (d: string) => report.problems.filter((p) => p.difficulty === d).length;
    for (const difficulty of ['easy', 'medium', 'hard'])
      assert.ok(count(difficulty) >= 4, difficulty);
    assert.ok(report.problems.some((p) => p.title === 'Two Sum'));
    for (const problem of report.problems) {
      assert.ok(
        problem.tests.some((t) => t.hidden),
        `${problem.id} has hidden tests`,
      );
      assert.ok(
        problem.tests.some((t) => !t.hidden),
        `${problem.id} has visible tests`,
      );
    }
    assert.deepEqual(
      Object.keys(referenceSolutions).sort(),
      report.problems.map((p) => p.id).sort(),
    );
  });

  test("every built-in problem's tests are right (a reference solution passes them all) and its starters parse", async () => {
    // JavaScript only: no Pyodide worker to boot for nothing.
    const pool = new SandboxPool({ pythonWorkers: 0, javascriptWorkers: 1 });
    const problems = loadProblemDir(BUILTIN_PROBLEMS_DIR).problems;
    try {
      for (const problem of problems) {
        const judged = await pool.judge({
          language: 'javascript',
          code: referenceSolutions[problem.id]!,
          function: problem.function,
          tests: problem.tests,
          timeoutMs: problem.timeLimitMs,
        });
        assert.equal(judged.verdict, 'Accepted', `${problem.id}: ${judged.error}`);
        assert.equal(judged.testsPassed, problem.tests.length);
        // The JavaScript starter defines the function (it answers wrong, but it runs).
        const starter = await pool.judge({
          language: 'javascript',
          code: problem.starter.javascript,
          function: problem.function,
          tests: problem.tests.slice(0, 1),
        });
        assert.notEqual(starter.verdict, 'Compilation Error', `${problem.id}: ${starter.error}`);
      }
    } finally {
      await pool.close();
    }
    // Each Python starter is valid Python defining the function (checked by CPython).
    const check = [
      'import ast, json, sys',
      'for p in json.load(sys.stdin):',
      '    tree = ast.parse(p["code"])',
      '    assert any(getattr(n, "name", None) == p["function"] for n in tree.body), p["function"]',
    ].join('\n');
    execFileSync('python3', ['-c', check], {
      input: JSON.stringify(
        problems.map((p) => ({ code: p.starter.python, function: p.function })),
      ),
    });
  });
});

describe('problem REST with --problems', () => {
  let app: TestApp;
  let dir: string;
  let token: string;

  before(async () => {
    dir = writeTestProblems(MALFORMED);
    app = await startTestApp([createArenaModule({ problemsDir: dir })]);
    token = (await app.createUser()).token;
  });

  after(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function get(path: string, auth = true) {
    const response = await fetch(app.url + path, {
      headers: auth ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: response.status, text: await response.text() };
  }

  test('only the directory’s problems are listed, by difficulty if asked', async () => {
    const all = await get('/api/problems');
    assert.equal(all.status, 200);
    const body = JSON.parse(all.text) as Json;
    assert.deepEqual(body.problems.map((p: Json) => p.id).sort(), [
      'add-easy',
      'add-fast',
      'add-medium',
    ]);
    assert.deepEqual(
      body.problems.find((p: Json) => p.id === 'add-easy'),
      {
        id: 'add-easy',
        title: 'Add (easy)',
        difficulty: 'easy',
        totalTests: 4,
      },
    );
    const hard = JSON.parse((await get('/api/problems?difficulty=hard')).text) as Json;
    assert.deepEqual(
      hard.problems.map((p: Json) => p.id),
      ['add-fast'],
    );
    assert.equal((await get('/api/problems/two-sum')).status, 404, 'the built-in bank is replaced');
    assert.equal((await get('/api/problems?difficulty=legendary')).status, 400);
    // Public, as a battle site's problem list is; the rest of the arena's REST is not.
    assert.equal((await get('/api/problems', false)).status, 200);
    assert.equal((await get('/api/problems/add-easy', false)).status, 200);
    assert.equal((await get('/api/leaderboard', false)).status, 200);
    assert.equal((await get('/api/notifications', false)).status, 401);
  });

  test('a problem’s details show its visible tests only', async () => {
    const response = await get('/api/problems/add-easy');
    assert.equal(response.status, 200);
    const { problem } = JSON.parse(response.text) as Json;
    assert.equal(problem.function, 'add');
    assert.deepEqual(problem.starter, {
      python: 'def add(a, b):\n    pass\n',
      javascript: 'function add(a, b) {\n}\n',
    });
    assert.deepEqual(problem.examples, [
      { input: [1, 2], output: 3 },
      { input: [7, 0], output: 7 },
    ]);
    assert.equal(problem.totalTests, 4);
    assert.equal(problem.tests, undefined);
    for (const marker of HIDDEN_MARKERS) assert.ok(!response.text.includes(marker), marker);
  });
});
