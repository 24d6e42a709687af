// Turns what a worker reports about a judged submission into the judge's
// result: compares each returned value with the expected one (expected values
// never enter the sandbox), picks the verdict, and keeps hidden tests' data out.
import type { JudgeOutcome, RunStatus, TestOutcome } from './worker/messages.js';
import type { JudgeResult, JudgeTest, JudgeVerdict, TestResult, TestVerdict } from './types.js';

const RELATIVE_TOLERANCE = 1e-6;

/**
 * Deep equality of JSON values. Integers compare exactly; when either number
 * has a fractional part they may differ by a relative 1e-6 (floating-point
 * answers). Object key order does not matter; array order does.
 */
export function jsonEqual(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (expected === actual) return true;
    if (Number.isInteger(expected) && Number.isInteger(actual)) return false;
    const scale = Math.max(1, Math.abs(expected), Math.abs(actual));
    return Math.abs(expected - actual) <= RELATIVE_TOLERANCE * scale;
  }
  if (
    expected === null ||
    actual === null ||
    typeof expected !== 'object' ||
    typeof actual !== 'object'
  ) {
    return expected === actual;
  }
  if (Array.isArray(expected) !== Array.isArray(actual)) return false;
  if (Array.isArray(expected)) {
    const other = actual as unknown[];
    return expected.length === other.length && expected.every((v, i) => jsonEqual(v, other[i]));
  }
  const a = expected as Record<string, unknown>;
  const b = actual as Record<string, unknown>;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

const VERDICT_OF: Record<RunStatus, JudgeVerdict> = {
  ok: 'Accepted',
  timeout: 'Time Limit Exceeded',
  memory: 'Memory Limit Exceeded',
  runtime_error: 'Runtime Error',
  output_limit: 'Runtime Error',
  compile_error: 'Compilation Error',
};

function testVerdict(
  outcome: TestOutcome,
  expected: unknown,
): { verdict: TestVerdict; actual: unknown } {
  if (outcome.status === 'skipped') return { verdict: 'Not Run', actual: null };
  if (outcome.status !== 'ok') return { verdict: VERDICT_OF[outcome.status], actual: null };
  let actual: unknown = null;
  try {
    actual = JSON.parse(outcome.actual ?? 'null');
  } catch {
    return { verdict: 'Wrong Answer', actual: outcome.actual };
  }
  return { verdict: jsonEqual(expected, actual) ? 'Accepted' : 'Wrong Answer', actual };
}

function testError(outcome: TestOutcome, verdict: TestVerdict): string | null {
  if (outcome.status === 'output_limit') return 'Output limit exceeded';
  if (verdict === 'Accepted' || verdict === 'Wrong Answer' || verdict === 'Not Run') return null;
  return outcome.error;
}

export function buildJudgeResult(tests: JudgeTest[], outcome: JudgeOutcome): JudgeResult {
  if (outcome.loadStatus !== 'ok') {
    const verdict = VERDICT_OF[outcome.loadStatus];
    return {
      verdict,
      testsPassed: 0,
      totalTests: tests.length,
      results: tests.map((test, index) => notRun(test, index)),
      executionTime: 0,
      memoryUsed: outcome.memoryUsed,
      firstFailedTest: tests.length > 0 ? 0 : null,
      // Loading the code involves no test data, so its error is safe to show.
      error: outcome.loadStatus === 'output_limit' ? 'Output limit exceeded' : outcome.loadError,
    };
  }
  const results: TestResult[] = [];
  let firstFailed: number | null = null;
  let verdict: JudgeVerdict = 'Accepted';
  let error: string | null = null;
  let executionTime = 0;
  tests.forEach((test, index) => {
    const reported = outcome.tests[index] ?? skipped();
    const { verdict: v, actual } = testVerdict(reported, test.output);
    const passed = v === 'Accepted';
    executionTime += reported.executionTime;
    if (!passed && firstFailed === null) {
      firstFailed = index;
      verdict = v === 'Not Run' ? 'Runtime Error' : v;
      const detail = testError(reported, v);
      error = test.hidden
        ? `${verdict} on hidden test ${index + 1}`
        : (detail ?? (v === 'Wrong Answer' ? `Wrong Answer on test ${index + 1}` : null));
    }
    if (test.hidden) {
      results.push({
        index,
        hidden: true,
        passed,
        verdict: v,
        executionTime: reported.executionTime,
      });
    } else {
      results.push({
        index,
        hidden: false,
        passed,
        verdict: v,
        executionTime: reported.executionTime,
        input: test.input,
        expected: test.output,
        actual,
        stdout: reported.stdout,
        error: testError(reported, v),
      });
    }
  });
  return {
    verdict,
    testsPassed: results.filter((r) => r.passed).length,
    totalTests: tests.length,
    results,
    executionTime: Math.round(executionTime * 100) / 100,
    memoryUsed: outcome.memoryUsed,
    firstFailedTest: firstFailed,
    error,
  };
}

function skipped(): TestOutcome {
  return { status: 'skipped', actual: null, error: null, stdout: '', executionTime: 0 };
}

function notRun(test: JudgeTest, index: number): TestResult {
  if (test.hidden)
    return { index, hidden: true, passed: false, verdict: 'Not Run', executionTime: 0 };
  return {
    index,
    hidden: false,
    passed: false,
    verdict: 'Not Run',
    executionTime: 0,
    input: test.input,
    expected: test.output,
    actual: null,
    stdout: '',
    error: null,
  };
}
