// What a task can do: `runCode` (params = runCode's data, result = the output object),
// `judge` (params {language, code, function, tests}, result = the judge result) and
// `sleep` ({ms}, progress every tenth). Anything else fails with `result: {error}`.
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import {
  describeIssues,
  judgeParamsSchema,
  runCodeSchema,
  sleepParamsSchema,
  type TaskSpec,
} from './protocol.js';
import type { SandboxOwner } from '../../sandbox/index.js';
import { RunnerError, type RunnerService } from './service.js';
import type { TaskContext, TaskOutcome } from './task-queue.js';

type Executor = (params: unknown, context: TaskContext) => Promise<TaskOutcome>;

/** Sleep progress: one update per tenth of `ms`, but none closer than this apart. */
const MIN_SLEEP_STEP_MS = 20;

/** The actions of one connection's tasks; its sandbox jobs are queued as `owner`'s. */
export function taskExecutors(
  service: RunnerService,
  owner?: SandboxOwner,
): Record<string, Executor> {
  return {
    runCode: withParams('runCode', runCodeSchema, async (data, context) => {
      const { output, debug } = await service.runCode(data, context.signal, owner);
      // The task failed when the program did: the result still says why, and what it printed.
      return {
        status: output.error === null ? 'completed' : 'failed',
        result: output,
        details: debug,
      };
    }),
    judge: withParams('judge', judgeParamsSchema, async (params, context) => ({
      status: 'completed',
      result: await service.judge(params, context.signal, owner),
    })),
    sleep: withParams('sleep', sleepParamsSchema, async ({ ms }, context) => {
      const steps = Math.min(10, Math.max(1, Math.floor(ms / MIN_SLEEP_STEP_MS)));
      const start = performance.now();
      for (let step = 1; step <= steps; step++) {
        // Against the start time, so the steps do not drift.
        const wait = start + (ms * step) / steps - performance.now();
        await delay(Math.max(0, wait), undefined, { signal: context.signal });
        if (step < steps) context.progress(step / steps);
      }
      return { status: 'completed', result: { ms } };
    }),
  };
}

export async function executeTask(
  executors: Record<string, Executor>,
  task: TaskSpec,
  context: TaskContext,
): Promise<TaskOutcome> {
  const executor = Object.hasOwn(executors, task.action) ? executors[task.action] : undefined;
  if (!executor)
    return {
      status: 'failed',
      result: { error: `Unknown task action: ${task.action}` },
      details: { knownActions: Object.keys(executors) },
    };
  try {
    return await executor(task.params, context);
  } catch (error) {
    if (error instanceof RunnerError)
      return { status: 'failed', result: { error: error.clientMessage }, details: error.details };
    throw error;
  }
}

function withParams<S extends z.ZodType>(
  action: string,
  schema: S,
  run: (params: z.infer<S>, context: TaskContext) => Promise<TaskOutcome>,
): Executor {
  return async (params, context) => {
    const parsed = schema.safeParse(params);
    if (!parsed.success)
      return {
        status: 'failed',
        result: { error: `Invalid params for ${action}` },
        details: { issues: describeIssues(parsed.error, 'params') },
      };
    return run(parsed.data, context);
  };
}
