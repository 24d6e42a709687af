// The Engine.IO (v4) server on ringside's engine, at one path ("/socket.io/"): HTTP
// long-polling through the http.Server the engine hands plain requests to, and the
// WebSocket transport as a route of the engine. A WebSocket that names an existing
// polling session's sid upgrades it; the session then lives on that socket.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { decodePacket, decodePayload, type Packet } from 'engine.io-parser';
import {
  CloseCode,
  UpgradeRejection,
  type RateLimitOptions,
  type ServerConnection,
  type WebSocketServer,
} from '../websocket/index.js';
import {
  DEFAULT_ENGINE_OPTIONS,
  EngineSession,
  type EngineOptions,
  type HandshakeInfo,
} from './engine-session.js';
import { PollingTransport, writeText } from './polling-transport.js';
import { WebSocketTransport } from './websocket-transport.js';

/** The protocol's own error codes, answered as 400 {code, message}. */
const ERRORS = {
  UNKNOWN_TRANSPORT: { code: 0, message: 'Transport unknown' },
  UNKNOWN_SID: { code: 1, message: 'Session ID unknown' },
  BAD_HANDSHAKE_METHOD: { code: 2, message: 'Bad handshake method' },
  BAD_REQUEST: { code: 3, message: 'Bad request' },
  UNSUPPORTED_PROTOCOL_VERSION: { code: 5, message: 'Unsupported protocol version' },
} as const;
type EngineError = (typeof ERRORS)[keyof typeof ERRORS];

export interface EngineServerOptions extends Partial<EngineOptions> {
  /** The path both transports answer on (default "/socket.io/"). */
  path?: string;
  /** Open sessions at most (polling and WebSocket); past it a handshake gets 503. */
  maxSessions?: number;
  /** Open sessions per client address (default: the engine's maxConnectionsPerIp; 0 = no limit). */
  maxSessionsPerIp?: number;
  /**
   * The engine's message rate limit for the WebSocket transport (each binary attachment
   * is a message); unset: the server's default. Polling requests are not counted.
   */
  rateLimit?: RateLimitOptions | false;
}

interface WebSocketState {
  session: EngineSession | null;
  transport: WebSocketTransport | null;
}

export class EngineIoServer {
  readonly options: EngineOptions;
  readonly path: string;
  private readonly maxSessions: number;
  private readonly maxSessionsPerIp: number;
  private readonly sessionsPerIp = new Map<string, number>();
  private readonly rateLimit: RateLimitOptions | false | undefined;
  private readonly sessions = new Map<string, EngineSession>();
  private readonly polling = new WeakMap<EngineSession, PollingTransport>();
  private readonly connectionListeners: Array<(session: EngineSession) => void> = [];
  private closing = false;

  constructor(server: WebSocketServer, httpServer: http.Server, options: EngineServerOptions = {}) {
    this.options = { ...DEFAULT_ENGINE_OPTIONS };
    for (const key of Object.keys(DEFAULT_ENGINE_OPTIONS) as Array<keyof EngineOptions>) {
      if (options[key] !== undefined) this.options[key] = options[key];
    }
    this.path = options.path ?? '/socket.io/';
    this.maxSessions = options.maxSessions ?? 10_000;
    this.maxSessionsPerIp = options.maxSessionsPerIp ?? server.limits.maxConnectionsPerIp;
    this.rateLimit = options.rateLimit;
    this.attachPolling(httpServer);
    this.attachWebSocket(server);
  }

  /** Called with every new session once its open packet is written. */
  onConnection(listener: (session: EngineSession) => void): void {
    this.connectionListeners.push(listener);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Closes every session (polling GETs get the close packet). */
  close(): void {
    this.closing = true;
    for (const session of [...this.sessions.values()]) session.close('server shutting down');
  }

  // --- HTTP long-polling -------------------------------------------------------

  /**
   * Answers this path's requests before any other 'request' listener (Fastify's),
   * which keeps getting every other request.
   */
  private attachPolling(httpServer: http.Server): void {
    const others = httpServer.listeners('request') as Array<
      (req: http.IncomingMessage, res: http.ServerResponse) => void
    >;
    httpServer.removeAllListeners('request');
    httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (this.matches(req.url)) {
        this.handleHttp(req, res);
        return;
      }
      for (const listener of others) listener.call(httpServer, req, res);
    });
  }

  private matches(url: string | undefined): boolean {
    if (url === undefined) return false;
    const queryAt = url.indexOf('?');
    return (queryAt < 0 ? url : url.slice(0, queryAt)) === this.path;
  }

  private handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const query = queryOf(req.url ?? '');
    const problem = checkQuery(query);
    if (problem) return this.fail(req, res, problem);
    const sid = query.get('sid');
    if (sid === null) {
      if (query.get('transport') !== 'polling') return this.fail(req, res, ERRORS.BAD_REQUEST);
      if (req.method !== 'GET') return this.fail(req, res, ERRORS.BAD_HANDSHAKE_METHOD);
      return this.handshakePolling(req, res, query);
    }
    const session = this.sessions.get(sid);
    if (!session) return this.fail(req, res, ERRORS.UNKNOWN_SID);
    const transport = this.polling.get(session);
    if (query.get('transport') !== 'polling' || !transport || session.transport !== transport)
      return this.fail(req, res, ERRORS.BAD_REQUEST);
    if (req.method === 'GET') return this.poll(session, transport, req, res);
    if (req.method === 'POST') return this.receivePost(session, req, res);
    return this.fail(req, res, ERRORS.BAD_REQUEST);
  }

  private handshakePolling(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    query: URLSearchParams,
  ): void {
    const address = req.socket.remoteAddress ?? 'unknown';
    if (this.closing || this.sessions.size >= this.maxSessions) {
      writeText(res, 503, 'Service Unavailable');
      return;
    }
    if (this.tooManyFrom(address)) {
      writeText(res, 429, 'Too many sessions from this address');
      return;
    }
    const transport = new PollingTransport();
    const session = this.createSession(transport, {
      query,
      headers: req.headers,
      address,
      secure: 'encrypted' in req.socket && req.socket.encrypted === true,
    });
    this.polling.set(session, transport);
    transport.hold(res);
    session.open(['websocket']);
    this.announce(session);
  }

  private poll(
    session: EngineSession,
    transport: PollingTransport,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): void {
    if (!transport.hold(res)) {
      // Two GETs at once: the protocol's answer is to end the session.
      this.fail(req, res, ERRORS.BAD_REQUEST);
      session.close('transport error');
      return;
    }
    if (session.upgradeProbed) {
      transport.send([{ type: 'noop' }]);
      return;
    }
    session.flush();
  }

  private receivePost(session: EngineSession, req: http.IncomingMessage, res: http.ServerResponse) {
    const limit = this.options.maxPayload;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      this.tooLarge(session, req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        this.tooLarge(session, req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      done = true;
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      let packets: Packet[];
      try {
        packets = decodePayload(Buffer.concat(chunks).toString('utf8'), 'nodebuffer');
      } catch {
        packets = [{ type: 'error' }];
      }
      if (packets.some((packet) => packet.type === 'error')) {
        writeText(res, 400, JSON.stringify(ERRORS.BAD_REQUEST));
        session.close('parse error');
        return;
      }
      // Answered first: a close packet in the body must not beat the "ok".
      writeText(res, 200, 'ok');
      for (const packet of packets) {
        if (!session.isOpen) break;
        session.receive(packet);
      }
    });
  }

  private tooLarge(session: EngineSession, req: http.IncomingMessage, res: http.ServerResponse) {
    res.setHeader('connection', 'close');
    writeText(res, 413, 'Payload Too Large');
    req.resume();
    session.close('parse error');
  }

  private fail(req: http.IncomingMessage, res: http.ServerResponse, error: EngineError): void {
    req.resume();
    writeText(res, 400, JSON.stringify(error));
  }

  // --- WebSocket ---------------------------------------------------------------

  private attachWebSocket(server: WebSocketServer): void {
    server.route<WebSocketState>(this.path, {
      initialState: () => ({ session: null, transport: null }),
      onConnect: (connection, request) => {
        const query = request.query;
        const problem = checkQuery(query);
        if (problem) throw new UpgradeRejection(400, problem.message);
        if (query.get('transport') !== 'websocket')
          throw new UpgradeRejection(400, ERRORS.BAD_REQUEST.message);
        const transport = new WebSocketTransport(connection as ServerConnection<unknown>);
        connection.state.transport = transport;
        const sid = query.get('sid');
        if (sid !== null) {
          const session = this.sessions.get(sid);
          if (!session) throw new UpgradeRejection(400, ERRORS.UNKNOWN_SID.message);
          if (!session.beginUpgrade(transport))
            throw new UpgradeRejection(400, ERRORS.BAD_REQUEST.message);
          connection.state.session = session;
          return;
        }
        if (this.closing || this.sessions.size >= this.maxSessions)
          throw new UpgradeRejection(503, 'Service Unavailable');
        if (this.tooManyFrom(request.remoteAddress))
          throw new UpgradeRejection(429, 'Too many sessions from this address');
        const session = this.createSession(transport, {
          query,
          headers: { ...request.headers },
          address: request.remoteAddress,
          secure: request.secure,
        });
        connection.state.session = session;
        session.open([]);
        this.announce(session);
      },
      onMessage: (connection, data, isBinary) => {
        const { session, transport } = connection.state;
        if (!session || !transport) return;
        if (data.length > this.options.maxPayload) {
          if (session.isUpgradingTo(transport)) session.cancelUpgrade(true);
          else {
            connection.close(CloseCode.MessageTooBig, 'message too big');
            session.close('parse error', null);
          }
          return;
        }
        let packet: Packet;
        try {
          packet = isBinary
            ? { type: 'message', data: Buffer.from(data) }
            : decodePacket(data.toString('utf8'), 'nodebuffer');
        } catch {
          packet = { type: 'error' };
        }
        if (session.isUpgradingTo(transport)) session.receiveDuringUpgrade(transport, packet);
        else if (session.transport === transport) session.receive(packet);
      },
      onClose: (connection) => {
        const { session, transport } = connection.state;
        if (!session || !transport) return;
        if (session.isUpgradingTo(transport)) session.cancelUpgrade(false);
        else if (session.transport === transport) session.close('transport close', null);
      },
      rateLimit: this.rateLimit,
    });
  }

  // --- sessions ----------------------------------------------------------------

  private createSession(
    transport: PollingTransport | WebSocketTransport,
    handshake: HandshakeInfo,
  ): EngineSession {
    const sid = randomBytes(15).toString('base64url');
    const session = new EngineSession(sid, transport, handshake, this.options);
    this.sessions.set(sid, session);
    const address = handshake.address;
    this.sessionsPerIp.set(address, (this.sessionsPerIp.get(address) ?? 0) + 1);
    session.onClose(() => {
      this.sessions.delete(sid);
      const left = (this.sessionsPerIp.get(address) ?? 1) - 1;
      if (left <= 0) this.sessionsPerIp.delete(address);
      else this.sessionsPerIp.set(address, left);
    });
    return session;
  }

  private tooManyFrom(address: string): boolean {
    const limit = this.maxSessionsPerIp;
    return limit > 0 && (this.sessionsPerIp.get(address) ?? 0) >= limit;
  }

  private announce(session: EngineSession): void {
    for (const listener of this.connectionListeners) {
      if (!session.isOpen) return;
      listener(session);
    }
  }
}

function queryOf(url: string): URLSearchParams {
  const at = url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
}

function checkQuery(query: URLSearchParams): EngineError | null {
  if (query.get('EIO') !== '4') return ERRORS.UNSUPPORTED_PROTOCOL_VERSION;
  const transport = query.get('transport');
  if (transport !== 'polling' && transport !== 'websocket') return ERRORS.UNKNOWN_TRANSPORT;
  return null;
}
