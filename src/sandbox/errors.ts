// Errors of the pool itself (as opposed to verdicts about the guest's code).

export type SandboxErrorCode =
  'BUSY' | 'LIMIT' | 'BAD_REQUEST' | 'CLOSED' | 'UNAVAILABLE' | 'CANCELLED';

export class SandboxError extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** Every worker is busy and the request waited past the queue timeout, or the queue is full. */
export class SandboxBusyError extends SandboxError {
  constructor(message = 'the sandbox is busy, try again shortly') {
    super('BUSY', message);
    this.name = 'SandboxBusyError';
  }
}

/**
 * The request's owner (or, for anonymous owners, its address) already has as many jobs
 * waiting or running as it may: refused at once, never queued.
 */
export class SandboxOwnerLimitError extends SandboxError {
  constructor(
    /** which cap: the owner's own, or its address's over all its anonymous connections */
    readonly scope: 'owner' | 'address',
    /** jobs waiting or running that the owner (or address) may have */
    readonly limit: number,
  ) {
    super('LIMIT', `at most ${limit} sandbox jobs may wait or run per ${scope}`);
    this.name = 'SandboxOwnerLimitError';
  }
}

/** The request itself is invalid (unknown language, code too large, bad tests...). */
export class SandboxRequestError extends SandboxError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
    this.name = 'SandboxRequestError';
  }
}

/** The pool was closed. */
export class SandboxClosedError extends SandboxError {
  constructor() {
    super('CLOSED', 'the sandbox pool is closed');
    this.name = 'SandboxClosedError';
  }
}

/** Workers for this language cannot be started (their start-up keeps failing). */
export class SandboxUnavailableError extends SandboxError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
    this.name = 'SandboxUnavailableError';
  }
}

/** The caller aborted the request (its AbortSignal) before a worker took it. */
export class SandboxCancelledError extends SandboxError {
  constructor() {
    super('CANCELLED', 'the request was cancelled before it ran');
    this.name = 'SandboxCancelledError';
  }
}
