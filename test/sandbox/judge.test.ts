// The judge, end to end through real workers: every verdict in both
// languages, per-test results, and hidden tests that reveal nothing but pass/fail.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  JudgeRequest,
  JudgeResult,
  SandboxPool,
  TestResult,
} from '../../src/sandbox/index.js';
import { warmPool } from './fixture.js';

type Lang = JudgeRequest['language'];

const ADD_TESTS = [
  { input: [1, 2], output: 3 },
  { input: [-5, 5], output: 0 },
  { input: [777001, 1], output: 777002, hidden: true },
];

const SOURCES: Record<string, Record<Lang, string>> = {
  add: {
    python: 'def add(a, b):\n    return a + b',
    javascript: 'function add(a, b) { return a + b }',
  },
  addWrongForNegatives: {
    python: 'def add(a, b):\n    print("debug", a, b)\n    return abs(a) + b',
    javascript: 'const add = (a, b) => { console.log("debug", a, b); return Math.abs(a) + b }',
  },
  addSlowOnSecond: {
    python: 'def add(a, b):\n    while a < 0: pass\n    return a + b',
    javascript: 'function add(a, b) { while (a < 0) {} return a + b }',
  },
  addHungryOnSecond: {
    python:
      'def add(a, b):\n    keep = []\n    while a < 0:\n        keep.append(bytearray(1 << 20))\n    return a + b',
    javascript:
      'function add(a, b) { const keep = []; while (a < 0) keep.push(new ArrayBuffer(1 << 20)); return a + b }',
  },
  addThrowsOnSecond: {
    python:
      'def add(a, b):\n    if a < 0:\n        raise ValueError("negative %d" % a)\n    return a + b',
    javascript:
      'function add(a, b) { if (a < 0) throw new RangeError("negative " + a); return a + b }',
  },
  leaksHiddenInput: {
    python:
      'def add(a, b):\n    print("input was", a)\n    if a > 1000:\n        raise ValueError("input was %d" % a)\n    return a + b',
    javascript:
      'function add(a, b) { console.log("input was", a); if (a > 1000) throw new Error("input was " + a); return a + b }',
  },
  syntaxError: {
    python: 'def add(a, b)\n    return a + b',
    javascript: 'function add(a, b) { return a + }',
  },
  missingFunction: {
    python: 'def plus(a, b):\n    return a + b',
    javascript: 'function plus(a, b) { return a + b }',
  },
};

const verdicts = (r: JudgeResult) => r.results.map((t) => t.verdict);
const visible = (t: TestResult | undefined) => {
  assert.ok(t && !t.hidden);
  return t;
};

for (const language of ['python', 'javascript'] as const) {
  describe(`judge (${language})`, () => {
    let pool: SandboxPool;
    before(async () => {
      pool = await warmPool({
        pythonWorkers: language === 'python' ? 1 : 0,
        javascriptWorkers: language === 'javascript' ? 1 : 0,
      });
    });
    after(() => pool.close());

    const judge = (source: keyof typeof SOURCES, extra: Partial<JudgeRequest> = {}) =>
      pool.judge({
        language,
        code: SOURCES[source]![language],
        function: 'add',
        tests: ADD_TESTS,
        ...extra,
      });

    it('Accepted', async () => {
      const r = await judge('add');
      assert.equal(r.verdict, 'Accepted');
      assert.deepEqual(
        [r.testsPassed, r.totalTests, r.firstFailedTest, r.error],
        [3, 3, null, null],
      );
      assert.deepEqual(verdicts(r), ['Accepted', 'Accepted', 'Accepted']);
      const first = visible(r.results[0]);
      assert.deepEqual([first.input, first.expected, first.actual], [[1, 2], 3, 3]);
      assert.ok(r.memoryUsed > 0 && r.executionTime >= 0);
    });

    it('Wrong Answer, with expected and actual for the visible test', async () => {
      const r = await judge('addWrongForNegatives');
      assert.equal(r.verdict, 'Wrong Answer');
      assert.deepEqual([r.testsPassed, r.firstFailedTest], [2, 1]);
      const second = visible(r.results[1]);
      assert.deepEqual([second.passed, second.expected, second.actual], [false, 0, 10]);
      assert.equal(second.stdout, 'debug -5 5\n');
      assert.equal(r.error, 'Wrong Answer on test 2');
    });

    it('a hidden test reveals only pass/fail, whatever the code prints or throws', async () => {
      const r = await judge('leaksHiddenInput');
      assert.equal(r.verdict, 'Runtime Error');
      assert.equal(r.firstFailedTest, 2);
      assert.deepEqual(r.results[2], {
        index: 2,
        hidden: true,
        passed: false,
        verdict: 'Runtime Error',
        executionTime: r.results[2]!.executionTime,
      });
      assert.equal(r.error, 'Runtime Error on hidden test 3');
      const text = JSON.stringify(r);
      assert.ok(!text.includes('777001') && !text.includes('777002'), 'hidden data leaked');
      assert.equal(
        visible(r.results[0]).stdout,
        'input was 1\n',
        'visible tests keep their output',
      );
    });

    it('Time Limit Exceeded stops at the slow test', async () => {
      const r = await judge('addSlowOnSecond', { timeoutMs: 500 });
      assert.equal(r.verdict, 'Time Limit Exceeded');
      assert.deepEqual(verdicts(r), ['Accepted', 'Time Limit Exceeded', 'Not Run']);
      assert.equal(r.testsPassed, 1);
    });

    it('Memory Limit Exceeded', async () => {
      const r = await judge('addHungryOnSecond', { memoryLimitMb: 64, timeoutMs: 5000 });
      assert.equal(r.verdict, 'Memory Limit Exceeded');
      assert.deepEqual(verdicts(r), ['Accepted', 'Memory Limit Exceeded', 'Not Run']);
      assert.ok(r.memoryUsed <= 64);
    });

    it('Runtime Error, with the error for the visible test, and the other tests still run', async () => {
      const r = await judge('addThrowsOnSecond');
      assert.equal(r.verdict, 'Runtime Error');
      assert.deepEqual(verdicts(r), ['Accepted', 'Runtime Error', 'Accepted']);
      assert.match(visible(r.results[1]).error ?? '', /negative -5/);
      assert.match(r.error ?? '', /negative -5/);
    });

    it('Time Limit Exceeded while loading the code', async () => {
      const code = language === 'python' ? 'while True: pass' : 'for (;;) {}';
      const r = await pool.judge({
        language,
        code,
        function: 'add',
        tests: ADD_TESTS,
        timeoutMs: 500,
      });
      assert.equal(r.verdict, 'Time Limit Exceeded');
      assert.deepEqual(verdicts(r), ['Not Run', 'Not Run', 'Not Run']);
    });

    if (language === 'python') {
      it('Time Limit Exceeded when a test never reaches an interrupt check (worker killed)', async () => {
        const r = await pool.judge({
          language,
          code: 'def add(a, b):\n    if a < 0:\n        sum(range(10**12))\n    return a + b',
          function: 'add',
          tests: ADD_TESTS,
          timeoutMs: 500,
        });
        assert.equal(r.verdict, 'Time Limit Exceeded');
        assert.deepEqual(verdicts(r), ['Accepted', 'Time Limit Exceeded', 'Not Run']);
        assert.equal((await judge('add')).verdict, 'Accepted', 'a replacement worker took over');
      });
    }

    it('Compilation Error for a syntax error or a missing function', async () => {
      const syntax = await judge('syntaxError');
      assert.equal(syntax.verdict, 'Compilation Error');
      assert.match(syntax.error ?? '', /SyntaxError/);
      assert.deepEqual(verdicts(syntax), ['Not Run', 'Not Run', 'Not Run']);
      const missing = await judge('missingFunction');
      assert.equal(missing.verdict, 'Compilation Error');
      assert.match(missing.error ?? '', /function 'add' is not defined/);
    });
  });
}

describe('judge: calling conventions and values', () => {
  let pool: SandboxPool;
  before(async () => {
    pool = await warmPool({ pythonWorkers: 1, javascriptWorkers: 1 });
  });
  after(() => pool.close());

  it('calls methods of a LeetCode-style Solution class', async () => {
    const py = await pool.judge({
      language: 'python',
      code: 'class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n        for i, n in enumerate(nums):\n            if target - n in seen:\n                return (seen[target - n], i)\n            seen[n] = i',
      function: 'twoSum',
      tests: [
        { input: [[2, 7, 11, 15], 9], output: [0, 1] },
        { input: [[3, 2, 4], 6], output: [1, 2] },
      ],
    });
    assert.equal(py.verdict, 'Accepted', JSON.stringify(py));
    const js = await pool.judge({
      language: 'javascript',
      code: 'class Solution { twoSum(nums, t) { const m = new Map(); for (let i = 0; i < nums.length; i++) { if (m.has(t - nums[i])) return [m.get(t - nums[i]), i]; m.set(nums[i], i) } } }',
      function: 'Solution.twoSum',
      tests: [{ input: [[3, 3], 6], output: [0, 1] }],
    });
    assert.equal(js.verdict, 'Accepted', JSON.stringify(js));
  });

  it('compares floats with a tolerance and converts sets, tuples and async results', async () => {
    const tests = [{ input: [0.1, 0.2], output: { sum: 0.3, parts: [0.1, 0.2], uniq: [1, 2] } }];
    const py = await pool.judge({
      language: 'python',
      code: 'def f(a, b):\n    return {"sum": a + b, "parts": (a, b), "uniq": {2, 1, 2}}',
      function: 'f',
      tests,
    });
    assert.equal(py.verdict, 'Accepted', JSON.stringify(py));
    const js = await pool.judge({
      language: 'javascript',
      code: 'async function f(a, b) { await null; return { sum: a + b, parts: [a, b], uniq: new Set([1, 2, 2]) } }',
      function: 'f',
      tests,
    });
    assert.equal(js.verdict, 'Accepted', JSON.stringify(js));
  });

  it('does not let one submission see the previous one', async () => {
    await pool.judge({
      language: 'python',
      code: 'import builtins\nbuiltins.SEEN = []\ndef f(x):\n    builtins.SEEN.append(x)\n    return x',
      function: 'f',
      tests: [{ input: ['secret-input'], output: 'secret-input', hidden: true }],
    });
    const spy = await pool.judge({
      language: 'python',
      code: 'import builtins\ndef f():\n    return getattr(builtins, "SEEN", None)',
      function: 'f',
      tests: [{ input: [], output: null }],
    });
    assert.equal(spy.verdict, 'Accepted', JSON.stringify(spy));
  });
});
