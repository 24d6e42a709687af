// The errors the SDK rejects with. Each says what happened and what the caller can do.

/** Base class: `instanceof RingsideClientError` catches every SDK error. */
export class RingsideClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The connection dropped after a request went out and before its response came. The
 * server may or may not have acted on it; the SDK does not resend (see docs/client.md).
 */
export class ConnectionLostError extends RingsideClientError {
  constructor(
    readonly request: string,
    readonly requestId: string | undefined,
    readonly closeCode: number,
    readonly closeReason: string,
  ) {
    super(
      `Connection lost before the response to ${request}` +
        (requestId ? ` (request id ${requestId})` : '') +
        ` arrived (close ${closeCode}${closeReason ? ` "${closeReason}"` : ''}); ` +
        'the server may or may not have processed it',
    );
  }
}

/** The socket is closed for good: close() was called, or reconnecting gave up. */
export class SocketClosedError extends RingsideClientError {
  constructor(reason: string) {
    super(`Socket is closed (${reason}); create a new client or call connect() again`);
  }
}

/** Offline and the queue of sends waiting for the connection is full. */
export class QueueFullError extends RingsideClientError {
  constructor(readonly maxQueued: number) {
    super(
      `Offline and ${maxQueued} messages are already queued (maxQueued); ` +
        'this one was not queued',
    );
  }
}

/** No response within the request timeout. */
export class RequestTimeoutError extends RingsideClientError {
  constructor(
    readonly request: string,
    readonly requestId: string | undefined,
    readonly timeoutMs: number,
  ) {
    super(
      `No response to ${request}${requestId ? ` (request id ${requestId})` : ''} within ${timeoutMs} ms`,
    );
  }
}
