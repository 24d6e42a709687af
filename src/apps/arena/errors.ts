// Every refusal of the arena protocol: a code from the spec's list (or one of ours,
// all documented in docs/protocols/arena.md), a message for people, and details for
// programs. The same error answers a WebSocket request and (with `status`) a REST call.

export const ERROR_CODES = {
  /** Missing, invalid or expired token (the socket is closed after it). */
  UNAUTHORIZED: 401,
  /** Too many requests on one connection. */
  RATE_LIMITED: 429,
  /** The battle already has its two players. */
  BATTLE_FULL: 409,
  /** A submission that cannot be judged: empty, too large, or it does not compile. */
  INVALID_CODE: 400,
  /** No such battle, or it has ended. */
  INVALID_BATTLE_ID: 404,
  /** The envelope or its data does not match the schema. */
  VALIDATION_ERROR: 400,
  /** An `event` the server does not know. */
  UNKNOWN_EVENT: 400,
  /** No such problem, user, team, channel message or notification. */
  NOT_FOUND: 404,
  /** Not a player of that battle, not a member of that team, not an admin. */
  FORBIDDEN: 403,
  ALREADY_QUEUED: 409,
  ALREADY_IN_BATTLE: 409,
  /** A submission of the same player is still being judged. */
  SUBMISSION_PENDING: 409,
  /** chat:send on a channel the connection has not joined. */
  NOT_JOINED: 409,
  /** A team member or a notification answer that already exists. */
  CONFLICT: 409,
  /** The sandbox is saturated or not running: try again. */
  UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ArenaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}
