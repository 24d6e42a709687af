// Requests waiting for their response. A request is 'queued' until its message is handed
// to a socket, then 'sent'. When a connection drops, the sent ones are rejected with
// ConnectionLostError (the server may or may not have acted on them, so they are not
// resent: at most once); the queued ones go out on the next connection. When the socket
// closes for good, every one is rejected.
import { ConnectionLostError, RequestTimeoutError, SocketClosedError } from './errors.js';
import type { ReconnectingSocket, SocketCloseInfo } from './reconnecting-socket.js';

interface Pending {
  label: string;
  requestId: string | undefined;
  sent: boolean;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly socket: ReconnectingSocket) {
    socket.on('close', (info) => this.connectionClosed(info));
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Registers a request under `key` and sends it with `send(onSent)`. `label` names it in
   * errors; `requestId` is the wire id, if the protocol has one.
   */
  start<T>(
    key: string,
    label: string,
    requestId: string | undefined,
    timeoutMs: number,
    send: (onSent: () => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        label,
        requestId,
        sent: false,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: setTimeout(() => {
          this.pending.delete(key);
          reject(new RequestTimeoutError(label, requestId, timeoutMs));
        }, timeoutMs),
      };
      this.pending.set(key, entry);
      try {
        send(() => (entry.sent = true));
      } catch (error) {
        clearTimeout(entry.timer);
        this.pending.delete(key);
        reject(error as Error);
      }
    });
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  /** The key of the oldest request already sent (for protocols answering in order). */
  oldestSent(): string | undefined {
    for (const [key, entry] of this.pending) if (entry.sent) return key;
    return undefined;
  }

  resolve(key: string, value: unknown): boolean {
    const entry = this.take(key);
    entry?.resolve(value);
    return entry !== undefined;
  }

  reject(key: string, error: Error): boolean {
    const entry = this.take(key);
    entry?.reject(error);
    return entry !== undefined;
  }

  private take(key: string): Pending | undefined {
    const entry = this.pending.get(key);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.pending.delete(key);
    return entry;
  }

  private connectionClosed(info: SocketCloseInfo): void {
    for (const [key, entry] of [...this.pending]) {
      if (entry.sent) {
        this.reject(
          key,
          new ConnectionLostError(entry.label, entry.requestId, info.code, info.reason),
        );
      } else if (!info.willReconnect) {
        this.reject(
          key,
          new SocketClosedError(`${this.socket.closeReason}; ${entry.label} was never sent`),
        );
      }
    }
  }
}

let counter = 0;

/** A request id unique in this page or process (the server only needs it per connection). */
export function newRequestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `req-${Date.now().toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
