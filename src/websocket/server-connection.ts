// A connection as the server's routes see it: an id, the upgrade request, typed
// per-connection state, its rooms, and the limits applied to what it sends us.
import type { Socket } from 'node:net';
import {
  WebSocketConnection,
  type ConnectionEvents,
  type ConnectionOptions,
} from './connection.js';
import type { FanOutTarget } from './fan-out.js';
import type { PendingSlot } from './output-queue.js';
import type { PerMessageDeflate } from './permessage-deflate.js';
import type { TokenBucket } from './rate-limit.js';

const NO_HEADERS: Record<string, string> = Object.freeze(Object.create(null));

/**
 * The upgrade request as routes see it. It stays on the connection for its lifetime,
 * so it is lean: the query is parsed on first use, and the header table is there for
 * the handshake hooks (selectProtocol, onConnect) only — like uWebSockets.js, it is
 * released once the 101 is sent; copy what you need into the connection's state.
 */
export class UpgradeRequest {
  private parsedQuery: URLSearchParams | null = null;

  constructor(
    readonly method: string,
    /** The request target as sent ("/ws/abc?token=…"). */
    readonly url: string,
    readonly path: string,
    /** Route parameters, decoded ("/ws/:sessionId" → {sessionId}). */
    readonly params: Record<string, string>,
    private readonly socket: Socket,
    readonly secure: boolean,
    /** Subprotocols the client offered, in its order. */
    readonly protocols: string[],
    /** Lower-cased header names; repeated fields joined with ", ". Empty after the handshake. */
    public headers: Record<string, string>,
  ) {}

  /** The peer's address (looked up on first use: one syscall fewer per handshake otherwise). */
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? 'unknown';
  }

  get query(): URLSearchParams {
    if (this.parsedQuery === null) {
      const at = this.url.indexOf('?');
      this.parsedQuery = new URLSearchParams(at < 0 ? '' : this.url.slice(at + 1));
    }
    return this.parsedQuery;
  }

  /** @internal Releases the header table and the parsed query once the handshake is done. */
  compact(): void {
    this.headers = NO_HEADERS;
    this.parsedQuery = null;
  }
}

/** Thrown (or returned) by onConnect to refuse the upgrade with an HTTP status. */
export class UpgradeRejection extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ConnectionHost {
  joinRoom(connection: ServerConnection<unknown>, room: string): void;
  leaveRoom(connection: ServerConnection<unknown>, room: string): void;
}

export class ServerConnection<State = Record<string, unknown>>
  extends WebSocketConnection
  implements FanOutTarget
{
  /** Application data for this connection, typed per route. */
  state: State;
  /** The subprotocol agreed in the handshake, if any. */
  protocol: string | undefined;
  /** Rooms this connection is in; created on first join. */
  rooms: Set<string> | null = null;
  awaitingPong = false;
  private handshakeSlot: PendingSlot | null;
  /** Set by the server when rate limiting applies to this route. */
  bucket: TokenBucket | null = null;
  /** Invalid messages in the current error-budget window; made on the first one. */
  invalid: { count: number; windowStart: number } | null = null;

  constructor(
    readonly id: string,
    readonly request: UpgradeRequest,
    readonly route: string,
    socket: Socket,
    options: ConnectionOptions,
    deflate: PerMessageDeflate | null,
    events: ConnectionEvents<ServerConnection<unknown>>,
    private readonly host: ConnectionHost,
    initialState: State,
  ) {
    // Sound: a connection only ever reports itself, and this one is a ServerConnection.
    super(socket, options, deflate, events as unknown as ConnectionEvents);
    this.state = initialState;
    // Anything sent while onConnect runs waits behind the 101.
    this.handshakeSlot = this.output.reserve();
  }

  get compressionWindowBits(): number {
    const deflate = this.deflate;
    return deflate === null || !deflate.canCompress ? 0 : deflate.ownWindowBits;
  }

  get compressionThreshold(): number {
    return this.deflate === null ? Infinity : this.deflate.options.threshold;
  }

  get connection(): WebSocketConnection {
    return this;
  }

  join(room: string): void {
    this.host.joinRoom(this, room);
  }

  leave(room: string): void {
    this.host.leaveRoom(this, room);
  }

  /**
   * Writes the 101 at once, ahead of anything queued while onConnect ran: handshake
   * latency is what bounds how fast clients can connect.
   */
  answerHandshake(response: Buffer): void {
    this.output.fill(this.handshakeSlot!, response);
    this.handshakeSlot = null;
    this.output.flush();
  }

  /** Drops whatever was queued before the handshake failed. */
  discardOutput(): void {
    this.output.discard();
  }
}
