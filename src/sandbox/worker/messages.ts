// The IPC protocol between the pool (parent) and one sandbox worker process.
// Only plain JSON travels over the channel; the parent validates every message
// it receives, because a worker runs untrusted code and is never trusted itself.

export type Language = 'python' | 'javascript';

/** How one run (or one judged test) ended, as seen inside the worker. */
export type RunStatus =
  'ok' | 'timeout' | 'memory' | 'runtime_error' | 'compile_error' | 'output_limit';

export interface RunJob {
  type: 'run';
  id: number;
  code: string;
  stdin: string;
  timeoutMs: number;
  memoryLimitBytes: number;
  outputLimitBytes: number;
}

export interface JudgeJob {
  type: 'judge';
  id: number;
  code: string;
  functionName: string;
  /** one JSON-encoded argument array per test */
  inputs: string[];
  timeoutMs: number;
  memoryLimitBytes: number;
  outputLimitBytes: number;
}

export type ParentMessage = RunJob | JudgeJob;

export interface RunOutcome {
  status: RunStatus;
  stdout: string;
  stderr: string;
  error: string | null;
  /** wall-clock milliseconds of the guest code itself */
  executionTime: number;
  /** peak memory of the run in MiB (see docs/sandbox.md for how each runtime measures it) */
  memoryUsed: number;
  truncated: boolean;
}

export interface TestOutcome {
  status: RunStatus | 'skipped';
  /** JSON text of the returned value when status is 'ok' */
  actual: string | null;
  error: string | null;
  stdout: string;
  executionTime: number;
}

/** A test not run because an earlier one stopped the submission (or it never loaded). */
export function skippedTest(): TestOutcome {
  return { status: 'skipped', actual: null, error: null, stdout: '', executionTime: 0 };
}

export interface JudgeOutcome {
  /** set when the submission could not be loaded at all (syntax error, missing function, crash at top level) */
  loadStatus: RunStatus;
  loadError: string | null;
  tests: TestOutcome[];
  memoryUsed: number;
  truncated: boolean;
}

export type WorkerMessage =
  | { type: 'ready'; bootMs: number }
  /** `retire`: the worker cannot be reused and exits right after this message. */
  | { type: 'result'; id: number; outcome: RunOutcome; retire: boolean }
  /** After loading the code (done 0, no test) and after each test. */
  | { type: 'progress'; id: number; done: number; test?: TestOutcome }
  | { type: 'judged'; id: number; outcome: JudgeOutcome; retire: boolean }
  | { type: 'fatal'; message: string };
