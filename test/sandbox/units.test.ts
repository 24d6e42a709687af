// The sandbox's pure pieces, without worker processes: answer comparison,
// judge result assembly (hidden tests), request validation, output capping,
// the run guard and the parsing of what a worker sends back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildJudgeResult, jsonEqual } from '../../src/sandbox/judge.js';
import { normalizeJudge, normalizeRun } from '../../src/sandbox/requests.js';
import { DEFAULTS, LIMITS, type JudgeTest } from '../../src/sandbox/types.js';
import { SandboxRequestError } from '../../src/sandbox/errors.js';
import { CappedOutput } from '../../src/sandbox/worker/capped-output.js';
import { RunGuard } from '../../src/sandbox/worker/run-guard.js';
import { parseWorkerMessage } from '../../src/sandbox/worker-messages-check.js';
import type { JudgeOutcome, TestOutcome } from '../../src/sandbox/worker/messages.js';

describe('jsonEqual', () => {
  it('compares integers exactly and fractions with a relative tolerance', () => {
    assert.equal(jsonEqual(3, 3), true);
    assert.equal(jsonEqual(3, 4), false);
    assert.equal(jsonEqual(1e15, 1e15 + 2), false);
    assert.equal(jsonEqual(0.3, 0.1 + 0.2), true);
    assert.equal(jsonEqual(0.3, 0.31), false);
    assert.equal(jsonEqual(1e9 + 0.5, 1e9 + 0.5001), true);
  });

  it('compares arrays in order and objects regardless of key order', () => {
    assert.equal(jsonEqual([1, [2, 3]], [1, [2, 3]]), true);
    assert.equal(jsonEqual([1, 2], [2, 1]), false);
    assert.equal(jsonEqual([1, 2], [1, 2, 3]), false);
    assert.equal(jsonEqual({ a: 1, b: [true] }, { b: [true], a: 1 }), true);
    assert.equal(jsonEqual({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(jsonEqual({ a: 1 }, [1]), false);
  });

  it('does not mix types', () => {
    assert.equal(jsonEqual(1, '1'), false);
    assert.equal(jsonEqual(true, 1), false);
    assert.equal(jsonEqual(null, 0), false);
    assert.equal(jsonEqual(null, null), true);
    assert.equal(jsonEqual('a', 'a'), true);
  });
});

const ok = (actual: unknown, stdout = ''): TestOutcome => ({
  status: 'ok',
  actual: JSON.stringify(actual),
  error: null,
  stdout,
  executionTime: 1,
});

function outcome(tests: TestOutcome[]): JudgeOutcome {
  return { loadStatus: 'ok', loadError: null, tests, memoryUsed: 12, truncated: false };
}

describe('buildJudgeResult', () => {
  const tests: JudgeTest[] = [
    { input: [1, 2], output: 3 },
    { input: [424242, 1], output: 424243, hidden: true },
    { input: [5, 5], output: 10 },
  ];

  it('accepts when every answer matches', () => {
    const r = buildJudgeResult(tests, outcome([ok(3), ok(424243), ok(10)]));
    assert.equal(r.verdict, 'Accepted');
    assert.equal(r.testsPassed, 3);
    assert.equal(r.totalTests, 3);
    assert.equal(r.firstFailedTest, null);
    assert.equal(r.error, null);
    assert.equal(r.executionTime, 3);
  });

  it('shows expected and actual for a visible wrong answer', () => {
    const r = buildJudgeResult(tests, outcome([ok(4, 'dbg\n'), ok(424243), ok(10)]));
    assert.equal(r.verdict, 'Wrong Answer');
    assert.equal(r.testsPassed, 2);
    assert.equal(r.firstFailedTest, 0);
    const first = r.results[0]!;
    assert.equal(first.hidden, false);
    if (first.hidden) return;
    assert.deepEqual([first.expected, first.actual, first.stdout], [3, 4, 'dbg\n']);
  });

  it('reveals nothing of a hidden test but pass/fail, even in the error', () => {
    const failing: TestOutcome = {
      status: 'runtime_error',
      actual: null,
      error: 'ValueError: bad input 424242',
      stdout: 'saw 424242',
      executionTime: 1,
    };
    for (const hiddenOutcome of [ok(999999), failing]) {
      const r = buildJudgeResult(tests, outcome([ok(3), hiddenOutcome, ok(10)]));
      assert.notEqual(r.verdict, 'Accepted');
      assert.equal(r.firstFailedTest, 1);
      assert.deepEqual(Object.keys(r.results[1]!).sort(), [
        'executionTime',
        'hidden',
        'index',
        'passed',
        'verdict',
      ]);
      const text = JSON.stringify(r);
      for (const secret of ['424242', '424243', '999999'])
        assert.ok(!text.includes(secret), `leaked ${secret}`);
      assert.match(r.error ?? '', /hidden test 2/);
    }
  });

  it('maps limits to verdicts and marks the rest as not run', () => {
    const r = buildJudgeResult(
      tests,
      outcome([
        ok(3),
        {
          status: 'timeout',
          actual: null,
          error: 'Time limit exceeded',
          stdout: '',
          executionTime: 2000,
        },
        { status: 'skipped', actual: null, error: null, stdout: '', executionTime: 0 },
      ]),
    );
    assert.equal(r.verdict, 'Time Limit Exceeded');
    assert.deepEqual(
      r.results.map((t) => t.verdict),
      ['Accepted', 'Time Limit Exceeded', 'Not Run'],
    );
  });

  it('reports a compile error without running anything', () => {
    const r = buildJudgeResult(tests, {
      loadStatus: 'compile_error',
      loadError: 'SyntaxError: invalid syntax',
      tests: [],
      memoryUsed: 0,
      truncated: false,
    });
    assert.equal(r.verdict, 'Compilation Error');
    assert.equal(r.testsPassed, 0);
    assert.equal(r.error, 'SyntaxError: invalid syntax');
    assert.ok(r.results.every((t) => t.verdict === 'Not Run'));
  });
});

describe('request validation', () => {
  const run = (req: object) => normalizeRun(req as never, DEFAULTS, LIMITS);
  const judge = (req: object) => normalizeJudge(req as never, DEFAULTS, LIMITS);

  it('fills in the defaults', () => {
    const r = run({ language: 'python', code: 'print(1)' });
    assert.equal(r.timeoutMs, 2000);
    assert.equal(r.memoryLimitBytes, 128 * 1024 * 1024);
    assert.equal(r.outputLimitBytes, 64 * 1024);
    assert.equal(r.stdin, '');
  });

  it('rejects bad fields with a BAD_REQUEST error', () => {
    const bad: object[] = [
      { language: 'ruby', code: '' },
      { language: 'python', code: 42 },
      { language: 'python', code: 'x'.repeat(LIMITS.maxCodeBytes + 1) },
      { language: 'python', code: '', timeoutMs: -1 },
      { language: 'python', code: '', timeoutMs: LIMITS.maxTimeoutMs + 1 },
      { language: 'python', code: '', memoryLimitMb: Number.NaN },
      { language: 'python', code: '', stdin: 7 },
    ];
    for (const req of bad) {
      assert.throws(
        () => run(req),
        (err: unknown) => err instanceof SandboxRequestError && err.code === 'BAD_REQUEST',
      );
    }
  });

  it('validates judge requests and never splices an unchecked name into code', () => {
    const base = { language: 'javascript', code: '', tests: [{ input: [1], output: 1 }] };
    assert.equal(judge({ ...base, function: 'Solution.twoSum' }).functionName, 'Solution.twoSum');
    for (const fn of ['', 'a b', 'f()', 'x;process.exit()', 'a.b.c', '1abc']) {
      assert.throws(() => judge({ ...base, function: fn }), SandboxRequestError);
    }
    assert.throws(() => judge({ ...base, function: 'f', tests: [] }), SandboxRequestError);
    assert.throws(
      () => judge({ ...base, function: 'f', tests: [{ input: 1, output: 1 }] }),
      SandboxRequestError,
    );
    assert.throws(
      () => judge({ ...base, function: 'f', tests: [{ input: [] }] }),
      SandboxRequestError,
    );
    const big = { input: ['x'.repeat(LIMITS.maxTestDataBytes)], output: null };
    assert.throws(() => judge({ ...base, function: 'f', tests: [big] }), SandboxRequestError);
  });

  it('sends the worker JSON inputs and keeps expected outputs on this side', () => {
    const r = judge({
      language: 'python',
      code: '',
      function: 'f',
      tests: [{ input: [[1, 2], { a: 'b' }], output: 'secret-expected', hidden: true }],
    });
    assert.deepEqual(r.inputs, ['[[1,2],{"a":"b"}]']);
    assert.ok(!r.inputs.join('').includes('secret-expected'));
    assert.equal(r.tests[0]!.hidden, true);
  });
});

describe('CappedOutput', () => {
  it('keeps bytes up to the limit, then marks the truncation and signals once', () => {
    let overflows = 0;
    const out = new CappedOutput(10, () => overflows++);
    out.writeString('12345');
    out.writeBytes(Buffer.from('67890abc'));
    out.writeString('more');
    assert.equal(overflows, 1);
    assert.equal(out.truncated, true);
    assert.match(out.text(), /^1234567890\n\[output truncated: limit of 10 bytes reached\]\n$/);
  });

  it('copies the bytes it is given (Pyodide reuses its buffer)', () => {
    const out = new CappedOutput(100, () => {});
    const buf = Buffer.from('abc');
    out.writeBytes(buf);
    buf.fill(0x7a);
    assert.equal(out.text(), 'abc');
    assert.equal(out.truncated, false);
  });
});

describe('RunGuard', () => {
  it('stops on CPU time once the wall clock passed the deadline, never before', async () => {
    let cpu = 0;
    const guard = new RunGuard(() => cpu);
    guard.arm(30);
    cpu = 1e9; // even absurd CPU readings are ignored before the deadline
    assert.equal(guard.shouldStop(), false);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(guard.shouldStop(), true);
    assert.equal(guard.reason, 'timeout');
  });

  it('does not stop a program that is idle (sleeping) until the wall-clock cap', async () => {
    const guard = new RunGuard(() => 0);
    guard.arm(20);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(guard.shouldStop(), false, 'no CPU used yet');
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(guard.shouldStop(), true, 'past 3x the deadline');
  });

  it('honours an explicit stop, and nothing once disarmed', () => {
    const guard = new RunGuard(() => 0);
    guard.arm(1000);
    guard.stop('output_limit');
    assert.equal(guard.shouldStop(), true);
    guard.disarm();
    assert.equal(guard.shouldStop(), false);
    assert.equal(guard.reason, 'output_limit');
  });
});

describe('parseWorkerMessage', () => {
  const result = {
    type: 'result',
    id: 1,
    retire: false,
    outcome: {
      status: 'ok',
      stdout: '',
      stderr: '',
      error: null,
      executionTime: 1,
      memoryUsed: 1,
      truncated: false,
    },
  };

  it('accepts well-formed messages', () => {
    assert.deepEqual(parseWorkerMessage(result), result);
    assert.deepEqual(parseWorkerMessage({ type: 'ready', bootMs: 5 }), {
      type: 'ready',
      bootMs: 5,
    });
    assert.deepEqual(parseWorkerMessage({ type: 'progress', id: 3, done: 0 }), {
      type: 'progress',
      id: 3,
      done: 0,
    });
  });

  it('rejects anything malformed', () => {
    const bad: unknown[] = [
      null,
      'ready',
      { type: 'ready' },
      { type: 'nope' },
      { ...result, id: 'x' },
      { ...result, retire: undefined },
      { ...result, outcome: { ...result.outcome, status: 'hacked' } },
      { ...result, outcome: { ...result.outcome, stdout: 5 } },
      { ...result, outcome: { ...result.outcome, executionTime: -1 } },
      { type: 'progress', id: 3, done: 1, test: { status: 'ok' } },
      {
        type: 'judged',
        id: 1,
        retire: false,
        outcome: {
          loadStatus: 'ok',
          loadError: null,
          tests: [{}],
          memoryUsed: 0,
          truncated: false,
        },
      },
    ];
    for (const message of bad)
      assert.equal(parseWorkerMessage(message), null, JSON.stringify(message));
  });
});
