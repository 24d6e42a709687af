// The engine's public API.
export {
  WebSocketServer,
  DEFAULT_LIMITS,
  DEFAULT_RATE_LIMIT,
  DEFAULT_ERROR_BUDGET,
} from './server.js';
export type {
  ServerOptions,
  ServerLimits,
  RouteHandlers,
  RateLimitOptions,
  ErrorBudget,
  Logger,
  ServerStats,
} from './server.js';
export { ServerConnection, UpgradeRejection, UpgradeRequest } from './server-connection.js';
export { WebSocketConnection } from './connection.js';
export type { SendOptions, SlowConsumerPolicy } from './connection.js';
export { connectWebSocket, WebSocketClient, HandshakeFailedError } from './client.js';
export type { ClientOptions } from './client.js';
export { CloseCode, Opcode, ReadyState } from './constants.js';
export { RoomLimitError } from './rooms.js';
export { TokenBucket } from './rate-limit.js';
export type { DeflateOptions } from './permessage-deflate.js';
