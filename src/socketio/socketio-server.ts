// The Socket.IO (v5) server over the Engine.IO server: namespaces the application
// declares (an unknown one is refused with "Invalid namespace"), CONNECT with its
// `auth` payload through each namespace's middlewares (a refusal is a CONNECT_ERROR
// with the middleware's message), events, acknowledgements and binary attachments
// (socket.io-parser's codec, one decoder per Engine.IO session).
import { randomBytes } from 'node:crypto';
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import type { Logger } from '../websocket/index.js';
import type { EngineIoServer } from './engine-server.js';
import type { CloseReason, EngineSession } from './engine-session.js';
import { Socket, type DisconnectReason, type SocketHandshake, type SocketLink } from './socket.js';

/** Refuses a CONNECT: the client gets connect_error with this message (and data). */
export class ConnectRefusal extends Error {
  constructor(
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export type Middleware = (socket: Socket) => void | Promise<void>;

export interface SocketIoOptions {
  /** A session that joins no namespace within this time is closed (default 45 s). */
  connectTimeoutMs?: number;
  /** Binary attachments one packet may carry (default 10). */
  maxAttachments?: number;
  logger?: Logger;
}

export class Namespace {
  private readonly middlewares: Middleware[] = [];
  private readonly connectionListeners: Array<(socket: Socket) => void> = [];
  private readonly live = new Set<Socket>();

  constructor(readonly name: string) {}

  /** Runs on every CONNECT before the socket exists for the application; throw to refuse. */
  use(middleware: Middleware): this {
    this.middlewares.push(middleware);
    return this;
  }

  onConnection(listener: (socket: Socket) => void): this {
    this.connectionListeners.push(listener);
    return this;
  }

  get sockets(): ReadonlySet<Socket> {
    return this.live;
  }

  /** Sends an event to every socket of the namespace. */
  emit(event: string, ...args: unknown[]): number {
    for (const socket of this.live) socket.emit(event, ...args);
    return this.live.size;
  }

  /** @internal */
  async admit(socket: Socket): Promise<void> {
    for (const middleware of this.middlewares) await middleware(socket);
  }

  /** @internal */
  connected(socket: Socket): void {
    this.live.add(socket);
    socket.onDisconnect(() => this.live.delete(socket));
    for (const listener of this.connectionListeners) {
      if (!socket.isConnected) return;
      listener(socket);
    }
  }
}

/** Packets a client may send for a namespace whose CONNECT is not answered yet. */
const MAX_PACKETS_WHILE_CONNECTING = 100;

const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export class SocketIoServer {
  private readonly namespaces = new Map<string, Namespace>();
  private readonly connectTimeoutMs: number;
  private readonly maxAttachments: number;
  readonly logger: Logger;

  constructor(
    readonly engine: EngineIoServer,
    options: SocketIoOptions = {},
  ) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 45_000;
    this.maxAttachments = options.maxAttachments ?? 10;
    this.logger = options.logger ?? silentLogger;
    engine.onConnection((session) => new Client(session, this));
  }

  /** The namespace of that name, made on first use ("/" is the main one). */
  of(name: string): Namespace {
    let namespace = this.namespaces.get(name);
    if (!namespace) this.namespaces.set(name, (namespace = new Namespace(name)));
    return namespace;
  }

  /** @internal */
  lookup(name: string): Namespace | undefined {
    return this.namespaces.get(name);
  }

  /** @internal */
  get settings(): { connectTimeoutMs: number; maxAttachments: number } {
    return { connectTimeoutMs: this.connectTimeoutMs, maxAttachments: this.maxAttachments };
  }

  close(): void {
    this.engine.close();
  }
}

/** One Engine.IO session seen by Socket.IO: its decoder and its sockets by namespace. */
class Client implements SocketLink {
  private readonly encoder = new Encoder();
  private readonly decoder: Decoder;
  private readonly sockets = new Map<string, Socket>();
  /**
   * Namespaces whose CONNECT is going through middlewares, with the packets that came
   * for them meanwhile (replayed once connected, dropped if refused).
   */
  private readonly connecting = new Map<string, Packet[]>();
  private connectTimer: NodeJS.Timeout | null;

  constructor(
    private readonly session: EngineSession,
    private readonly server: SocketIoServer,
  ) {
    const { connectTimeoutMs, maxAttachments } = server.settings;
    this.decoder = new Decoder({ maxAttachments });
    this.decoder.on('decoded', (packet: Packet) => this.onPacket(packet));
    this.connectTimer = setTimeout(() => {
      if (this.sockets.size === 0) this.session.close('forced close');
    }, connectTimeoutMs);
    session.onMessage((data) => this.onData(data));
    session.onClose((reason) => this.onClose(reason));
  }

  write(packet: Packet): void {
    if (!this.session.isOpen) return;
    for (const part of this.encoder.encode(packet) as Array<string | Buffer | ArrayBuffer>) {
      this.session.send(typeof part === 'string' ? part : Buffer.from(part as ArrayBuffer));
    }
  }

  detach(socket: Socket): void {
    if (this.sockets.get(socket.nsp) === socket) this.sockets.delete(socket.nsp);
  }

  private onData(data: string | Buffer): void {
    try {
      this.decoder.add(data);
    } catch (error) {
      this.server.logger.debug({ err: error, sid: this.session.sid }, 'socket.io: bad packet');
      this.session.close('parse error');
    }
  }

  private onPacket(packet: Packet): void {
    try {
      this.dispatch(packet);
    } catch (error) {
      this.server.logger.error({ err: error, nsp: packet.nsp }, 'socket.io: handler failed');
      this.session.close('forced close');
    }
  }

  private dispatch(packet: Packet): void {
    if (packet.type === PacketType.CONNECT) {
      this.connect(packet.nsp, packet.data).catch((error: unknown) => {
        this.server.logger.error({ err: error, nsp: packet.nsp }, 'socket.io: connect failed');
        this.session.close('forced close');
      });
      return;
    }
    const waiting = this.connecting.get(packet.nsp);
    if (waiting) {
      if (waiting.length >= MAX_PACKETS_WHILE_CONNECTING) this.session.close('forced close');
      else waiting.push(packet);
      return;
    }
    const socket = this.sockets.get(packet.nsp);
    if (!socket) return; // not connected (or no longer): dropped
    switch (packet.type) {
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        socket.receiveEvent(packet);
        return;
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        socket.receiveAck(packet);
        return;
      case PacketType.DISCONNECT:
        socket.closed('client namespace disconnect');
        // The last namespace left: nothing more will come on this session.
        if (this.sockets.size === 0 && this.connecting.size === 0)
          this.session.close('forced close');
        return;
      default:
        // CONNECT_ERROR from a client is not part of the protocol.
        this.session.close('parse error');
    }
  }

  private async connect(nsp: string, auth: unknown): Promise<void> {
    const namespace = this.server.lookup(nsp);
    if (!namespace) {
      this.write({
        type: PacketType.CONNECT_ERROR,
        nsp,
        data: { message: 'Invalid namespace' },
      });
      return;
    }
    if (this.sockets.has(nsp) || this.connecting.has(nsp)) return;
    const handshake: SocketHandshake = {
      auth: (auth ?? {}) as Record<string, unknown>,
      query: this.session.handshake.query,
      headers: this.session.handshake.headers,
      address: this.session.handshake.address,
      secure: this.session.handshake.secure,
    };
    const socket = new Socket(randomBytes(15).toString('base64url'), nsp, handshake, this);
    this.connecting.set(nsp, []);
    try {
      await namespace.admit(socket);
    } catch (error) {
      this.connecting.delete(nsp);
      if (!(error instanceof ConnectRefusal))
        this.server.logger.error({ err: error, nsp }, 'socket.io: connect middleware failed');
      const refusal =
        error instanceof ConnectRefusal ? error : new ConnectRefusal('Internal server error');
      const data: { message: string; data?: unknown } = { message: refusal.message };
      if (refusal.data !== undefined) data.data = refusal.data;
      this.write({ type: PacketType.CONNECT_ERROR, nsp, data });
      return;
    }
    const waiting = this.connecting.get(nsp) ?? [];
    this.connecting.delete(nsp);
    if (!this.session.isOpen) return;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.sockets.set(nsp, socket);
    this.write({ type: PacketType.CONNECT, nsp, data: { sid: socket.id } });
    namespace.connected(socket);
    for (const packet of waiting) {
      if (!socket.isConnected) break;
      this.dispatch(packet);
    }
  }

  private onClose(reason: CloseReason): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.decoder.destroy();
    for (const socket of [...this.sockets.values()]) socket.closed(reason as DisconnectReason);
  }
}
