// ringside client SDK: one import for browsers and Node. Plain ESM with no runtime
// dependencies and no Node modules; in Node 20 pass a WebSocket implementation
// (`import { WebSocket } from 'ws'`) as the `WebSocket` option. See docs/client.md.
export { ReconnectingSocket } from './reconnecting-socket.js';
export type {
  OpenHook,
  OpenInfo,
  ReconnectOptions,
  ReconnectingSocketOptions,
  SocketCloseInfo,
  SocketEvents,
  SocketState,
} from './reconnecting-socket.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { DEFAULT_HEARTBEAT, type HeartbeatOptions } from './heartbeat.js';
export type { CloseInfo, WebSocketConstructor, WebSocketLike } from './websocket-like.js';
export {
  ConnectionLostError,
  QueueFullError,
  RequestTimeoutError,
  RingsideClientError,
  SocketClosedError,
} from './errors.js';
export type { ClientOptions } from './client-base.js';
export type { TokenSource } from './endpoint.js';
export { ChatClient } from './chat-client.js';
export type {
  ChatClientOptions,
  ChatDeleteEvent,
  ChatEvents,
  ChatMessage,
  ChatNewEvent,
  ChatUpdateEvent,
} from './chat-client.js';
export { CollabClient } from './collab-client.js';
export type {
  ChangeSetJson,
  CollabClientOptions,
  CollabEvents,
  Cursor,
  Participant,
  SessionState,
} from './collab-client.js';
export { RunnerClient, RunnerRequestError } from './runner-client.js';
export type {
  LeaderboardEntry,
  RunCodeRequest,
  RunnerClientOptions,
  RunnerErrorMessage,
  RunnerEvents,
  RunOutput,
  Task,
  TaskUpdate,
} from './runner-client.js';
export { ArenaClient, ArenaRequestError } from './arena-client.js';
export type {
  ArenaClientOptions,
  ArenaEnvelope,
  ArenaEvents,
  ArenaLanguage,
  ArenaResponses,
  ArenaServerEvents,
  BattleEnded,
  BattleMatched,
  BattleMode,
  ChatMessageEvent,
  Difficulty,
  ExecutionResult,
  RejoinReport,
} from './arena-client.js';
