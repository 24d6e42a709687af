// `ringside echo`: the engine alone, with two routes. /echo sends every message back
// unchanged (same opcode); /broadcast sends every message to every /broadcast
// connection, the sender included. Used by the conformance suite and the benchmark.
// /socket.io/ is the Socket.IO reference contract (src/socketio/echo-contract.ts) on
// both transports, for the Socket.IO protocol's own test suite.
import { EngineIoServer, registerEchoContract, SocketIoServer } from '../socketio/index.js';
import { WebSocketServer } from '../websocket/index.js';
import { ENGINE_FLAGS, ENGINE_FLAGS_HELP, engineOptions } from './engine-flags.js';
import { intFlag, parseFlags } from './flags.js';
import { createLogger } from './logger.js';
import { shutdownOnSignals } from './shutdown.js';

export const ECHO_HELP = `Usage: ringside echo [flags]

Serves /echo and /broadcast over WebSocket (any other path: 404), and at /socket.io/
the Socket.IO reference contract (Engine.IO 4, Socket.IO 5; polling and WebSocket):
namespaces / and /custom emit "auth" with the CONNECT payload, answer "message" with
"message-back" and acknowledge "message-with-ack" with the same arguments.

  --port N                     port to listen on; 0 picks a free one (default 9001)
  --host H                     address to bind (default 0.0.0.0)
  --log-level L                pino level (default info)${ENGINE_FLAGS_HELP}
  --socketio-ping-interval-ms N    Socket.IO: server ping every N ms (default 25000)
  --socketio-ping-timeout-ms N     close a session whose pong is N ms late (default 20000)
  --socketio-max-payload N         largest body or message a client sends (default 1000000)
  --socketio-connect-timeout-ms N  close a session joining no namespace in N ms (default 45000)
  --help                       this text
`;

const SOCKETIO_FLAGS = {
  'socketio-ping-interval-ms': { type: 'string' },
  'socketio-ping-timeout-ms': { type: 'string' },
  'socketio-max-payload': { type: 'string' },
  'socketio-connect-timeout-ms': { type: 'string' },
} as const;

export async function echoCommand(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, {
    ...ENGINE_FLAGS,
    ...SOCKETIO_FLAGS,
    port: { type: 'string' },
    host: { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(ECHO_HELP);
    return;
  }
  const logger = createLogger(values['log-level'] ?? 'info');
  const port = intFlag(values.port, 'port', 9001, 0, 65535);
  const server = new WebSocketServer({
    ...engineOptions(values, { maxMessageBytes: 16 * 1024 * 1024, rateLimit: 0 }),
    logger,
  });
  server.route('/echo', {
    onMessage(connection, data, isBinary) {
      connection.send(data, { binary: isBinary });
    },
  });
  server.route('/broadcast', {
    onConnect(connection) {
      connection.join('broadcast');
    },
    onMessage(_connection, data, isBinary) {
      server.rooms.publish('broadcast', data, { binary: isBinary });
    },
  });
  const engine = new EngineIoServer(server, server.http, {
    pingIntervalMs: intFlag(
      values['socketio-ping-interval-ms'],
      'socketio-ping-interval-ms',
      25_000,
      1,
    ),
    pingTimeoutMs: intFlag(
      values['socketio-ping-timeout-ms'],
      'socketio-ping-timeout-ms',
      20_000,
      1,
    ),
    maxPayload: intFlag(values['socketio-max-payload'], 'socketio-max-payload', 1_000_000, 1),
  });
  const io = new SocketIoServer(engine, {
    connectTimeoutMs: intFlag(
      values['socketio-connect-timeout-ms'],
      'socketio-connect-timeout-ms',
      45_000,
      1,
    ),
    logger,
  });
  registerEchoContract(io);
  const address = await server.listen(port, values.host);
  // Before the line that announces the port: whoever reads it may signal at once.
  shutdownOnSignals(server, logger, 'ringside echo');
  const scheme = values['tls-cert'] ? 'wss' : 'ws';
  logger.info(
    {
      port: address.port,
      host: address.address,
      url: `${scheme}://${hostForUrl(address.address)}:${address.port}`,
    },
    'ringside echo listening',
  );
}

function hostForUrl(address: string): string {
  if (address === '0.0.0.0' || address === '::') return 'localhost';
  return address.includes(':') ? `[${address}]` : address;
}
