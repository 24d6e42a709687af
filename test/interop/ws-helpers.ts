// Promise wrappers around the `ws` client, shared by the interop tests.
// Every wait is bounded so a silent server fails the test instead of hanging it.
import WebSocket, { type ClientOptions, type RawData } from 'ws';
import type { IncomingMessage } from 'node:http';

export interface Received {
  data: Buffer;
  isBinary: boolean;
}

export interface Closed {
  code: number;
  reason: string;
}

/** A connected client that records every message and its close event from the start. */
export interface Client {
  ws: WebSocket;
  /** The 101 response (headers such as Sec-WebSocket-Extensions). */
  response: IncomingMessage;
  received: Received[];
  closed: Promise<Closed>;
  /** Resolves once at least n messages have arrived in total. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  /** The next message after those already consumed by next(). */
  next(timeoutMs?: number): Promise<Received>;
}

export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export async function connect(
  url: string,
  options: ClientOptions = {},
  timeoutMs = 5000,
): Promise<Client> {
  const ws = new WebSocket(url, options);
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  let consumed = 0;
  let response: IncomingMessage | undefined;
  ws.on('upgrade', (res) => (response = res));
  ws.on('message', (data, isBinary) => {
    received.push({ data: toBuffer(data), isBinary });
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<Closed>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString('utf8') });
      for (const w of waiters.splice(0)) w();
    });
  });
  // Errors after open surface through `closed`; keep them from being unhandled.
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode} instead of 101`)),
      );
    }),
    timeoutMs,
    `open ${url}`,
  );
  ws.on('error', () => {});

  const waitFor = (n: number, ms = 10_000): Promise<Received[]> =>
    withTimeout(
      new Promise<Received[]>((resolve, reject) => {
        const check = (): void => {
          if (received.length >= n) resolve(received.slice(0, n));
          else if (ws.readyState === WebSocket.CLOSED)
            reject(new Error(`closed after ${received.length} of ${n} messages`));
          else waiters.push(check);
        };
        check();
      }),
      ms,
      `${n} messages on ${url} (got ${received.length})`,
    );
  return {
    ws,
    response: response!,
    received,
    closed,
    waitFor,
    async next(ms = 10_000) {
      const all = await waitFor(consumed + 1, ms);
      return all[consumed++]!;
    },
  };
}

/** Sends and resolves when ws has handed the bytes to the socket. */
export function send(
  ws: WebSocket,
  data: string | Buffer,
  options: { binary?: boolean; fin?: boolean; compress?: boolean } = {},
): Promise<void> {
  return new Promise((resolve, reject) =>
    ws.send(data, options, (err) => (err ? reject(err) : resolve())),
  );
}

/** Deterministic, non-trivial bytes (not all equal, so bugs in offsets or masking show). */
export function patternBytes(length: number, seed = 1): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}
