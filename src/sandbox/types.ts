// Public types of the sandbox: pool options, requests and results.
import type { Language } from './worker/messages.js';

export type { Language } from './worker/messages.js';

/** How a run ended. */
export type RunVerdict =
  'ok' | 'timeout' | 'memory' | 'runtime_error' | 'compile_error' | 'output_limit';

export type OwnerKind = 'user' | 'anonymous';

/**
 * On whose behalf a job runs. `user`: a signed-in account (`key` = the user id).
 * `anonymous`: one connection (`key` = its id) at `address` (the peer's IP); every
 * anonymous owner of one address shares that address's caps and turns. A request
 * without an owner is an in-process caller's (tests, benchmarks): one owner,
 * `internal`, without per-owner caps. Every request made for a network client must
 * carry its owner.
 */
export interface SandboxOwner {
  kind: OwnerKind;
  key: string;
  address?: string;
}

/** The scheduling class: `judge` (battle judging) is served first; `run` is everything else. */
export type JobClass = 'run' | 'judge';

export interface RunRequest {
  language: Language;
  code: string;
  stdin?: string;
  /** CPU deadline in ms (default: the pool's defaults.timeoutMs) */
  timeoutMs?: number;
  memoryLimitMb?: number;
  outputLimitBytes?: number;
  /** Who the job is for: jobs are queued per owner and served in turns (docs/sandbox.md, "Fairness"). */
  owner?: SandboxOwner;
  /** 'judge' for battle judging (served first, its own queue); 'run' otherwise (default). */
  class?: JobClass;
  /** Aborting it while the request still waits for a worker drops it (SandboxCancelledError). */
  signal?: AbortSignal;
}

export interface RunResult {
  verdict: RunVerdict;
  stdout: string;
  stderr: string;
  /** a human-readable error (traceback, exception, limit) or null when the run succeeded */
  error: string | null;
  /** wall-clock ms of the guest code itself; queueing and set-up are not counted */
  executionTime: number;
  /** peak memory of the run in MiB (docs/sandbox.md explains how it is measured) */
  memoryUsed: number;
  /** true when stdout or stderr hit the output limit and was cut */
  truncated: boolean;
}

export interface JudgeTest {
  /** the arguments the function is called with */
  input: unknown[];
  /** the expected return value */
  output: unknown;
  /** a hidden test's input, expected and actual values never leave the judge */
  hidden?: boolean;
}

export interface JudgeRequest {
  language: Language;
  code: string;
  /** a global function name, or `Class.method` (the class is instantiated without arguments) */
  function: string;
  tests: JudgeTest[];
  /** CPU deadline per test in ms */
  timeoutMs?: number;
  memoryLimitMb?: number;
  outputLimitBytes?: number;
  /** Who the job is for: jobs are queued per owner and served in turns (docs/sandbox.md, "Fairness"). */
  owner?: SandboxOwner;
  /** 'judge' for battle judging (served first, its own queue); 'run' otherwise (default). */
  class?: JobClass;
  /** Aborting it while the request still waits for a worker drops it (SandboxCancelledError). */
  signal?: AbortSignal;
}

export type JudgeVerdict =
  | 'Accepted'
  | 'Wrong Answer'
  | 'Time Limit Exceeded'
  | 'Memory Limit Exceeded'
  | 'Runtime Error'
  | 'Compilation Error';

/** A test not run because an earlier one hit a time or memory limit (or nothing could run). */
export type TestVerdict = JudgeVerdict | 'Not Run';

interface TestResultBase {
  index: number;
  passed: boolean;
  verdict: TestVerdict;
  executionTime: number;
}

export interface VisibleTestResult extends TestResultBase {
  hidden: false;
  input: unknown[];
  expected: unknown;
  /** the returned value, or null when the call failed */
  actual: unknown;
  stdout: string;
  error: string | null;
}

/** Only pass/fail: nothing about the test's data. */
export interface HiddenTestResult extends TestResultBase {
  hidden: true;
}

export type TestResult = VisibleTestResult | HiddenTestResult;

export interface JudgeResult {
  verdict: JudgeVerdict;
  testsPassed: number;
  totalTests: number;
  results: TestResult[];
  /** sum of the tests' execution times, ms */
  executionTime: number;
  /** peak memory over the whole judging, MiB */
  memoryUsed: number;
  /** index of the first test that did not pass, or null */
  firstFailedTest: number | null;
  /** what went wrong (compile error text, the failing visible test's error); generic for hidden tests */
  error: string | null;
}

export interface SandboxLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface SandboxDefaults {
  timeoutMs: number;
  memoryLimitMb: number;
  outputLimitBytes: number;
}

export interface SandboxPoolOptions {
  /** warm Python workers (default 2) */
  pythonWorkers?: number;
  /** warm JavaScript workers (default 2) */
  javascriptWorkers?: number;
  /** requests allowed to wait per language when every worker is busy (default 200) */
  queueLimit?: number;
  /** how long a request may wait for a worker before SandboxBusyError (default 10 000 ms) */
  queueTimeoutMs?: number;
  /**
   * how long one worker may take to start before it is killed and started again, and how
   * long requests wait for the very first worker of a language to warm up (default 60 000 ms)
   */
  startupTimeoutMs?: number;
  defaults?: Partial<SandboxDefaults>;
  /** upper bounds a request may ask for */
  limits?: Partial<SandboxLimits>;
  /** caps of fair scheduling; `judgeWorkers` may also be given per language */
  fairness?: Partial<Omit<SandboxFairness, 'judgeWorkers'>> & {
    judgeWorkers?: number | Partial<Record<Language, number>>;
  };
  /** extra time a worker gets past its wall-clock cap before it is killed (default 1000 ms) */
  graceMs?: number;
  /** 'auto' (default): run workers in an empty network namespace when the OS allows it */
  networkIsolation?: 'auto' | 'required' | 'off';
  logger?: SandboxLogger;
}

/** The caps of fair scheduling, per language (docs/sandbox.md, "Fairness"). */
export interface SandboxFairness {
  /** workers only judge-class jobs may use (default: a third of the language's workers, rounded down) */
  judgeWorkers: number;
  /** jobs one owner may have waiting or running, per class (default 16) */
  maxJobsPerOwner: number;
  /** jobs all anonymous owners of one address may have waiting or running, per class (default 64) */
  maxJobsPerAddress: number;
  /**
   * workers the run-class jobs of one tenant (a user, or one address's anonymous
   * connections) may hold at once (default: half the run-class workers, at least 1)
   */
  maxRunningPerTenant?: number;
}

export interface SandboxLimits {
  maxTimeoutMs: number;
  maxMemoryLimitMb: number;
  maxOutputLimitBytes: number;
  maxCodeBytes: number;
  maxStdinBytes: number;
  maxTests: number;
  /** JSON size of all test inputs and outputs together */
  maxTestDataBytes: number;
}

export const DEFAULTS: SandboxDefaults = {
  timeoutMs: 2000,
  memoryLimitMb: 128,
  outputLimitBytes: 64 * 1024,
};

export const LIMITS: SandboxLimits = {
  maxTimeoutMs: 10_000,
  maxMemoryLimitMb: 256,
  maxOutputLimitBytes: 1024 * 1024,
  maxCodeBytes: 256 * 1024,
  maxStdinBytes: 1024 * 1024,
  maxTests: 500,
  maxTestDataBytes: 8 * 1024 * 1024,
};

export interface SandboxStatus {
  language: Language;
  workers: number;
  ready: number;
  busy: number;
  starting: number;
  /** requests waiting for a worker, both classes */
  queued: number;
  queuedByClass: Record<JobClass, number>;
  /** workers only judge-class jobs may use */
  judgeWorkers: number;
  restarts: number;
  /** process ids of the live workers */
  pids: number[];
}

/**
 * `idle`: not started yet (lazy); `warming`: started, not every worker warm yet;
 * `ready`: every configured worker has been warm (later replacements do not change it);
 * `unavailable`: the workers of some language keep failing to start; `closed`.
 */
export type SandboxState = 'idle' | 'warming' | 'ready' | 'unavailable' | 'closed';

/** One request's end, for metrics (SandboxPool.observe). */
export interface SandboxJobEvent {
  language: Language;
  class: JobClass;
  /** what was asked: a run, or a judging */
  kind: 'run' | 'judge';
  /** the verdict (`ok`, `timeout`, … for runs; `accepted`, `wrong_answer`, … for judging), or the refusal (`busy`, `limit`, `cancelled`, `unavailable`, `closed`, `bad_request`) */
  outcome: string;
  /** ms from the request to its worker; null when it never got one */
  waitMs: number | null;
  /** ms the worker spent on it (IPC included); null when it never ran */
  runMs: number | null;
}

export interface SandboxInfo {
  state: SandboxState;
  /** true when workers run in their own network namespace */
  networkNamespace: boolean;
  languages: SandboxStatus[];
}
