// A test peer on the `ws` package: every text message parsed and kept in arrival order,
// `next(match)` takes the first kept message that matches (waiting if none has come
// yet), `refusal(url)` gives the HTTP status of an upgrade the server refused.
import WebSocket from 'ws';

// Test code reads message fields freely; a wrong field fails the assertion anyway.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export class TestClient {
  /** Every message received so far, in order (never consumed). */
  readonly received: Json[] = [];
  private readonly unread: Json[] = [];
  private waiter: { match: (m: Json) => boolean; resolve: (m: Json) => void } | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const message = isBinary ? { binary: data } : JSON.parse(data.toString());
      this.received.push(message);
      if (this.waiter && this.waiter.match(message)) {
        const { resolve } = this.waiter;
        this.waiter = null;
        resolve(message);
      } else {
        this.unread.push(message);
      }
    });
    // Errors after the open show up as the close code; an unhandled 'error' would crash the run.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new TestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendBinary(data: Buffer): void {
    this.socket.send(data, { binary: true });
  }

  /** The first unread message that matches (any message by default). */
  next(match: (m: Json) => boolean = () => true, timeoutMs = 3000): Promise<Json> {
    const at = this.unread.findIndex(match);
    if (at >= 0) return Promise.resolve(this.unread.splice(at, 1)[0]);
    if (this.waiter) throw new Error('one next() at a time');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(
          new Error(
            `no matching message within ${timeoutMs} ms; unread: ${JSON.stringify(this.unread).slice(0, 500)}`,
          ),
        );
      }, timeoutMs);
      this.waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
    });
  }

  /** The next unread message of the collab envelope type `type`. */
  nextOfType(type: string, timeoutMs?: number): Promise<Json> {
    return this.next((m) => m.type === type, timeoutMs);
  }

  /** Messages not yet taken by next(). */
  get pending(): Json[] {
    return [...this.unread];
  }

  /** Waits `ms` and returns what arrived unread meanwhile (and before). */
  async settle(ms = 100): Promise<Json[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.pending;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(1000);
    await this.closed;
  }
}

/** The HTTP status the server answered an upgrade with (101 if it was accepted). */
export function refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('error', (error) => reject(error));
  });
}
