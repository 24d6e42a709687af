// What every typed client shares: the options, the reconnecting socket, JSON in and
// out, and typed `on()` for the protocol's events. Connection life (open, close,
// reconnecting, failed) is on `client.socket`, so protocol event names never collide.
import { Emitter } from './emitter.js';
import { baseAddress, urlWithToken, type TokenSource } from './endpoint.js';
import {
  ReconnectingSocket,
  type ReconnectOptions,
  type SocketState,
} from './reconnecting-socket.js';
import { messageText } from './websocket-like.js';

export interface ClientOptions extends ReconnectOptions {
  /**
   * The server: ws(s):// or http(s):// base address (the protocol's path is added), or
   * the full endpoint URL. Default: the page's own host in a browser, else
   * ws://localhost:8080.
   */
  url?: string;
  /** JWT, or a function returning one (called before every connection attempt). */
  token?: TokenSource;
  /** Connect at once (default true); otherwise call connect(). */
  connect?: boolean;
  /** Request methods reject with RequestTimeoutError after this long (default 30 000 ms). */
  requestTimeoutMs?: number;
}

export abstract class ProtocolClient<
  Events extends { [K in keyof Events]: unknown[] },
> extends Emitter<Events> {
  readonly socket: ReconnectingSocket;
  protected readonly requestTimeoutMs: number;
  protected readonly base: string;

  constructor(
    protected readonly options: ClientOptions,
    path: string,
    protocolDefaults: Partial<ReconnectOptions> = {},
  ) {
    super();
    this.base = baseAddress(options.url);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.socket = new ReconnectingSocket({
      ...protocolDefaults,
      ...options,
      heartbeat:
        options.heartbeat === false
          ? false
          : { ...(protocolDefaults.heartbeat || {}), ...(options.heartbeat || {}) },
      url: urlWithToken(this.base, path, options.token),
    });
    this.socket.on('message', (data) => {
      let message: unknown;
      try {
        message = JSON.parse(messageText(data));
      } catch {
        return this.onUnparsable(messageText(data));
      }
      if (message !== null && typeof message === 'object') {
        this.onMessage(message as Record<string, unknown>);
      }
    });
  }

  get state(): SocketState {
    return this.socket.state;
  }

  /** Connects if not connected; resolves once open. */
  connect(): Promise<void> {
    return this.socket.connect();
  }

  /** Closes for good (no reconnect). */
  close(code = 1000, reason = ''): void {
    this.socket.close(code, reason);
  }

  /** Starts connecting unless the options say not to (called by subclasses when ready). */
  protected autoConnect(): void {
    if (this.options.connect !== false) {
      // Failures surface through the socket's events and the request methods.
      this.socket.connect().catch(() => {});
    }
  }

  protected sendJson(message: unknown, onSent?: () => void): 'sent' | 'queued' {
    return this.socket.send(JSON.stringify(message), { onSent });
  }

  protected abstract onMessage(message: Record<string, unknown>): void;

  protected onUnparsable(_text: string): void {}
}
