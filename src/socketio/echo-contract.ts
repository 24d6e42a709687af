// The server the Socket.IO protocol's own test suite expects (socket.io-protocol's
// test-suite): on connection to "/" and to "/custom" it emits `auth` with the CONNECT
// payload, answers `message` with `message-back` carrying the same arguments, and
// acknowledges `message-with-ack` with the same arguments. Any other namespace is
// refused with "Invalid namespace" by the server itself.
import type { Socket } from './socket.js';
import type { SocketIoServer } from './socketio-server.js';

export const CONTRACT_NAMESPACES = ['/', '/custom'];

export function registerEchoContract(io: SocketIoServer): void {
  for (const name of CONTRACT_NAMESPACES) io.of(name).onConnection(echoSocket);
}

function echoSocket(socket: Socket): void {
  socket.emit('auth', socket.handshake.auth);
  socket.on('message', (...args) => socket.emit('message-back', ...args));
  socket.on('message-with-ack', (...args) => {
    const ack = args.pop();
    if (typeof ack === 'function') ack(...args);
  });
}
