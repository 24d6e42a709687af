// Validation of what a worker sends back. A worker runs untrusted code, so its
// messages are parsed like any other untrusted input: anything malformed means
// the worker is treated as compromised and killed.
import type {
  JudgeOutcome,
  RunOutcome,
  RunStatus,
  TestOutcome,
  WorkerMessage,
} from './worker/messages.js';

const RUN_STATUSES: ReadonlySet<string> = new Set<RunStatus>([
  'ok',
  'timeout',
  'memory',
  'runtime_error',
  'compile_error',
  'output_limit',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isStrOrNull = (v: unknown): v is string | null => v === null || isStr(v);

function runOutcome(v: unknown): RunOutcome | null {
  if (!isObj(v)) return null;
  const { status, stdout, stderr, error, executionTime, memoryUsed, truncated } = v;
  if (!isStr(status) || !RUN_STATUSES.has(status)) return null;
  if (!isStr(stdout) || !isStr(stderr) || !isStrOrNull(error)) return null;
  if (!isNum(executionTime) || !isNum(memoryUsed) || typeof truncated !== 'boolean') return null;
  return {
    status: status as RunStatus,
    stdout,
    stderr,
    error,
    executionTime,
    memoryUsed,
    truncated,
  };
}

export function testOutcome(v: unknown): TestOutcome | null {
  if (!isObj(v)) return null;
  const { status, actual, error, stdout, executionTime } = v;
  if (!isStr(status) || (status !== 'skipped' && !RUN_STATUSES.has(status))) return null;
  if (!isStrOrNull(actual) || !isStrOrNull(error) || !isStr(stdout) || !isNum(executionTime))
    return null;
  return { status: status as TestOutcome['status'], actual, error, stdout, executionTime };
}

function judgeOutcome(v: unknown): JudgeOutcome | null {
  if (!isObj(v)) return null;
  const { loadStatus, loadError, tests, memoryUsed, truncated } = v;
  if (!isStr(loadStatus) || !RUN_STATUSES.has(loadStatus) || !isStrOrNull(loadError)) return null;
  if (!Array.isArray(tests) || !isNum(memoryUsed) || typeof truncated !== 'boolean') return null;
  const parsed: TestOutcome[] = [];
  for (const t of tests) {
    const test = testOutcome(t);
    if (!test) return null;
    parsed.push(test);
  }
  return { loadStatus: loadStatus as RunStatus, loadError, tests: parsed, memoryUsed, truncated };
}

/** Returns the message if well-formed, else null. */
export function parseWorkerMessage(v: unknown): WorkerMessage | null {
  if (!isObj(v) || !isStr(v.type)) return null;
  switch (v.type) {
    case 'ready':
      return isNum(v.bootMs) ? { type: 'ready', bootMs: v.bootMs } : null;
    case 'fatal':
      return isStr(v.message) ? { type: 'fatal', message: v.message.slice(0, 4000) } : null;
    case 'result': {
      const outcome = runOutcome(v.outcome);
      return outcome && isNum(v.id) && typeof v.retire === 'boolean'
        ? { type: 'result', id: v.id, outcome, retire: v.retire }
        : null;
    }
    case 'progress': {
      if (!isNum(v.id) || !isNum(v.done)) return null;
      if (v.test === undefined) return { type: 'progress', id: v.id, done: v.done };
      const test = testOutcome(v.test);
      return test ? { type: 'progress', id: v.id, done: v.done, test } : null;
    }
    case 'judged': {
      const outcome = judgeOutcome(v.outcome);
      return outcome && isNum(v.id) && typeof v.retire === 'boolean'
        ? { type: 'judged', id: v.id, outcome, retire: v.retire }
        : null;
    }
    default:
      return null;
  }
}
