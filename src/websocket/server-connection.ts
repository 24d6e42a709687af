// A connection as the server's routes see it: an id, the upgrade request, typed
// per-connection state, its rooms, and the limits applied to what it sends us.
import type { Socket } from 'node:net';
import { WebSocketConnection, type ConnectionEvents, type ConnectionOptions } from './connection.js';
import type { FanOutTarget } from './fan-out.js';
import type { PendingSlot } from './output-queue.js';
import type { PerMessageDeflate } from './permessage-deflate.js';
import type { TokenBucket } from './rate-limit.js';
import type { ErrorBudget } from './server.js';
import { parseRequestHead } from './http-head.js';

/**
 * The upgrade request as routes see it. Kept on the connection for its lifetime, so it
 * is lean: the query and the header table are built on first use, and the header table
 * is dropped again after onConnect (re-parsed from the raw head if read later).
 */
export class UpgradeRequest {
  private parsedQuery: URLSearchParams | null = null;
  private parsedHeaders: Record<string, string> | null;

  constructor(
    readonly method: string,
    /** The request target as sent ("/ws/abc?token=…"). */
    readonly url: string,
    readonly path: string,
    /** Route parameters, decoded ("/ws/:sessionId" → {sessionId}). */
    readonly params: Record<string, string>,
    readonly remoteAddress: string,
    readonly secure: boolean,
    /** Subprotocols the client offered, in its order. */
    readonly protocols: string[],
    private readonly rawHead: string,
    headers: Record<string, string>,
  ) {
    this.parsedHeaders = headers;
  }

  get query(): URLSearchParams {
    if (this.parsedQuery === null) {
      const at = this.url.indexOf('?');
      this.parsedQuery = new URLSearchParams(at < 0 ? '' : this.url.slice(at + 1));
    }
    return this.parsedQuery;
  }

  /** Lower-cased header names; repeated fields joined with ", ". */
  get headers(): Record<string, string> {
    this.parsedHeaders ??= parseRequestHead(Buffer.from(this.rawHead, 'latin1')).headers;
    return this.parsedHeaders;
  }

  /** @internal Frees the header table and query once the handshake is done. */
  compact(): void {
    this.parsedHeaders = null;
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
  errorBudget: ErrorBudget | null = null;
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
