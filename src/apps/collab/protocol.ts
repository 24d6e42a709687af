// Wire shapes of the collab protocol (spec 001): every message is `{type, payload}`.
// Client events are checked here; server events are built by the functions below so
// their shapes live in one place. What goes beyond the spec (session-state, code-ack,
// versioned changes) is documented in docs/protocols/collab.md.
import { z } from 'zod';
import type {
  ChangeSetJson,
  CollabClientMessage,
  CollabClientPayloads,
  CollabClientType,
  CollabServerEvent,
  Cursor,
} from '../../protocols/collab.js';
import type { Assert, Equals } from '../../protocols/type-check.js';

export type {
  ChangeSetJson,
  CodeUpdatePayload,
  Cursor,
  ExecutionView,
  ParticipantView,
  SessionStatePayload,
} from '../../protocols/collab.js';

/** Longest document a session may hold, in UTF-16 code units. */
export const MAX_CODE_LENGTH = 500_000;
/** Longest output an execution-result may carry. */
export const MAX_OUTPUT_LENGTH = 200_000;

export const userIdSchema = z.string().min(1).max(128);
export const usernameSchema = z.string().trim().min(1).max(64);
export const languageSchema = z
  .string()
  .regex(/^[A-Za-z0-9_+#.-]{1,32}$/, 'a language name of 1-32 letters, digits or _+#.-');
export const cursorSchema = z.object({
  line: z.number().int().min(0).max(10_000_000),
  column: z.number().int().min(0).max(10_000_000),
});

/** One inserted line of a ChangeSet: the line breaks are the array's separators. */
const lineSchema = z.string().regex(/^[^\r\n]*$/, 'inserted lines may not contain line breaks');

/**
 * A @codemirror/state ChangeSet as ChangeSet.toJSON() writes it: numbers (kept spans)
 * and arrays `[deletedLength, ...insertedLines]`. ChangeSet.fromJSON checks the rest.
 */
export const changeSetJsonSchema = z
  .array(
    z.union([
      z.number().int().min(0),
      z.array(z.union([z.number().int().min(0), lineSchema])).min(1),
    ]),
  )
  .max(10_000);

const codeChangePayload = z
  .object({
    userId: userIdSchema.optional(),
    /** Full code (the spec's form) or a ChangeSet (versioned form; needs `version`). */
    changes: z.union([z.string().max(MAX_CODE_LENGTH), changeSetJsonSchema]),
    /** The document version the change was made against (versions the client has seen). */
    version: z.number().int().min(0).optional(),
    /** Identifies the sending editor in code-update/code-ack (@codemirror/collab's clientID). */
    clientID: z.string().min(1).max(128).optional(),
  })
  .refine((p) => typeof p.changes === 'string' || p.version !== undefined, {
    message: 'a ChangeSet needs the version it was made against',
    path: ['version'],
  });

/** Client → server messages, one schema per type. */
export const clientPayloadSchemas = {
  'join-session': z.object({ userId: userIdSchema, username: usernameSchema }),
  'leave-session': z.object({ userId: userIdSchema.optional() }),
  'code-change': codeChangePayload,
  'cursor-move': z.object({ userId: userIdSchema.optional(), cursor: cursorSchema }),
  'language-change': z.object({ userId: userIdSchema.optional(), language: languageSchema }),
  'execute-code': z.object({ language: languageSchema, code: z.string().max(MAX_CODE_LENGTH) }),
  'execution-result': z.object({
    output: z.string().max(MAX_OUTPUT_LENGTH),
    error: z.string().max(MAX_OUTPUT_LENGTH).nullable(),
  }),
} as const;

/** The schemas accept exactly the shared wire types (a renamed field fails the build). */
export type SchemaChecks = [
  Assert<Equals<z.infer<typeof cursorSchema>, Cursor>>,
  Assert<Equals<z.infer<typeof changeSetJsonSchema>, ChangeSetJson>>,
  Assert<Equals<keyof typeof clientPayloadSchemas, CollabClientType>>,
  Assert<
    Equals<
      { [K in CollabClientType]: z.infer<(typeof clientPayloadSchemas)[K]> },
      CollabClientPayloads
    >
  >,
];

export type ClientEventType = CollabClientType;
export type ClientEvent = CollabClientMessage;

const envelopeSchema = z.object({ type: z.string(), payload: z.unknown() });

export const ERRORS = {
  notJson: 'Invalid JSON',
  binary: 'Binary messages are not supported',
  envelope: 'Invalid message: expected {"type": string, "payload": object}',
  unknownType: 'Invalid message type',
  notJoined: 'Join the session first (join-session)',
  rateLimited: 'Too many messages; slow down',
} as const;

export type ParseResult = { ok: true; event: ClientEvent } | { ok: false; message: string };

/** Parses one text message; a failure carries the text for the error event. */
export function parseClientMessage(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: ERRORS.notJson };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, message: ERRORS.envelope };
  const { type } = envelope.data;
  if (!Object.hasOwn(clientPayloadSchemas, type)) return { ok: false, message: ERRORS.unknownType };
  const schema = clientPayloadSchemas[type as ClientEventType];
  const payload = schema.safeParse(envelope.data.payload);
  if (!payload.success)
    return { ok: false, message: `Invalid payload for ${type}: ${describeIssues(payload.error)}` };
  return { ok: true, event: { type, payload: payload.data } as ClientEvent };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}

// --- server → client -------------------------------------------------------

export type ServerEvent = CollabServerEvent;

export function encode(event: ServerEvent): string {
  return JSON.stringify(event);
}

export function errorEvent(message: string): string {
  return encode({ type: 'error', payload: { message } });
}
