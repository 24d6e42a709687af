// What a WebSocketServer is configured with: its route handlers, limits, rate limits,
// error budget and their defaults, the stats it keeps, and the logger it writes to.
import type http from 'node:http';
import type { SlowConsumerPolicy } from './connection.js';
import type { FanOutStats } from './fan-out.js';
import type { DeflateOptions } from './permessage-deflate.js';
import type { ServerConnection, UpgradeRequest } from './server-connection.js';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface RateLimitOptions {
  messagesPerSecond: number;
  /** Messages a client may send at once before the rate applies (default 2 × the rate). */
  burst?: number;
  /** 'close' closes with 1008; 'error' drops the message and calls the route's onRateLimited. */
  onExceeded: 'close' | 'error';
}

export interface ErrorBudget {
  /** Invalid messages (reported by the route with `server.reportInvalid`) allowed per window. */
  maxInvalid: number;
  windowMs: number;
}

export interface RouteHandlers<State> {
  /** Fresh state for each connection (before onConnect). */
  initialState?: () => State;
  /** Picks one of the offered subprotocols; undefined answers without one. */
  selectProtocol?: (offered: string[], request: UpgradeRequest) => string | undefined;
  /**
   * Runs before the 101 is written: may set state and join rooms, or refuse the upgrade
   * by throwing an UpgradeRejection (401, 403, 404…).
   */
  onConnect?: (
    connection: ServerConnection<State>,
    request: UpgradeRequest,
  ) => void | Promise<void>;
  onMessage?: (
    connection: ServerConnection<State>,
    data: Buffer,
    isBinary: boolean,
  ) => void | Promise<void>;
  onClose?: (connection: ServerConnection<State>, code: number, reason: string) => void;
  onError?: (connection: ServerConnection<State>, error: Error) => void;
  /** With rateLimit.onExceeded 'error': tell the client, in the protocol's own shape. */
  onRateLimited?: (connection: ServerConnection<State>) => void;
  /** Overrides the server's rate limit for this route; false turns it off. */
  rateLimit?: RateLimitOptions | false;
  errorBudget?: ErrorBudget;
}

export interface ServerLimits {
  maxHeadBytes: number;
  handshakeTimeoutMs: number;
  maxMessageBytes: number;
  maxFragments: number;
  /** 0 means no limit. */
  maxConnectionsPerIp: number;
  maxRoomsPerConnection: number;
  maxQueuedBytes: number;
  slowConsumer: SlowConsumerPolicy;
  closeTimeoutMs: number;
  /** 0 turns the heartbeat off. */
  heartbeatIntervalMs: number;
  /** Bytes read from one peer per event-loop turn before it waits for the next turn. */
  readBytesPerTurn: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxHeadBytes: 16 * 1024,
  handshakeTimeoutMs: 10_000,
  maxMessageBytes: 1024 * 1024,
  maxFragments: 1024,
  maxConnectionsPerIp: 1000,
  maxRoomsPerConnection: 100,
  maxQueuedBytes: 8 * 1024 * 1024,
  slowConsumer: 'close',
  closeTimeoutMs: 5_000,
  heartbeatIntervalMs: 30_000,
  readBytesPerTurn: 64 * 1024,
};

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  messagesPerSecond: 50,
  burst: 100,
  onExceeded: 'close',
};
export const DEFAULT_ERROR_BUDGET: ErrorBudget = { maxInvalid: 20, windowMs: 10_000 };

export interface ServerOptions extends Partial<ServerLimits> {
  /** true, or options, to offer permessage-deflate. */
  deflate?: boolean | Partial<DeflateOptions>;
  /** Allowed Origin values; unset allows any. */
  origins?: string[];
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Serves every request that is not a WebSocket upgrade. */
  http?: http.Server;
  /** Default rate limit of every route (false: none). */
  rateLimit?: RateLimitOptions | false;
  logger?: Logger;
}

export interface ServerStats extends FanOutStats {
  connectionsOpened: number;
  connectionsClosed: number;
  messagesIn: number;
  bytesIn: number;
  rejectedHandshakes: number;
  rateLimitedMessages: number;
}
