// A WebSocket client for Node on net/tls with the engine's own codec: it masks its
// frames, checks the server's, and offers permessage-deflate. Used by tests, the
// benchmark and `ringside connect`.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { WebSocketConnection, type ConnectionEvents, type SendOptions } from './connection.js';
import { parseExtensionHeader } from './extension-header.js';
import { acceptValue } from './handshake.js';
import { findHeadEnd, hasToken } from './http-head.js';
import {
  DEFAULT_DEFLATE_OPTIONS,
  EXTENSION_NAME,
  PerMessageDeflate,
  type DeflateAgreement,
  type DeflateOptions,
} from './permessage-deflate.js';

export interface ClientOptions {
  headers?: Record<string, string>;
  protocols?: string[];
  /** Offer permessage-deflate (default false). */
  deflate?: boolean | Partial<DeflateOptions>;
  maxMessageBytes?: number;
  maxFragments?: number;
  handshakeTimeoutMs?: number;
  closeTimeoutMs?: number;
  maxQueuedBytes?: number;
  /** TLS options for wss:// (ca, rejectUnauthorized, servername…). */
  tls?: tls.ConnectionOptions;
}

export class HandshakeFailedError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** The refusal's body (at most 64 KiB), when the server answered with one. */
    readonly body?: string,
    /** The refusal's status line, e.g. "HTTP/1.1 401 Unauthorized". */
    readonly statusLine?: string,
  ) {
    super(message);
  }
}

export interface WebSocketClientEvents {
  message: [data: Buffer, isBinary: boolean];
  pong: [payload: Buffer];
  /** A ping from the server (already answered with a pong). */
  ping: [payload: Buffer];
  close: [code: number, reason: string, wasClean: boolean];
  error: [error: Error];
}

/** An event that arrived before the caller attached its listeners. */
type HeldEvent =
  | { kind: 'message'; data: Buffer; isBinary: boolean }
  | { kind: 'pong'; payload: Buffer }
  | { kind: 'ping'; payload: Buffer }
  | { kind: 'close'; code: number; reason: string; wasClean: boolean };

/**
 * The caller's side of a client connection. Frames can arrive with the 101 itself (a
 * server may greet, or refuse and close, at once), before the promise that hands the
 * client over has even resolved; so events are held, and the socket paused, until the
 * caller attaches its first 'message', 'ping', 'pong' or 'close' listener (or calls
 * nextMessage). They are then delivered in order, a microtask later, so every listener
 * attached in that same turn receives them.
 */
export class WebSocketClient extends EventEmitter<WebSocketClientEvents> {
  readonly connection: WebSocketConnection;
  /** null once events flow to listeners. */
  private held: HeldEvent[] | null = [];
  private pausedWhileHeld = false;
  /** Messages for nextMessage(), collected from its first call on. */
  private inbox: Array<{ data: Buffer; isBinary: boolean }> | null = null;
  private readonly waiting: Array<(message: { data: Buffer; isBinary: boolean }) => void> = [];

  constructor(
    socket: Socket,
    head: Buffer,
    readonly protocol: string | undefined,
    readonly extensions: string | undefined,
    deflate: PerMessageDeflate | null,
    options: ClientOptions,
  ) {
    super();
    this.untyped.on('newListener', this.onNewListener);
    this.connection = new WebSocketConnection(
      socket,
      {
        role: 'client',
        maxMessageBytes: options.maxMessageBytes ?? 64 * 1024 * 1024,
        maxFragments: options.maxFragments ?? 100_000,
        closeTimeoutMs: options.closeTimeoutMs ?? 5_000,
        maxQueuedBytes: options.maxQueuedBytes ?? 256 * 1024 * 1024,
        slowConsumer: 'close',
        // A client has one connection: nobody to be fair to.
        readBytesPerTurn: Number.POSITIVE_INFINITY,
      },
      deflate,
      {
        message: (_c, data, isBinary) => this.deliver({ kind: 'message', data, isBinary }),
        pong: (_c, payload) => this.deliver({ kind: 'pong', payload }),
        ping: (_c, payload) => this.deliver({ kind: 'ping', payload }),
        close: (_c, code, reason, wasClean) =>
          this.deliver({ kind: 'close', code, reason, wasClean }),
        error: (_c, error) => {
          if (this.listenerCount('error') > 0) this.emit('error', error);
        },
      } satisfies ConnectionEvents,
    );
    this.connection.start(head);
  }

  /** 'newListener' is not one of the typed events. */
  private get untyped(): EventEmitter {
    return this as EventEmitter;
  }

  private readonly onNewListener = (event: string | symbol): void => {
    if (event === 'message' || event === 'pong' || event === 'ping' || event === 'close') {
      this.untyped.off('newListener', this.onNewListener);
      queueMicrotask(() => this.flow());
    }
  };

  private deliver(event: HeldEvent): void {
    if (this.held === null) return this.emitEvent(event);
    this.held.push(event);
    // Nobody listens yet: stop reading rather than hold an unbounded backlog.
    if (!this.pausedWhileHeld && event.kind !== 'close') {
      this.pausedWhileHeld = true;
      this.connection.socket.pause();
    }
  }

  private flow(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    this.untyped.off('newListener', this.onNewListener);
    for (const event of held) this.emitEvent(event);
    if (this.pausedWhileHeld) this.connection.socket.resume();
  }

  private emitEvent(event: HeldEvent): void {
    switch (event.kind) {
      case 'message':
        this.emit('message', event.data, event.isBinary);
        break;
      case 'pong':
        this.emit('pong', event.payload);
        break;
      case 'ping':
        this.emit('ping', event.payload);
        break;
      case 'close':
        this.emit('close', event.code, event.reason, event.wasClean);
        break;
    }
  }

  get readyState(): number {
    return this.connection.readyState;
  }

  send(data: string | Buffer | Uint8Array, options?: SendOptions): void {
    this.connection.send(data, options);
  }

  ping(payload?: Buffer | string): void {
    this.connection.ping(payload);
  }

  close(code?: number, reason?: string): void {
    this.connection.close(code, reason);
  }

  terminate(): void {
    this.connection.terminate();
  }

  /**
   * Resolves with the next message. From the first call on, messages no call has taken
   * yet wait in an inbox, so two messages that arrive in one TCP chunk are both seen.
   */
  nextMessage(timeoutMs = 5_000): Promise<{ data: Buffer; isBinary: boolean }> {
    if (this.inbox === null) {
      this.inbox = [];
      this.on('message', (data, isBinary) => {
        const waiter = this.waiting.shift();
        if (waiter) waiter({ data, isBinary });
        else this.inbox!.push({ data, isBinary });
      });
    }
    const ready = this.inbox.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const waiter = (message: { data: Buffer; isBinary: boolean }): void => {
        clearTimeout(timer);
        resolve(message);
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new Error('no message in time'));
      }, timeoutMs);
      this.waiting.push(waiter);
    });
  }
}

/** Checks the server's answer to our permessage-deflate offer (RFC 7692 section 7.1). */
function acceptDeflateResponse(header: string): DeflateAgreement {
  const offers = parseExtensionHeader(header);
  if (offers.length !== 1 || offers[0]!.name !== EXTENSION_NAME) {
    throw new HandshakeFailedError(`server answered with extensions we did not offer: ${header}`);
  }
  const agreement: DeflateAgreement = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: undefined,
  };
  const seen = new Set<string>();
  for (const [key, value] of offers[0]!.params) {
    if (seen.has(key)) throw new HandshakeFailedError(`duplicate deflate parameter ${key}`);
    seen.add(key);
    const bits = value === true ? NaN : Number(value);
    const validBits = Number.isInteger(bits) && bits >= 8 && bits <= 15;
    if (key === 'server_no_context_takeover' && value === true)
      agreement.serverNoContextTakeover = true;
    else if (key === 'client_no_context_takeover' && value === true)
      agreement.clientNoContextTakeover = true;
    else if (key === 'server_max_window_bits' && validBits) agreement.serverMaxWindowBits = bits;
    else if (key === 'client_max_window_bits' && validBits) agreement.clientMaxWindowBits = bits;
    else throw new HandshakeFailedError(`invalid deflate parameter in response: ${key}`);
  }
  return agreement;
}

/** Opens a WebSocket to a ws:// or wss:// URL. */
export function connectWebSocket(
  url: string,
  options: ClientOptions = {},
): Promise<WebSocketClient> {
  const target = new URL(url);
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') {
    return Promise.reject(new TypeError(`not a WebSocket URL: ${url}`));
  }
  const secure = target.protocol === 'wss:';
  const port = Number(target.port || (secure ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const key = randomBytes(16).toString('base64');
  const deflateOptions: DeflateOptions | null = options.deflate
    ? { ...DEFAULT_DEFLATE_OPTIONS, ...(options.deflate === true ? {} : options.deflate) }
    : null;

  const lines = [
    `GET ${target.pathname}${target.search} HTTP/1.1`,
    `Host: ${target.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (options.protocols?.length)
    lines.push(`Sec-WebSocket-Protocol: ${options.protocols.join(', ')}`);
  if (deflateOptions)
    lines.push(`Sec-WebSocket-Extensions: ${EXTENSION_NAME}; client_max_window_bits`);
  for (const [name, value] of Object.entries(options.headers ?? {}))
    lines.push(`${name}: ${value}`);
  const request = lines.join('\r\n') + '\r\n\r\n';

  return new Promise((resolve, reject) => {
    const socket: Socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...options.tls })
      : net.connect({ host, port });
    let buffered = Buffer.alloc(0);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new HandshakeFailedError('handshake timed out')),
      options.handshakeTimeoutMs ?? 10_000,
    );
    socket.once(secure ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.on('error', fail);
    socket.on('close', () =>
      fail(new HandshakeFailedError('connection closed during the handshake')),
    );
    socket.on('data', function onData(chunk: Buffer) {
      buffered = Buffer.concat([buffered, chunk]);
      const end = findHeadEnd(buffered);
      if (end < 0) {
        if (buffered.length > 64 * 1024) fail(new HandshakeFailedError('response head too large'));
        return;
      }
      const status = responseStatus(buffered);
      if (status !== undefined && status !== 101) {
        // A refusal: keep reading its body (bounded), for the caller to show.
        socket.removeListener('data', onData);
        return collectBody(socket, buffered, end, (body) =>
          fail(
            new HandshakeFailedError(
              `unexpected response: ${statusLine(buffered)}`,
              status,
              body,
              statusLine(buffered),
            ),
          ),
        );
      }
      socket.removeListener('data', onData);
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      clearTimeout(timer);
      try {
        const { protocol, extensions, deflate } = checkResponse(
          buffered.subarray(0, end),
          key,
          options,
          deflateOptions,
        );
        resolve(
          new WebSocketClient(
            socket,
            buffered.subarray(end),
            protocol,
            extensions,
            deflate,
            options,
          ),
        );
      } catch (error) {
        socket.destroy();
        reject(error);
      }
    });
  });
}

/** The largest refusal body kept for the caller. */
const MAX_REFUSAL_BODY = 64 * 1024;

function statusLine(response: Buffer): string {
  const end = response.indexOf('\r\n');
  return response.subarray(0, end < 0 ? response.length : end).toString('latin1');
}

function responseStatus(response: Buffer): number | undefined {
  const match = /^HTTP\/1\.\d (\d{3})/.exec(statusLine(response));
  return match ? Number(match[1]) : undefined;
}

/**
 * Reads the body of a refused upgrade: Content-Length bytes, or until the server closes,
 * at most MAX_REFUSAL_BODY bytes and half a second; never fails.
 */
function collectBody(
  socket: Socket,
  response: Buffer,
  headEnd: number,
  done: (body: string) => void,
): void {
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(
    response.subarray(0, headEnd).toString('latin1'),
  );
  const wanted = Math.min(length ? Number(length[1]) : MAX_REFUSAL_BODY, MAX_REFUSAL_BODY);
  let body = response.subarray(headEnd);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('end', finish);
    done(body.subarray(0, wanted).toString('utf8'));
  };
  const onData = (chunk: Buffer): void => {
    body = Buffer.concat([body, chunk]);
    if (body.length >= wanted) finish();
  };
  const timer = setTimeout(finish, 500);
  if (body.length >= wanted) return finish();
  socket.on('data', onData);
  socket.on('end', finish);
}

function checkResponse(
  headBytes: Buffer,
  key: string,
  options: ClientOptions,
  deflateOptions: DeflateOptions | null,
): {
  protocol: string | undefined;
  extensions: string | undefined;
  deflate: PerMessageDeflate | null;
} {
  const text = headBytes.toString('latin1');
  const [statusLine, ...headerLines] = text.split('\r\n');
  const status = /^HTTP\/1\.\d (\d{3})/.exec(statusLine ?? '');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
  }
  if (!status || status[1] !== '101') {
    throw new HandshakeFailedError(
      `unexpected response: ${statusLine}`,
      status ? Number(status[1]) : undefined,
    );
  }
  if (!hasToken(headers['upgrade'], 'websocket'))
    throw new HandshakeFailedError('bad Upgrade header');
  if (!hasToken(headers['connection'], 'upgrade'))
    throw new HandshakeFailedError('bad Connection header');
  if (headers['sec-websocket-accept'] !== acceptValue(key))
    throw new HandshakeFailedError('bad Sec-WebSocket-Accept');
  const protocol = headers['sec-websocket-protocol'];
  if (protocol !== undefined && !options.protocols?.includes(protocol)) {
    throw new HandshakeFailedError(`server chose a subprotocol we did not offer: ${protocol}`);
  }
  const extensions = headers['sec-websocket-extensions'];
  let deflate: PerMessageDeflate | null = null;
  if (extensions !== undefined) {
    if (!deflateOptions)
      throw new HandshakeFailedError(`server answered with unrequested extensions: ${extensions}`);
    deflate = new PerMessageDeflate(acceptDeflateResponse(extensions), deflateOptions, 'client');
  }
  return { protocol, extensions, deflate };
}
