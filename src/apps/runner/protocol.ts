// Wire shapes of the runner protocol (spec 002) at /appws and /devws. Every message,
// both ways, is the envelope `{action, data?, error?}`; errors are
// `{action: 'error', error, details?}`, with `details` only on /devws.
import { z } from 'zod';
import type {
  RunCodeRequest,
  RunnerClientAction,
  RunnerClientMessage,
  RunnerErrorMessage,
  RunnerServerData,
  RunnerServerMessage,
  StartGameRequest,
  StartTasksRequest,
  TaskSpec as WireTaskSpec,
  UpdateScoreRequest,
} from '../../protocols/runner.js';
import type { Assert, Equals } from '../../protocols/type-check.js';

export type {
  LeaderboardEntry,
  RunOutput,
  TaskStatus,
  TaskUpdate,
} from '../../protocols/runner.js';

export const MAX_CODE_CHARS = 256 * 1024;
export const MAX_STDIN_CHARS = 1024 * 1024;
export const MAX_TASKS_PER_MESSAGE = 50;
export const MAX_SLEEP_MS = 60_000;
export const MAX_PLAYERS = 100;
/** |change| of one updateScore; keeps scores exact (well inside 2^53). */
export const MAX_SCORE_CHANGE = 1_000_000_000;

export const ERRORS = {
  invalidJson: 'Invalid JSON',
  invalidEnvelope: 'Invalid message: expected an object {action, data?}',
  binary: 'Binary messages are not supported',
  rateLimited: 'Rate limited',
  busy: 'Sandbox busy, try again',
  unavailable: 'Sandbox unavailable',
  internal: 'Internal error',
  unknownAction: (action: string) => `Unknown action: ${action}`,
  invalidData: (action: string) => `Invalid data for ${action}`,
  tooManyTasks: `Too many tasks: at most ${MAX_TASKS_PER_MESSAGE} per startTasks`,
  unknownPlayer: (id: number) => `Unknown player: ${id}`,
} as const;

const language = z.enum(['python', 'javascript']);
const code = z.string().max(MAX_CODE_CHARS);
// Optional extras beyond the spec (documented): a CPU deadline within the sandbox's bounds.
const timeoutMs = z.number().int().min(50).max(10_000).optional();

export const runCodeSchema = z.object({
  language,
  code,
  // The spec always sends it; a missing mode means standalone.
  mode: z.enum(['standalone', 'cluster']).default('standalone'),
  stdin: z.string().max(MAX_STDIN_CHARS).optional(),
  timeoutMs,
});
export type RunCodeData = z.infer<typeof runCodeSchema>;

export const taskSchema = z.object({
  id: z.string().min(1).max(128),
  action: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export type TaskSpec = z.infer<typeof taskSchema>;

export const startTasksSchema = z.object({
  tasks: z.array(taskSchema).min(1).max(MAX_TASKS_PER_MESSAGE),
});

const playerSchema = z.union([
  z.string().min(1).max(64),
  z.object({
    id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    name: z.string().min(1).max(64),
  }),
]);

export const startGameSchema = z
  .object({ players: z.array(playerSchema).min(1).max(MAX_PLAYERS).optional() })
  // `data` may be left out (or null): the default players.
  .nullish()
  .refine(
    (data) => {
      const ids = (data?.players ?? []).flatMap((p) =>
        typeof p === 'object' && p.id ? [p.id] : [],
      );
      return new Set(ids).size === ids.length;
    },
    { message: 'player ids must be unique', path: ['players'] },
  );
export type StartGameData = z.infer<typeof startGameSchema>;

export const updateScoreSchema = z.object({
  playerId: z.number().int(),
  change: z.number().min(-MAX_SCORE_CHANGE).max(MAX_SCORE_CHANGE),
});

// Task params.
export const judgeParamsSchema = z.object({
  language,
  code,
  function: z.string().min(1).max(200),
  tests: z
    .array(
      z.object({
        input: z.array(z.unknown()),
        output: z.unknown(),
        hidden: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(500),
  timeoutMs,
});
export const sleepParamsSchema = z.object({ ms: z.number().int().min(0).max(MAX_SLEEP_MS) });

/** The client actions, each with its data schema (`undefined` data allowed where optional). */
export const clientActions = {
  runCode: runCodeSchema,
  startTasks: startTasksSchema,
  startGame: startGameSchema,
  updateScore: updateScoreSchema,
  // Beyond the spec: the current leaderboard, to the sender only.
  getLeaderboard: z.unknown(),
} as const;
export type ClientAction = RunnerClientAction;

/**
 * The schemas accept exactly the shared wire types (a renamed field fails the build).
 * z.input: what a client may send (runCode's `mode` is filled in by the schema).
 */
export type SchemaChecks = [
  Assert<Equals<keyof typeof clientActions, RunnerClientAction>>,
  Assert<Equals<z.input<typeof runCodeSchema>, RunCodeRequest>>,
  Assert<Equals<z.infer<typeof taskSchema>, WireTaskSpec>>,
  Assert<Equals<z.infer<typeof startTasksSchema>, StartTasksRequest>>,
  Assert<Equals<z.input<typeof startGameSchema>, StartGameRequest>>,
  Assert<Equals<z.infer<typeof updateScoreSchema>, UpdateScoreRequest>>,
];

/** A checked message: as on the wire, with runCode's mode filled in. */
export type ClientMessage =
  Exclude<RunnerClientMessage, { action: 'runCode' }> | { action: 'runCode'; data: RunCodeData };

/** What went wrong with an inbound message: the client's error text and, for /devws, why. */
export interface Rejection {
  error: string;
  details: Record<string, unknown>;
  /** the action named by the message, when there was one (runCode answers keep their order) */
  action?: string;
}

export type ParseResult = { ok: true; message: ClientMessage } | ({ ok: false } & Rejection);

export function parseClientMessage(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: ERRORS.invalidJson, details: { message: (error as Error).message } };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, error: ERRORS.invalidEnvelope, details: { received: typeOf(json) } };
  const { action, data } = json as { action?: unknown; data?: unknown };
  if (typeof action !== 'string')
    return {
      ok: false,
      error: ERRORS.invalidEnvelope,
      details: { message: '"action" must be a string', received: typeOf(action) },
    };
  if (!Object.hasOwn(clientActions, action))
    return {
      ok: false,
      error: ERRORS.unknownAction(action.slice(0, 64)),
      details: { knownActions: Object.keys(clientActions) },
    };
  const parsed = clientActions[action as ClientAction].safeParse(data);
  if (!parsed.success) {
    const tooManyTasks =
      action === 'startTasks' &&
      parsed.error.issues.some(
        (i) => i.path.length === 1 && i.path[0] === 'tasks' && i.code === 'too_big',
      );
    return {
      ok: false,
      action,
      error: tooManyTasks ? ERRORS.tooManyTasks : ERRORS.invalidData(action),
      details: { issues: describeIssues(parsed.error) },
    };
  }
  return { ok: true, message: { action, data: parsed.data } as ClientMessage };
}

/** Zod issues as `{path: 'data.x.y', message}` for /devws. */
export function describeIssues(
  error: z.ZodError,
  prefix = 'data',
): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

// --- server messages ----------------------------------------------------------------

export function encode<A extends keyof RunnerServerData>(
  action: A,
  data: RunnerServerData[A],
): string {
  return JSON.stringify({ action, data } as RunnerServerMessage);
}

export function encodeError(error: string, details?: Record<string, unknown>): string {
  const message: RunnerErrorMessage =
    details === undefined ? { action: 'error', error } : { action: 'error', error, details };
  return JSON.stringify(message);
}
