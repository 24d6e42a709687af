// SIGINT/SIGTERM: close every connection with 1001, wait for the closing handshakes
// (bounded), log one line, exit 0. A second signal exits at once.
import type { Logger } from 'pino';
import type { WebSocketServer } from '../websocket/index.js';

export function shutdownOnSignals(
  server: WebSocketServer,
  logger: Logger,
  name: string,
  beforeExit: () => Promise<void> = async () => {},
): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    const open = server.connectionCount;
    server
      .close()
      .then(beforeExit)
      .then(() => {
        logger.info({ signal, closedConnections: open }, `${name} stopped`);
        logger.flush?.();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
