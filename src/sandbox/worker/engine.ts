// What a language runtime inside a worker process provides to the IPC loop.
import type { JudgeJob, JudgeOutcome, RunJob, RunOutcome, TestOutcome } from './messages.js';

/**
 * Reports the end of loading (done 0) and each finished test as soon as it is
 * done, so the parent's backstop restarts per phase and a killed worker loses nothing.
 */
export type Progress = (done: number, test?: TestOutcome) => Promise<void>;

export interface Engine {
  run(job: RunJob): Promise<RunOutcome>;
  /** Runs the judged function once per input; `progress` is awaited after each test. */
  judge(job: JudgeJob, progress: Progress): Promise<JudgeOutcome>;
  /** False when the last job left the runtime in a state it cannot be reset from. */
  reusable(): boolean;
  /**
   * Wipes everything the last job left behind. Returns false when the runtime
   * can no longer be trusted, in which case the worker exits and is replaced.
   */
  reset(): Promise<boolean>;
}

export const MiB = 1024 * 1024;

export function toMiB(bytes: number): number {
  return Math.round((Math.max(0, bytes) / MiB) * 100) / 100;
}

export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
