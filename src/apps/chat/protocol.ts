// Wire shapes of the chat protocol (spec 003). Client messages are flat objects with a
// `type`; server events are `chat_message` objects with an `action`; errors are
// `{"error": "…"}` with the spec's sentences.
import { z } from 'zod';
import type {
  ChatClientMessage,
  ChatDeleteMessage,
  ChatServerEvent,
  ChatTextMessage,
  ChatUpdateMessage,
} from '../../protocols/chat.js';
import type { Assert, Equals } from '../../protocols/type-check.js';

export type { MessageView } from '../../protocols/chat.js';

/** Longest message body, in characters (Unicode code points, as Python's len counts). */
export const MAX_MESSAGE_CHARS = 500;

export const ERRORS = {
  tooLong: `Message exceeds ${MAX_MESSAGE_CHARS} characters.`,
  notFound: 'Message not found.',
  notOwnDelete: 'You can only delete your own messages.',
  notOwnEdit: 'You can only edit your own messages.',
  empty: 'Message cannot be empty.',
  invalidJson: 'Invalid JSON.',
  invalidMessage: 'Invalid message.',
  unknownType: 'Unknown message type.',
  binary: 'Binary messages are not supported.',
  rateLimited: 'Too many messages; slow down.',
} as const;

// A generous bound before the character count: the exact limit is checked (and
// answered with the spec's text) by the service.
const body = z.string().max(MAX_MESSAGE_CHARS * 8);
const timestamp = z.string().max(64).optional();

export const clientMessageSchemas = {
  text: z.object({ type: z.literal('text'), message: body, timestamp }),
  update: z.object({
    type: z.literal('update'),
    messageId: z.string().max(64),
    message: body,
    timestamp,
  }),
  delete: z.object({ type: z.literal('delete'), messageId: z.string().max(64), timestamp }),
} as const;

/** The schemas accept exactly the shared wire types (a renamed field fails the build). */
export type SchemaChecks = [
  Assert<Equals<z.infer<typeof clientMessageSchemas.text>, ChatTextMessage>>,
  Assert<Equals<z.infer<typeof clientMessageSchemas.update>, ChatUpdateMessage>>,
  Assert<Equals<z.infer<typeof clientMessageSchemas.delete>, ChatDeleteMessage>>,
];

export type ClientMessage = ChatClientMessage;

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; error: string };

export function parseClientMessage(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: ERRORS.invalidJson };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, error: ERRORS.invalidMessage };
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(clientMessageSchemas, type))
    return { ok: false, error: ERRORS.unknownType };
  const parsed = clientMessageSchemas[type as keyof typeof clientMessageSchemas].safeParse(json);
  if (!parsed.success) {
    // A body far over the limit is still "too long", not "invalid".
    const tooLong = parsed.error.issues.some(
      (i) => i.path[0] === 'message' && i.code === 'too_big',
    );
    return { ok: false, error: tooLong ? ERRORS.tooLong : ERRORS.invalidMessage };
  }
  return { ok: true, message: parsed.data };
}

export type ChatEvent = ChatServerEvent;

export function encodeEvent(event: ChatEvent): string {
  return JSON.stringify(event);
}

export function encodeError(error: string): string {
  return JSON.stringify({ error });
}

export function characterCount(text: string): number {
  let count = text.length;
  // Each surrogate pair is one character (one code point) in two UTF-16 units.
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const previous = text.charCodeAt(i - 1);
      if (previous >= 0xd800 && previous <= 0xdbff) count--;
    }
  }
  return count;
}

/** The spec's timestamps: ISO 8601 with microseconds ("2024-01-01T12:00:00.000000Z"). */
export function timestamp6(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
