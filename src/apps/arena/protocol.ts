// Wire shapes of the arena protocol (spec 000): every message is an envelope
// `{id, type, event, data, timestamp}`. Requests are checked here (the envelope, then
// the data of their event); responses, events and errors are built here, so their
// shapes live in one place. docs/protocols/arena.md has an exchange for each.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  ArenaErrorCode,
  ArenaErrorEnvelope,
  ArenaEventEnvelope,
  ArenaEventName,
  ArenaLanguage,
  ArenaRequests,
  ArenaResponseEvents,
  ArenaServerEvents,
  BattleMode,
  Difficulty,
  RequestId,
} from '../../protocols/arena.js';
import type { Assert, Equals } from '../../protocols/type-check.js';
import { ArenaError, type ErrorCode } from './errors.js';

export type {
  ArenaLanguage,
  ArenaServerEvents,
  Difficulty,
  RequestId,
  /** The SDK's name for it. */
  BattleMode,
} from '../../protocols/arena.js';

export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const satisfies readonly Difficulty[];
export const LANGUAGES = ['python', 'javascript'] as const satisfies readonly ArenaLanguage[];
/** Rated queues; `practice` pairs players the same way but leaves ratings alone. */
export const MODES = [
  'quick-battle',
  'ranked',
  'practice',
] as const satisfies readonly BattleMode[];
/** The server's name for BattleMode. */
export type Mode = BattleMode;

/** Longest chat message, in characters. */
export const MAX_CHAT_CHARS = 1000;
/** Longest submission or shared code, in characters. */
export const MAX_CODE_CHARS = 64 * 1024;

const id = z.string().min(1).max(64);
const difficulty = z.enum(DIFFICULTIES);
const language = z.enum(LANGUAGES);
const mode = z.enum(MODES);
/** `general`, `help-python`…, or `battle:<id>` / `team:<id>` (members only). */
const channel = z
  .string()
  .regex(
    /^(?:[a-z0-9][a-z0-9_-]{0,63}|(?:battle|team):[A-Za-z0-9-]{1,64})$/,
    'a channel name of 1-64 lower-case letters, digits, _ or -, or battle:<id> / team:<id>',
  );

/** The data of each request event the server understands, and the event of its response. */
export const REQUESTS = {
  'system:ping': { response: 'system:pong', schema: z.object({}) },
  'battle:join': {
    response: 'battle:joined',
    schema: z.object({
      battleId: id.optional(),
      difficulty: difficulty.optional(),
      language: language.optional(),
      mode: mode.optional(),
    }),
  },
  'battle:leave': { response: 'battle:left', schema: z.object({ battleId: id.optional() }) },
  'battle:submit': {
    response: 'battle:submitted',
    schema: z.object({ battleId: id, code: z.string(), language }),
  },
  'battle:invite': {
    response: 'battle:invited',
    schema: z.object({
      username: z.string().min(1).max(64),
      difficulty,
      language: language.optional(),
      mode: mode.optional(),
    }),
  },
  'notification:respond': {
    response: 'notification:responded',
    schema: z.object({
      notificationId: id,
      action: z.enum(['accept', 'decline']),
      language: language.optional(),
    }),
  },
  'chat:join': {
    response: 'chat:joined',
    schema: z.object({ channel: z.string().max(80), battleId: id.optional() }),
  },
  'chat:leave': { response: 'chat:left', schema: z.object({ channel }) },
  'chat:send': {
    response: 'chat:sent',
    schema: z.object({ channel, message: z.string(), replyTo: id.optional() }),
  },
  'team:practice_start': {
    response: 'team:practice_started',
    schema: z.object({
      teamId: id,
      topic: z.string().trim().min(1).max(100),
      participants: z.array(id).max(100).optional(),
    }),
  },
  'team:share_code': {
    response: 'team:code_shared',
    schema: z.object({
      teamId: id,
      problemId: z.string().trim().min(1).max(64),
      code: z.string().min(1).max(MAX_CODE_CHARS),
      language,
      note: z.string().max(500).optional(),
    }),
  },
} as const;

/**
 * The table is exactly the shared wire types (a renamed field, a missing request or a
 * changed response name fails the build); every list above names every value.
 */
export type SchemaChecks = [
  Assert<Equals<(typeof DIFFICULTIES)[number], Difficulty>>,
  Assert<Equals<(typeof LANGUAGES)[number], ArenaLanguage>>,
  Assert<Equals<(typeof MODES)[number], BattleMode>>,
  Assert<Equals<ErrorCode, ArenaErrorCode>>,
  Assert<Equals<{ [E in RequestEvent]: z.input<(typeof REQUESTS)[E]['schema']> }, ArenaRequests>>,
  Assert<Equals<{ [E in RequestEvent]: (typeof REQUESTS)[E]['response'] }, ArenaResponseEvents>>,
];

export type RequestEvent = keyof typeof REQUESTS;
export type RequestData<E extends RequestEvent> = ArenaRequests[E];

export const channelSchema = channel;

export interface ParsedRequest {
  id: RequestId;
  event: RequestEvent;
  data: unknown;
}

const envelope = z.object({
  id: z.union([z.string().max(128), z.number()]).optional(),
  type: z.string().max(32).optional(),
  event: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()).optional(),
  timestamp: z.string().max(64).optional(),
});

/**
 * The envelope of a text message. Throws ArenaError (VALIDATION_ERROR or UNKNOWN_EVENT)
 * with `requestId` set to whatever id could be read, so even a refusal echoes it.
 */
export function parseEnvelope(text: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RequestError(null, 'VALIDATION_ERROR', 'Message is not valid JSON');
  }
  const requestId = readId(json);
  const parsed = envelope.safeParse(json);
  if (!parsed.success) {
    throw new RequestError(requestId, 'VALIDATION_ERROR', 'Invalid message envelope', {
      issues: issuesOf(parsed.error),
    });
  }
  const event = parsed.data.event;
  if (!Object.hasOwn(REQUESTS, event)) {
    throw new RequestError(requestId, 'UNKNOWN_EVENT', `Unknown event "${event}"`, { event });
  }
  return { id: requestId, event: event as RequestEvent, data: parsed.data.data ?? {} };
}

/** The data of a request, checked against its event's schema. */
export function parseData<E extends RequestEvent>(event: E, data: unknown): RequestData<E> {
  const parsed = REQUESTS[event].schema.safeParse(data);
  if (!parsed.success) {
    throw new ArenaError('VALIDATION_ERROR', `Invalid data for ${event}`, {
      issues: issuesOf(parsed.error),
    });
  }
  return parsed.data as RequestData<E>;
}

/** An ArenaError that happened before the request id was known to the caller. */
export class RequestError extends ArenaError {
  constructor(
    readonly requestId: RequestId,
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
  }
}

function readId(json: unknown): RequestId {
  if (typeof json !== 'object' || json === null) return null;
  const value = (json as { id?: unknown }).id;
  if (typeof value === 'string' && value.length <= 128) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return null;
}

export function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, 10).map((issue) => ({
    path: issue.path.join('.') || '(root)',
    message: issue.message,
  }));
}

function now(): string {
  return new Date().toISOString();
}

export function encodeResponse(id: RequestId, event: string, data: unknown): string {
  return JSON.stringify({ id, type: 'response', event, success: true, data, timestamp: now() });
}

/** A server event; its id is fresh (clients may use it to drop duplicates). */
export function encodeEvent<K extends ArenaEventName>(
  event: K,
  data: ArenaServerEvents[K],
): string {
  const envelope: ArenaEventEnvelope<K> = {
    id: randomUUID(),
    type: 'event',
    event,
    data,
    timestamp: now(),
  };
  return JSON.stringify(envelope);
}

export function encodeError(id: RequestId, error: ArenaError): string {
  const envelope: ArenaErrorEnvelope = {
    id,
    type: 'error',
    error: { code: error.code, message: error.message, details: error.details },
    timestamp: now(),
  };
  return JSON.stringify(envelope);
}

/**
 * What a request handler answers: the response's data (ArenaResponses in src/protocols
 * describes it per request), and work to do once it is sent.
 */
export interface Reply<T = unknown> {
  data: T;
  /** Runs after the response is queued (events that must follow it, e.g. battle:matched). */
  after?: () => void | Promise<void>;
}
