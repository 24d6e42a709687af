// Running code for the runner: runCode and judge in the sandbox, the results in the
// spec's shapes, and the sandbox's own failures as client-facing errors. No sockets.
import {
  SandboxBusyError,
  SandboxError,
  SandboxOwnerLimitError,
  type JudgeResult,
  type SandboxOwner,
  type SandboxPool,
} from '../../sandbox/index.js';
import { ERRORS, type RunCodeData, type RunOutput } from './protocol.js';
import { runDebug, toRunOutput, type RunDebug } from './run-output.js';
import type { z } from 'zod';
import type { judgeParamsSchema } from './protocol.js';

/** A request the runner could not serve: the client's text, and detail for /devws. */
export class RunnerError extends Error {
  constructor(
    readonly clientMessage: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(clientMessage);
  }
}

export type JudgeParams = z.infer<typeof judgeParamsSchema>;

export class RunnerService {
  constructor(private readonly sandbox: SandboxPool) {}

  /**
   * `cluster` runs here too until the shared queue of the scale-out issue exists.
   * A first request waits (in the pool) for a warm worker; nothing loads on this path.
   */
  async runCode(
    data: RunCodeData,
    signal?: AbortSignal,
    owner?: SandboxOwner,
  ): Promise<{ output: RunOutput; debug: RunDebug }> {
    const started = performance.now();
    try {
      const result = await this.sandbox.run({
        language: data.language,
        code: data.code,
        stdin: data.stdin,
        timeoutMs: data.timeoutMs,
        // A closed connection's runs leave the queue instead of running for nobody.
        signal,
        owner,
      });
      return {
        output: toRunOutput(result, data.language),
        debug: runDebug(result, data.mode, performance.now() - started),
      };
    } catch (error) {
      throw asRunnerError(error, 'runCode', owner);
    }
  }

  /** The sandbox's judge result as is: hidden tests carry only pass/fail. */
  async judge(
    params: JudgeParams,
    signal?: AbortSignal,
    owner?: SandboxOwner,
  ): Promise<JudgeResult> {
    try {
      return await this.sandbox.judge({
        language: params.language,
        code: params.code,
        function: params.function,
        tests: params.tests,
        timeoutMs: params.timeoutMs,
        signal,
        owner,
      });
    } catch (error) {
      throw asRunnerError(error, 'judge', owner);
    }
  }
}

/** Sandbox failures in the client's words; anything else stays an internal error. */
export function asRunnerError(
  error: unknown,
  action: string,
  owner?: SandboxOwner,
): RunnerError | Error {
  if (error instanceof SandboxOwnerLimitError) {
    const per =
      error.scope === 'address' ? 'address' : owner?.kind === 'user' ? 'user' : 'connection';
    return new RunnerError(
      `Too many runs in progress: at most ${error.limit} waiting or running per ${per}`,
      { code: error.code, message: error.message, limit: error.limit, scope: error.scope },
    );
  }
  if (error instanceof SandboxBusyError)
    return new RunnerError(ERRORS.busy, { code: error.code, message: error.message });
  if (error instanceof SandboxError) {
    if (error.code === 'BAD_REQUEST')
      return new RunnerError(`${ERRORS.invalidData(action)}: ${error.message}`, {
        code: error.code,
        message: error.message,
      });
    return new RunnerError(ERRORS.unavailable, { code: error.code, message: error.message });
  }
  return error instanceof Error ? error : new Error(String(error));
}
