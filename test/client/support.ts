// Helpers for the SDK tests: a server on a fixed port (so a restart comes back at the
// same address), a TCP proxy the test can stall or cut, a `ws` WebSocket without its
// Node extras (what a browser's looks like to the SDK), and event waiting with a bound.
import net from 'node:net';
import { WebSocket } from 'ws';
import type { WebSocketConstructor, WebSocketLike } from '../../src/client/index.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

/** The `ws` package's WebSocket, as the SDK's `WebSocket` option. */
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `ringside serve` on a port of its own that restart() keeps. */
export async function startServeOnFixedPort(args: string[] = []): Promise<ServeProcess> {
  const port = await freePort();
  return startServe(['--port', String(port), ...args]);
}

/**
 * A TCP proxy to `target`. stall(): existing connections stop forwarding in both
 * directions but stay open (a dead link: no FIN, no RST). refuse(): new connections are
 * closed at once. cut(): every connection is destroyed.
 */
export class TcpProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private refusing = false;
  port = 0;
  connections = 0;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  private accept(client: net.Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    this.connections++;
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  /** Existing connections go silent: nothing is forwarded any more, nothing is closed. */
  stall(): void {
    for (const { client, upstream } of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  refuse(on: boolean): void {
    this.refusing = on;
  }

  cut(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The `ws` WebSocket behind only the browser's API (no ping(), no on(), no terminate()):
 * what the SDK sees in a browser.
 */
export class BrowserLikeWebSocket implements WebSocketLike {
  private readonly ws: WebSocket;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;

  constructor(url: string, protocols?: string | string[]) {
    this.ws = new WebSocket(url, protocols);
    this.ws.binaryType = 'arraybuffer';
    this.ws.onopen = (e) => this.onopen?.(e);
    this.ws.onmessage = (e) => this.onmessage?.({ data: e.data });
    this.ws.onerror = (e) => this.onerror?.(e);
    this.ws.onclose = (e) =>
      this.onclose?.({ code: e.code, reason: e.reason, wasClean: e.wasClean });
  }

  get readyState(): number {
    return this.ws.readyState;
  }
  get binaryType(): string {
    return this.ws.binaryType;
  }
  set binaryType(_value: string) {}
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    this.ws.send(data);
  }
  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
  /** For the test's own cleanup only (the SDK cannot see it). */
  destroyForTest(): void {
    this.ws.terminate();
  }
}

// Tests read event arguments freely; a wrong field fails the assertion anyway.
/* eslint-disable @typescript-eslint/no-explicit-any */
interface Listenable {
  on(event: any, listener: (...args: any[]) => void): () => void;
}

/** The arguments of the next `event` (matching `match`), or a rejection after `timeoutMs`. */
export function nextEvent(
  emitter: Listenable,
  event: string,
  timeoutMs = 5000,
  match: (...args: any[]) => boolean = () => true,
): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = emitter.on(event, (...args: any[]) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      off();
      resolve(args);
    });
  });
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Polls `check` (sync or async) every 10 ms until it is true, or fails after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
