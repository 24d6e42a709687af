// Independent peers for the Socket.IO tests: a `ws` WebSocket that queues what it
// receives (text as strings, binary as Buffers), and fetch for the polling transport.
import WebSocket from 'ws';

export const RS = '\x1e';

export class WsPeer {
  private readonly queue: Array<string | Buffer> = [];
  private readonly waiters: Array<(message: string | Buffer) => void> = [];
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const message = isBinary ? Buffer.from(data as Buffer) : data.toString();
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  }

  /** Opens a socket at `url`; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string): Promise<WsPeer> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const peer = new WsPeer(socket);
      socket.once('open', () => resolve(peer));
      socket.once('unexpected-response', (_req, res) => {
        reject(new Error(`status ${res.statusCode}`));
        res.resume();
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.send(data);
  }

  next(timeoutMs = 3000): Promise<string | Buffer> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (message: string | Buffer) => {
        clearTimeout(timer);
        resolve(message);
      };
      this.waiters.push(waiter);
    });
  }

  /** The next message that is not an Engine.IO ping (answered with a pong). */
  async nextNotPing(timeoutMs = 3000): Promise<string | Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await this.next(Math.max(1, deadline - Date.now()));
      if (message === '2') {
        this.send('3');
        continue;
      }
      return message;
    }
  }

  /** Resolves with the close code, or rejects past the timeout. */
  closedWithin(timeoutMs: number): Promise<number> {
    return Promise.race([
      this.closed,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs),
      ),
    ]);
  }

  close(): void {
    this.socket.terminate();
  }
}

export interface HttpAnswer {
  status: number;
  body: string;
  contentType: string | null;
}

export async function http(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return {
    status: response.status,
    body: await response.text(),
    contentType: response.headers.get('content-type'),
  };
}

/** Opens a polling session; returns its sid and the open packet's values. */
export async function openPolling(
  base: string,
): Promise<{ sid: string; open: Record<string, unknown> }> {
  const answer = await http(`${base}/socket.io/?EIO=4&transport=polling`);
  if (answer.status !== 200 || !answer.body.startsWith('0'))
    throw new Error(`handshake failed: ${answer.status} ${answer.body}`);
  const open = JSON.parse(answer.body.slice(1)) as Record<string, unknown>;
  return { sid: open.sid as string, open };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
