// `ringside echo`: the engine alone, with two routes. /echo sends every message back
// unchanged (same opcode); /broadcast sends every message to every /broadcast
// connection, the sender included. Used by the conformance suite and the benchmark.
import { WebSocketServer } from '../websocket/index.js';
import { ENGINE_FLAGS, ENGINE_FLAGS_HELP, engineOptions } from './engine-flags.js';
import { intFlag, parseFlags } from './flags.js';
import { createLogger } from './logger.js';
import { shutdownOnSignals } from './shutdown.js';

export const ECHO_HELP = `Usage: ringside echo [flags]

Serves /echo and /broadcast over WebSocket (any other path: 404).

  --port N                     port to listen on; 0 picks a free one (default 9001)
  --host H                     address to bind (default 0.0.0.0)
  --log-level L                pino level (default info)${ENGINE_FLAGS_HELP}
  --help                       this text
`;

export async function echoCommand(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, {
    ...ENGINE_FLAGS,
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
  const address = await server.listen(port, values.host);
  const scheme = values['tls-cert'] ? 'wss' : 'ws';
  logger.info(
    {
      port: address.port,
      host: address.address,
      url: `${scheme}://${hostForUrl(address.address)}:${address.port}`,
    },
    'ringside echo listening',
  );
  shutdownOnSignals(server, logger, 'ringside echo');
}

function hostForUrl(address: string): string {
  if (address === '0.0.0.0' || address === '::') return 'localhost';
  return address.includes(':') ? `[${address}]` : address;
}
