// A WebSocket that comes back: after an unexpected close it reconnects with exponential
// backoff and jitter, up to `maxAttempts` consecutive attempts (the count starts again
// once a connection has stayed open `resetAfterMs`), detects dead connections with a
// heartbeat, runs open hooks on every (re)connection so clients can re-join what they
// were subscribed to, and queues sends while offline (at most `maxQueued`).
//
// States: idle → connecting → open → (drop) → reconnecting → connecting → open …
//         any → closed (close() called, or reconnecting gave up: 'failed').
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { Emitter } from './emitter.js';
import { QueueFullError, SocketClosedError } from './errors.js';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import {
  dropSocket,
  OPEN,
  resolveWebSocket,
  type CloseInfo,
  type WebSocketConstructor,
  type WebSocketLike,
} from './websocket-like.js';

export type SocketState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ReconnectOptions {
  /** Reconnect after an unexpected close (default true). */
  autoReconnect?: boolean;
  /** Consecutive reconnect attempts before giving up with 'failed' (default 10; Infinity: never). */
  maxAttempts?: number;
  /** First reconnect delay before jitter (default 500 ms). */
  baseDelayMs?: number;
  /** Cap of the exponential delay before jitter (default 30 000 ms). */
  maxDelayMs?: number;
  /** Jitter: the delay is multiplied by a factor in [1 - jitter, 1 + jitter) (default 0.5). */
  jitter?: number;
  /** A connection that stayed open this long resets the attempt count (default 3000 ms). */
  resetAfterMs?: number;
  /** An attempt not open within this long is abandoned (default 10 000 ms). */
  connectTimeoutMs?: number;
  /** Dead-connection detection; false turns it off (see heartbeat.ts). */
  heartbeat?: HeartbeatOptions | false;
  /** Sends kept while offline; one more throws QueueFullError (default 100). */
  maxQueued?: number;
  /** The WebSocket implementation (default: the global one). */
  WebSocket?: WebSocketConstructor;
  /** Whether a close is worth a reconnect (default: always); false ends with 'failed'. */
  shouldReconnect?: (close: CloseInfo) => boolean;
  /** Random numbers in [0, 1) for the jitter (tests pass a fixed one). */
  random?: () => number;
}

export interface ReconnectingSocketOptions extends ReconnectOptions {
  /** The address, or a function giving it (called before every attempt: fresh tokens). */
  url: string | (() => string | Promise<string>);
  protocols?: string | string[];
}

export interface OpenInfo {
  url: string;
  /** False on the first connection, true on every later one. */
  reconnected: boolean;
}

export interface SocketCloseInfo extends CloseInfo {
  /** Whether a reconnect follows. False: the socket is now 'closed'. */
  willReconnect: boolean;
  /** Whether this connection had opened (false: an attempt that failed). */
  wasOpen: boolean;
}

export interface SocketEvents {
  open: [info: OpenInfo];
  message: [data: unknown];
  close: [info: SocketCloseInfo];
  reconnecting: [info: { attempt: number; delayMs: number; maxAttempts: number }];
  /** Reconnecting gave up (or could not start); the socket is closed for good. */
  failed: [info: { attempts: number; lastClose: CloseInfo; dropped: number; error?: Error }];
  error: [error: Error];
  state: [state: SocketState];
}

/**
 * Runs on every open, before queued sends go out; where subscriptions are re-joined.
 * A hook that throws is reported as an 'error' event.
 */
export type OpenHook = (info: OpenInfo) => void;

interface Queued {
  data: string | ArrayBuffer | ArrayBufferView;
  onSent?: () => void;
}

export class ReconnectingSocket extends Emitter<SocketEvents> {
  private ws: WebSocketLike | null = null;
  private current: SocketState = 'idle';
  private attempt = 0;
  private everOpened = false;
  private openedAt = 0;
  private closedBecause = 'not connected yet';
  private readonly queue: Queued[] = [];
  private readonly hooks = new Set<OpenHook>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: Heartbeat | null = null;
  private generation = 0;
  private readonly Impl: WebSocketConstructor;
  readonly maxAttempts: number;
  readonly maxQueued: number;

  constructor(private readonly options: ReconnectingSocketOptions) {
    super();
    this.Impl = resolveWebSocket(options.WebSocket);
    this.maxAttempts = options.maxAttempts ?? 10;
    this.maxQueued = options.maxQueued ?? 100;
  }

  get state(): SocketState {
    return this.current;
  }

  /** Consecutive failed attempts since the last stable connection. */
  get attempts(): number {
    return this.attempt;
  }

  /** Why the socket is closed (or 'not connected yet'). */
  get closeReason(): string {
    return this.closedBecause;
  }

  /** Sends waiting for a connection. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Starts connecting (from 'idle' or 'closed'; otherwise it only waits). Resolves on
   * the next open; rejects with SocketClosedError if the socket closes for good first.
   */
  connect(): Promise<void> {
    if (this.current === 'idle' || this.current === 'closed') {
      this.attempt = 0;
      this.startAttempt();
    }
    return this.whenOpen();
  }

  /** Resolves when the socket is open (now, if it is). */
  whenOpen(): Promise<void> {
    if (this.current === 'open') return Promise.resolve();
    if (this.current === 'closed') {
      return Promise.reject(new SocketClosedError(this.closedBecause));
    }
    return new Promise((resolve, reject) => {
      const offOpen = this.on('open', () => {
        offOpen();
        offClose();
        resolve();
      });
      const offClose = this.on('close', (info) => {
        if (info.willReconnect) return;
        offOpen();
        offClose();
        reject(new SocketClosedError(this.closedBecause));
      });
    });
  }

  /**
   * Sends now when open; otherwise queues (sent, in order, after the open hooks of the
   * next connection). Returns which; `onSent` runs when the data is handed to the socket.
   * Throws SocketClosedError when closed for good, QueueFullError when the queue is full.
   */
  send(
    data: string | ArrayBuffer | ArrayBufferView,
    options: { onSent?: () => void } = {},
  ): 'sent' | 'queued' {
    if (this.current === 'closed') throw new SocketClosedError(this.closedBecause);
    const ws = this.ws;
    if (this.current === 'open' && ws && ws.readyState === OPEN) {
      ws.send(data);
      options.onSent?.();
      return 'sent';
    }
    if (this.queue.length >= this.maxQueued) throw new QueueFullError(this.maxQueued);
    this.queue.push({ data, onSent: options.onSent });
    return 'queued';
  }

  /** Adds a hook run on every open (the first too); returns a function removing it. */
  addOpenHook(hook: OpenHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /**
   * Closes for good (until connect() is called again): no reconnect, queued sends are
   * dropped. Emits 'close' at once, without waiting for the closing handshake.
   */
  close(code = 1000, reason = ''): void {
    if (this.current === 'closed') return;
    const ws = this.ws;
    const wasOpen = this.current === 'open';
    this.stopConnection();
    this.closedBecause = 'closed by the application';
    this.queue.length = 0;
    this.setState('closed');
    if (ws) {
      const ignore = (): void => {};
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = ignore;
      try {
        ws.close(code, reason);
      } catch {
        // Closing a socket that is still connecting may throw in some implementations.
        dropSocket(ws);
      }
    }
    this.emit('close', { code, reason, wasClean: true, willReconnect: false, wasOpen });
  }

  private setState(state: SocketState): void {
    if (this.current === state) return;
    this.current = state;
    this.emit('state', state);
  }

  private stopConnection(): void {
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.retryTimer = this.connectTimer = null;
    this.heartbeat?.stop();
    this.heartbeat = null;
    this.ws = null;
  }

  private startAttempt(): void {
    const generation = ++this.generation;
    this.retryTimer = null;
    this.setState('connecting');
    let url: string | Promise<string>;
    try {
      url = typeof this.options.url === 'function' ? this.options.url() : this.options.url;
    } catch (error) {
      url = Promise.reject(error);
    }
    Promise.resolve(url).then(
      (resolved) => {
        if (generation === this.generation) this.openSocket(resolved, generation);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        const err = asError(error);
        this.emit('error', err);
        this.ended(null, { code: 1006, reason: `no address: ${err.message}`, wasClean: false });
      },
    );
  }

  private openSocket(url: string, generation: number): void {
    let ws: WebSocketLike;
    try {
      ws = new this.Impl(url, this.options.protocols);
    } catch (error) {
      // A malformed address fails the same way every time: give up at once.
      return this.giveUp(asError(error), {
        code: 1006,
        reason: 'invalid address',
        wasClean: false,
      });
    }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    const connectTimeoutMs = this.options.connectTimeoutMs ?? 10_000;
    this.connectTimer = setTimeout(() => {
      dropSocket(ws);
      this.ended(ws, {
        code: 1006,
        reason: `not open within ${connectTimeoutMs} ms`,
        wasClean: false,
      });
    }, connectTimeoutMs);
    ws.onopen = () => {
      if (generation === this.generation) this.opened(ws, url);
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      this.heartbeat?.seen();
      this.emit('message', event.data);
    };
    ws.onerror = (event) => {
      if (this.ws !== ws) return;
      const message = (event as { message?: unknown }).message;
      this.emit('error', new Error(`WebSocket error${message ? `: ${String(message)}` : ''}`));
    };
    ws.onclose = (event) =>
      this.ended(ws, { code: event.code, reason: event.reason, wasClean: event.wasClean });
  }

  private opened(ws: WebSocketLike, url: string): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.openedAt = Date.now();
    const reconnected = this.everOpened;
    this.everOpened = true;
    this.setState('open');
    const { heartbeat } = this.options;
    if (heartbeat !== false) {
      this.heartbeat = new Heartbeat(ws, heartbeat ?? {}, (silentMs) => {
        dropSocket(ws);
        this.ended(ws, {
          code: 1006,
          reason: `heartbeat timeout: nothing received for ${silentMs} ms`,
          wasClean: false,
        });
      });
      this.heartbeat.start();
    }
    const info: OpenInfo = { url, reconnected };
    for (const hook of [...this.hooks]) {
      if (this.ws !== ws) return;
      try {
        hook(info);
      } catch (error) {
        // An 'error' event, not an uncaught exception (which would end a Node process);
        // the other hooks and the queued sends still run.
        this.emit('error', asError(error));
      }
    }
    while (this.queue.length > 0 && this.ws === ws && ws.readyState === OPEN) {
      const item = this.queue.shift()!;
      ws.send(item.data);
      item.onSent?.();
    }
    if (this.ws === ws) this.emit('open', info);
  }

  /** The end of a connection or of an attempt: reconnect, or give up. */
  private ended(ws: WebSocketLike | null, info: CloseInfo): void {
    if (ws !== this.ws || this.current === 'closed') return;
    const wasOpen = this.current === 'open';
    this.stopConnection();
    if (wasOpen && Date.now() - this.openedAt >= (this.options.resetAfterMs ?? 3000)) {
      this.attempt = 0;
    }
    if (this.options.autoReconnect === false) {
      this.closedBecause = `connection closed (${describe(info)}) and autoReconnect is off`;
      return this.finish(info, wasOpen, false);
    }
    if (this.options.shouldReconnect && !this.options.shouldReconnect(info)) {
      this.closedBecause = `connection closed (${describe(info)}); reconnecting would not help`;
      return this.finish(info, wasOpen, true);
    }
    if (this.attempt >= this.maxAttempts) {
      this.closedBecause = `gave up after ${this.attempt} reconnect attempts; last close ${describe(info)}`;
      return this.finish(info, wasOpen, true);
    }
    const delayMs = backoffDelay(
      this.attempt,
      {
        baseDelayMs: this.options.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs,
        maxDelayMs: this.options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
        jitter: this.options.jitter ?? DEFAULT_BACKOFF.jitter,
      },
      this.options.random,
    );
    this.attempt++;
    this.setState('reconnecting');
    this.emit('close', { ...info, willReconnect: true, wasOpen });
    // A 'close' listener may have called close().
    if (this.current !== 'reconnecting') return;
    const generation = this.generation;
    this.retryTimer = setTimeout(() => {
      if (generation === this.generation) this.startAttempt();
    }, delayMs);
    this.emit('reconnecting', { attempt: this.attempt, delayMs, maxAttempts: this.maxAttempts });
  }

  private finish(info: CloseInfo, wasOpen: boolean, failed: boolean, error?: Error): void {
    const dropped = this.queue.length;
    this.queue.length = 0;
    this.setState('closed');
    this.emit('close', { ...info, willReconnect: false, wasOpen });
    if (failed) this.emit('failed', { attempts: this.attempt, lastClose: info, dropped, error });
  }

  private giveUp(error: Error, info: CloseInfo): void {
    this.stopConnection();
    this.closedBecause = `cannot connect: ${error.message}`;
    this.emit('error', error);
    this.finish(info, false, true, error);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function describe(info: CloseInfo): string {
  return `${info.code}${info.reason ? ` "${info.reason}"` : ''}`;
}
