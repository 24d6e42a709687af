// Socket.IO (Engine.IO v4 + Socket.IO v5) on ringside's own engine: both transports on
// the engine's port, the upgrade from polling to WebSocket, namespaces, acks, binary.
export { EngineIoServer } from './engine-server.js';
export type { EngineServerOptions } from './engine-server.js';
export { DEFAULT_ENGINE_OPTIONS, EngineSession } from './engine-session.js';
export type { EngineOptions } from './engine-session.js';
export { ConnectRefusal, Namespace, SocketIoServer } from './socketio-server.js';
export type { Middleware, SocketIoOptions } from './socketio-server.js';
export { Socket } from './socket.js';
export type { Ack, DisconnectReason, SocketHandshake } from './socket.js';
export { registerEchoContract } from './echo-contract.js';
