// A connection as the server's routes see it: an id, the upgrade request, typed
// per-connection state, its rooms, and the limits applied to what it sends us.
import type { Socket } from 'node:net';
import { WebSocketConnection, type ConnectionEvents, type ConnectionOptions } from './connection.js';
import type { FanOutTarget } from './fan-out.js';
import type { TokenBucket } from './rate-limit.js';

export interface UpgradeRequest {
  method: string;
  /** The request target as sent ("/ws/abc?token=…"). */
  url: string;
  path: string;
  query: URLSearchParams;
  /** Route parameters, decoded ("/ws/:sessionId" → {sessionId}). */
  params: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  remoteAddress: string;
  secure: boolean;
  /** Subprotocols the client offered, in its order. */
  protocols: string[];
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
  /** Set by the server when rate limiting applies to this route. */
  bucket: TokenBucket | null = null;
  invalidMessages = 0;
  invalidWindowStart = 0;
  readonly compressionWindowBits: number;
  readonly compressionThreshold: number;

  constructor(
    readonly id: string,
    readonly request: UpgradeRequest,
    readonly route: string,
    socket: Socket,
    options: ConnectionOptions,
    events: ConnectionEvents,
    private readonly host: ConnectionHost,
    initialState: State,
  ) {
    super(socket, options, events);
    this.state = initialState;
    const deflate = options.deflate;
    this.compressionWindowBits = deflate === null || !deflate.canCompress ? 0 : deflate.ownWindowBits;
    this.compressionThreshold = deflate === null ? Infinity : deflate.options.threshold;
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

  /** Queues the bytes a handshake answer consists of, ahead of anything sent later. */
  holdForHandshake(): (response: Buffer | null) => void {
    const slot = this.output.reserve();
    return (response) => this.output.fill(slot, response);
  }

  /** Drops whatever was queued before the handshake failed. */
  discardOutput(): void {
    this.output.discard();
  }
}
