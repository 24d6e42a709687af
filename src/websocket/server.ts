// The server: owns the accept loop on net/tls, reads each request head itself (size
// and time limited), answers WebSocket upgrades for its routes and hands every other
// request to an http.Server on the same socket, so one port serves both. It also keeps
// the connection table, rooms, the shared heartbeat timer, limits and graceful shutdown.
// Long because it is one lifecycle (accept → head → upgrade → connection → close) over
// private tables every step touches; its options and defaults live in server-options.ts.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import tls from 'node:tls';
import { CloseCode } from './constants.js';
import type { ConnectionEvents, ConnectionOptions } from './connection.js';
import { parseExtensionHeader } from './extension-header.js';
import { fanOut } from './fan-out.js';
import {
  HandshakeError,
  httpRejection,
  isUpgradeAttempt,
  switchingProtocols,
  validateUpgrade,
} from './handshake.js';
import { HeadReader } from './head-reader.js';
import { HttpHeadError, parseRequestHead, type RequestHead } from './http-head.js';
import {
  DEFAULT_DEFLATE_OPTIONS,
  negotiateDeflate,
  PerMessageDeflate,
  setZlibConcurrency,
  type DeflateOptions,
} from './permessage-deflate.js';
import { TokenBucket } from './rate-limit.js';
import { Rooms } from './rooms.js';
import { RouteParamError, Router } from './router.js';
import {
  ServerConnection,
  UpgradeRejection,
  type ConnectionHost,
  UpgradeRequest,
} from './server-connection.js';

export type {
  ErrorBudget,
  Logger,
  RateLimitOptions,
  RouteHandlers,
  ServerLimits,
  ServerOptions,
  ServerStats,
} from './server-options.js';
export { DEFAULT_ERROR_BUDGET, DEFAULT_LIMITS, DEFAULT_RATE_LIMIT } from './server-options.js';
import {
  DEFAULT_ERROR_BUDGET,
  DEFAULT_LIMITS,
  DEFAULT_RATE_LIMIT,
  type Logger,
  type RateLimitOptions,
  type RouteHandlers,
  type ServerLimits,
  type ServerOptions,
  type ServerStats,
} from './server-options.js';

interface Route {
  pattern: string;
  handlers: RouteHandlers<unknown>;
  rateLimit: RateLimitOptions | false;
  events: ConnectionEvents<ServerConnection<unknown>>;
  open: number;
}

const NO_PROTOCOLS: string[] = Object.freeze([]) as unknown as string[];

// Connection ids: a random prefix per process (unique across nodes) and a counter.
const idPrefix = randomBytes(6).toString('base64url');
let idCounter = 0;
function nextConnectionId(): string {
  return `${idPrefix}-${(++idCounter).toString(36)}`;
}

const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export class WebSocketServer implements ConnectionHost {
  readonly limits: ServerLimits;
  readonly rooms: Rooms;
  readonly stats: ServerStats = {
    connectionsOpened: 0,
    connectionsClosed: 0,
    messagesIn: 0,
    bytesIn: 0,
    messagesOut: 0,
    bytesOut: 0,
    rejectedHandshakes: 0,
    rateLimitedMessages: 0,
  };
  readonly http: http.Server;
  private readonly router = new Router<Route>();
  private readonly routesByPattern = new Map<string, Route>();
  private readonly connectionsById = new Map<string, ServerConnection<unknown>>();
  private readonly heads: HeadReader;
  private readonly connectionsPerIp = new Map<string, number>();
  private readonly deflate: DeflateOptions | null;
  /** Shared by every connection of this server. */
  private readonly connectionOptions: ConnectionOptions;
  private readonly logger: Logger;
  private readonly netServer: net.Server;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private shuttingDown = false;

  constructor(private readonly options: ServerOptions = {}) {
    const limits = { ...DEFAULT_LIMITS };
    for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof ServerLimits>) {
      if (options[key] !== undefined) (limits as Record<string, unknown>)[key] = options[key];
    }
    // A peer must at least be able to receive one message of the largest size.
    if (options.maxQueuedBytes === undefined) {
      limits.maxQueuedBytes = Math.max(
        limits.maxQueuedBytes,
        2 * limits.maxMessageBytes + 1024 * 1024,
      );
    }
    this.limits = limits;
    this.connectionOptions = {
      role: 'server',
      maxMessageBytes: limits.maxMessageBytes,
      maxFragments: limits.maxFragments,
      closeTimeoutMs: limits.closeTimeoutMs,
      maxQueuedBytes: limits.maxQueuedBytes,
      slowConsumer: limits.slowConsumer,
      readBytesPerTurn: limits.readBytesPerTurn,
      stats: this.stats,
    };
    this.logger = options.logger ?? silentLogger;
    this.deflate =
      options.deflate === undefined || options.deflate === false
        ? null
        : { ...DEFAULT_DEFLATE_OPTIONS, ...(options.deflate === true ? {} : options.deflate) };
    if (this.deflate) setZlibConcurrency(this.deflate.concurrency);
    this.rooms = new Rooms(limits.maxRoomsPerConnection, this.stats);
    this.heads = new HeadReader(limits.maxHeadBytes, limits.handshakeTimeoutMs, {
      onHead: (socket, buffered, headEnd) => this.onHead(socket, buffered, headEnd),
      onLimit: (socket, status) =>
        this.reject(
          socket,
          status,
          status === 408 ? 'Request Timeout' : 'Request Header Fields Too Large',
        ),
    });
    this.http = options.http ?? defaultHttpServer();
    const onSocket = (socket: Socket): void => this.onSocket(socket);
    this.netServer = options.tls
      ? tls.createServer({ cert: options.tls.cert, key: options.tls.key }, onSocket)
      : net.createServer({ noDelay: true }, onSocket);
    this.netServer.on('error', (error) => this.logger.error({ err: error }, 'server error'));
    if (options.tls) {
      (this.netServer as tls.Server).on('tlsClientError', (_error, socket) => socket.destroy());
    }
  }

  /** Adds a WebSocket route ("/ws/:sessionId"); the first matching route wins. */
  route<State = Record<string, unknown>>(pattern: string, handlers: RouteHandlers<State>): this {
    const route = {
      pattern,
      handlers: handlers as RouteHandlers<unknown>,
      rateLimit: handlers.rateLimit ?? this.options.rateLimit ?? DEFAULT_RATE_LIMIT,
      open: 0,
    } as Route;
    route.events = this.routeEvents(route);
    this.routesByPattern.set(pattern, route);
    this.router.add(pattern, route);
    return this;
  }

  listen(port: number, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.netServer.once('error', reject);
      this.netServer.listen(port, host, () => {
        this.netServer.removeListener('error', reject);
        // The http.Server never listens itself (we hand it sockets), but only a listening
        // one tracks its connections: without that, closeIdleConnections() at shutdown
        // would find nothing and a keep-alive socket would hold the port for seconds.
        if (!this.http.listening) this.http.emit('listening');
        this.startHeartbeat();
        resolve(this.netServer.address() as AddressInfo);
      });
    });
  }

  address(): AddressInfo | null {
    return this.netServer.address() as AddressInfo | null;
  }

  /** Every open connection. */
  get connections(): IterableIterator<ServerConnection<unknown>> {
    return this.connectionsById.values();
  }

  get connectionCount(): number {
    return this.connectionsById.size;
  }

  /** Open connections per route pattern. */
  openPerRoute(): Record<string, number> {
    return Object.fromEntries(
      [...this.routesByPattern.values()].map((route) => [route.pattern, route.open]),
    );
  }

  getConnection(id: string): ServerConnection<unknown> | undefined {
    return this.connectionsById.get(id);
  }

  /** Sends to one connection by id; false when there is no such open connection. */
  sendTo(id: string, data: string | Buffer, options: { binary?: boolean } = {}): boolean {
    const connection = this.connectionsById.get(id);
    if (!connection || !connection.isOpen) return false;
    connection.send(data, options);
    return true;
  }

  /** Sends to every open connection (of one route, if given); returns how many. */
  broadcast(
    data: string | Buffer,
    options: { binary?: boolean; route?: string; except?: ServerConnection<unknown> } = {},
  ): number {
    const targets =
      options.route === undefined
        ? this.connectionsById.values()
        : filter(this.connectionsById.values(), (c) => c.route === options.route);
    return fanOut(
      targets,
      data,
      options.binary ?? typeof data !== 'string',
      options.except ?? null,
      this.stats,
    );
  }

  joinRoom(connection: ServerConnection<unknown>, room: string): void {
    this.rooms.join(connection, room);
  }

  leaveRoom(connection: ServerConnection<unknown>, room: string): void {
    this.rooms.leave(connection, room);
  }

  /**
   * Counts an invalid message against the connection's error budget; past the budget the
   * connection is closed with 1008. Returns false when it was closed.
   */
  reportInvalid(connection: ServerConnection<unknown>): boolean {
    const budget =
      this.routesByPattern.get(connection.route)?.handlers.errorBudget ?? DEFAULT_ERROR_BUDGET;
    const now = Date.now();
    const invalid = (connection.invalid ??= { count: 0, windowStart: now });
    if (now - invalid.windowStart > budget.windowMs) {
      invalid.windowStart = now;
      invalid.count = 0;
    }
    if (++invalid.count > budget.maxInvalid) {
      connection.close(CloseCode.PolicyViolation, 'too many invalid messages');
      return false;
    }
    return true;
  }

  /**
   * Graceful shutdown: stop accepting, send 1001 to every connection, wait for the
   * closing handshakes until `timeoutMs`, then drop what is left.
   */
  async close(timeoutMs = this.limits.closeTimeoutMs): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const listening = new Promise<void>((resolve) => this.netServer.close(() => resolve()));
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heads.stop();
    this.http.closeIdleConnections?.();
    const open = [...this.connectionsById.values()];
    const closed = open.map(
      (c) => new Promise<void>((resolve) => c.socket.once('close', () => resolve())),
    );
    for (const connection of open) connection.close(CloseCode.GoingAway, 'server shutting down');
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all(closed), deadline]);
    for (const connection of this.connectionsById.values()) connection.terminate();
    this.http.closeAllConnections?.();
    await listening;
  }

  // --- accepting -------------------------------------------------------------

  private onSocket(socket: Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    this.heads.read(socket);
  }

  private onHead(socket: Socket, buffered: Buffer, headEnd: number): void {
    let head: RequestHead;
    try {
      head = parseRequestHead(buffered.subarray(0, headEnd - 4));
    } catch (error) {
      const status = error instanceof HttpHeadError ? error.status : 400;
      this.reject(socket, status, error instanceof Error ? error.message : 'Bad Request');
      return;
    }
    if (!isUpgradeAttempt(head)) {
      this.handToHttp(socket, buffered);
      return;
    }
    try {
      this.upgrade(socket, head, buffered.subarray(headEnd));
    } catch (error) {
      this.upgradeFailed(socket, error);
    }
  }

  private upgradeFailed(socket: Socket, error: unknown): void {
    this.logger.error({ err: error }, 'upgrade failed');
    this.reject(socket, 500, 'Internal Server Error');
  }

  private handToHttp(socket: Socket, buffered: Buffer): void {
    // http.Server would otherwise read the socket's handle directly in C++ and never
    // see the bytes we already read; marking the handle consumed keeps it on 'data'.
    const handle = (socket as unknown as { _handle?: { _consumed?: boolean } })._handle;
    if (handle) handle._consumed = true;
    socket.unshift(buffered);
    this.http.emit('connection', socket);
  }

  private upgrade(socket: Socket, head: RequestHead, rest: Buffer): void {
    let key: string;
    try {
      key = validateUpgrade(head);
    } catch (error) {
      if (!(error instanceof HandshakeError)) throw error;
      return this.reject(socket, error.status, error.message, error.headers);
    }
    const queryAt = head.target.indexOf('?');
    const rawPath = queryAt < 0 ? head.target : head.target.slice(0, queryAt);
    const path = rawPath.startsWith('/') ? rawPath : safePath(rawPath);
    let found;
    try {
      found = this.router.find(path);
    } catch (error) {
      if (error instanceof RouteParamError) return this.reject(socket, 400, 'Bad Request');
      throw error;
    }
    if (!found) return this.reject(socket, 404, 'Not Found');
    const route = found.value;

    const origin = head.headers['origin'];
    if (this.options.origins && (origin === undefined || !this.options.origins.includes(origin))) {
      return this.reject(socket, 403, 'Origin not allowed');
    }

    // Counted per address only when limited (the lookup is a syscall).
    const limitPerIp = this.limits.maxConnectionsPerIp > 0;
    const remoteAddress = limitPerIp ? (socket.remoteAddress ?? 'unknown') : '';
    const perIp = limitPerIp ? (this.connectionsPerIp.get(remoteAddress) ?? 0) : 0;
    if (limitPerIp && perIp >= this.limits.maxConnectionsPerIp) {
      return this.reject(socket, 429, 'Too many connections from this address');
    }

    let extensionResponse: string | undefined;
    let deflate: PerMessageDeflate | null = null;
    const offeredExtensions = head.headers['sec-websocket-extensions'];
    if (this.deflate && offeredExtensions !== undefined) {
      let offers;
      try {
        offers = parseExtensionHeader(offeredExtensions);
      } catch {
        return this.reject(socket, 400, 'Malformed Sec-WebSocket-Extensions');
      }
      const negotiated = negotiateDeflate(offers, this.deflate);
      if (negotiated) {
        extensionResponse = negotiated.response;
        deflate = new PerMessageDeflate(negotiated.agreement, this.deflate, 'server');
      }
    }

    const offeredProtocols = head.headers['sec-websocket-protocol'];
    const protocols =
      offeredProtocols === undefined
        ? NO_PROTOCOLS
        : offeredProtocols
            .split(',')
            .map((p) => p.trim())
            .filter((p) => p !== '');
    const request = new UpgradeRequest(
      'GET', // validated above; a constant keeps no per-connection copy
      head.target,
      path,
      found.params,
      socket,
      socket instanceof tls.TLSSocket,
      protocols,
      head.headers,
    );
    let protocol: string | undefined;
    if (protocols.length > 0 && route.handlers.selectProtocol) {
      protocol = route.handlers.selectProtocol(protocols, request);
      if (protocol !== undefined && !protocols.includes(protocol)) protocol = undefined;
    }

    if (limitPerIp) this.connectionsPerIp.set(remoteAddress, perIp + 1);
    const connection = this.createConnection(socket, request, route, deflate);
    connection.protocol = protocol;
    const accept = (): void => {
      if (socket.destroyed || this.shuttingDown) {
        this.abandon(connection, deflate);
        socket.destroy();
        return;
      }
      request.compact();
      connection.answerHandshake(switchingProtocols(key, protocol, extensionResponse));
      this.connectionsById.set(connection.id, connection);
      route.open++;
      this.stats.connectionsOpened++;
      connection.start(rest);
    };
    const refuse = (error: unknown): void => {
      this.abandon(connection, deflate);
      if (error instanceof UpgradeRejection)
        return this.reject(socket, error.status, error.message, error.headers);
      this.upgradeFailed(socket, error);
    };

    const onConnect = route.handlers.onConnect;
    if (onConnect === undefined) return accept();
    let result;
    try {
      result = onConnect(connection, request);
    } catch (error) {
      return refuse(error);
    }
    if (!(result instanceof Promise)) return accept();
    // The client may not send before the 101, but keep anything it does until then.
    socket.pause();
    result.then(() => {
      accept();
      socket.resume();
    }, refuse);
  }

  /** Undoes what a connection that never opened took (rooms, its per-IP slot, zlib). */
  private abandon(connection: ServerConnection<unknown>, deflate: PerMessageDeflate | null): void {
    this.rooms.leaveAll(connection);
    this.releaseIp(connection.request.remoteAddress);
    deflate?.dispose();
    connection.discardOutput();
  }

  private createConnection(
    socket: Socket,
    request: UpgradeRequest,
    route: Route,
    deflate: PerMessageDeflate | null,
  ): ServerConnection<unknown> {
    const handlers = route.handlers;
    const connection = new ServerConnection(
      nextConnectionId(),
      request,
      route.pattern,
      socket,
      this.connectionOptions,
      deflate,
      route.events,
      this,
      handlers.initialState ? handlers.initialState() : {},
    );
    const rateLimit = route.rateLimit;
    if (rateLimit) {
      connection.bucket = new TokenBucket(
        rateLimit.messagesPerSecond,
        rateLimit.burst ?? 2 * rateLimit.messagesPerSecond,
      );
    }
    return connection;
  }

  /** What a route's connections report, as one object shared by all of them. */
  private routeEvents(route: Route): ConnectionEvents<ServerConnection<unknown>> {
    const stats = this.stats;
    return {
      message: (connection, data, isBinary) => {
        stats.messagesIn++;
        stats.bytesIn += data.length;
        const handlers = route.handlers;
        if (connection.bucket !== null && !connection.bucket.take()) {
          stats.rateLimitedMessages++;
          const rateLimit = route.rateLimit;
          if (rateLimit && rateLimit.onExceeded === 'error' && handlers.onRateLimited) {
            handlers.onRateLimited(connection);
          } else {
            connection.close(CloseCode.PolicyViolation, 'rate limit exceeded');
          }
          return;
        }
        if (handlers.onMessage === undefined) return;
        try {
          const result = handlers.onMessage(connection, data, isBinary);
          if (result instanceof Promise) {
            result.catch((error: unknown) => this.onHandlerError(connection, handlers, error));
          }
        } catch (error) {
          this.onHandlerError(connection, handlers, error);
        }
      },
      pong: (connection) => {
        connection.awaitingPong = false;
      },
      close: (connection, code, reason) => this.onConnectionClose(connection, route, code, reason),
      error: (connection, error) => {
        if (route.handlers.onError) route.handlers.onError(connection, error);
        else this.logger.debug({ err: error, id: connection.id }, 'connection error');
      },
    };
  }

  private onHandlerError(
    connection: ServerConnection<unknown>,
    handlers: RouteHandlers<unknown>,
    error: unknown,
  ): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.logger.error({ err, id: connection.id }, 'message handler failed');
    if (handlers.onError) handlers.onError(connection, err);
    else connection.close(CloseCode.InternalError, 'internal error');
  }

  private onConnectionClose(
    connection: ServerConnection<unknown>,
    route: Route,
    code: number,
    reason: string,
  ): void {
    if (!this.connectionsById.delete(connection.id)) return;
    route.open--;
    this.stats.connectionsClosed++;
    this.rooms.leaveAll(connection);
    this.releaseIp(connection.request.remoteAddress);
    try {
      route.handlers.onClose?.(connection, code, reason);
    } catch (error) {
      this.logger.error({ err: error, id: connection.id }, 'close handler failed');
    }
  }

  private releaseIp(address: string): void {
    if (this.limits.maxConnectionsPerIp <= 0) return;
    const count = (this.connectionsPerIp.get(address) ?? 1) - 1;
    if (count <= 0) this.connectionsPerIp.delete(address);
    else this.connectionsPerIp.set(address, count);
  }

  private reject(
    socket: Socket,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    this.stats.rejectedHandshakes++;
    if (socket.destroyed) return;
    socket.removeAllListeners('data');
    socket.end(httpRejection(status, message, headers));
    // Don't wait forever for a peer that never reads the answer.
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  // --- heartbeat ------------------------------------------------------------

  /** One timer for every connection: ping, and drop whoever missed the last pong. */
  private startHeartbeat(): void {
    const interval = this.limits.heartbeatIntervalMs;
    if (interval <= 0 || this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => {
      for (const connection of this.connectionsById.values()) {
        if (!connection.isOpen) continue;
        if (connection.awaitingPong) {
          this.logger.debug({ id: connection.id }, 'no pong: dropping connection');
          connection.terminate();
          continue;
        }
        connection.awaitingPong = true;
        connection.ping();
      }
    }, interval);
    this.heartbeatTimer.unref();
  }
}

function defaultHttpServer(): http.Server {
  return http.createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    res
      .writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
      .end('Upgrade Required\n');
  });
}

/** An absolute-form target ("http://host/path") reduced to its path. */
function safePath(target: string): string {
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}

function* filter<T>(items: Iterable<T>, keep: (item: T) => boolean): Generator<T> {
  for (const item of items) if (keep(item)) yield item;
}
