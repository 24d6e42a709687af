// Public types of the sandbox: pool options, requests and results.
import type { Language } from './worker/messages.js';

export type { Language } from './worker/messages.js';

/** How a run ended. */
export type RunVerdict =
  'ok' | 'timeout' | 'memory' | 'runtime_error' | 'compile_error' | 'output_limit';

export interface RunRequest {
  language: Language;
  code: string;
  stdin?: string;
  /** CPU deadline in ms (default: the pool's defaults.timeoutMs) */
  timeoutMs?: number;
  memoryLimitMb?: number;
  outputLimitBytes?: number;
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
  /** how long requests may wait for the very first worker of a language to warm up (default 60 000 ms) */
  startupTimeoutMs?: number;
  defaults?: Partial<SandboxDefaults>;
  /** upper bounds a request may ask for */
  limits?: Partial<SandboxLimits>;
  /** extra time a worker gets past its wall-clock cap before it is killed (default 1000 ms) */
  graceMs?: number;
  /** 'auto' (default): run workers in an empty network namespace when the OS allows it */
  networkIsolation?: 'auto' | 'required' | 'off';
  logger?: SandboxLogger;
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
  queued: number;
  restarts: number;
  /** process ids of the live workers */
  pids: number[];
}

export interface SandboxInfo {
  /** true when workers run in their own network namespace */
  networkNamespace: boolean;
  languages: SandboxStatus[];
}
