// `ringside serve`: the whole platform on one port: REST API under /api, /healthz,
// /readyz, /metrics, the browser app at /, and every module's WebSocket routes.
import { createApp } from '../app.js';
import { createLogger } from './logger.js';
import { SERVE_HELP } from './serve-help.js';
import { serveSettings } from './serve-config.js';
import { shutdownOnSignals } from './shutdown.js';

export async function serveCommand(argv: string[]): Promise<void> {
  const { help, logLevel, config } = serveSettings(argv);
  if (help) {
    process.stdout.write(SERVE_HELP);
    return;
  }
  const logger = createLogger(logLevel);
  const app = createApp({ ...config, logger });
  let address;
  try {
    address = await app.start();
  } catch (error) {
    await app.stop().catch(() => {});
    throw error;
  }
  // Handlers first, then the line that says we are up: a supervisor that reads it and
  // signals at once must find them in place (else the default action kills the process).
  // Readiness drops the moment a signal arrives, before the connections start closing.
  process.on('SIGINT', () => app.markStopping());
  process.on('SIGTERM', () => app.markStopping());
  shutdownOnSignals(app.server, logger, 'ringside serve', () => app.stop());
  const scheme = config.engine.tls ? 'https' : 'http';
  logger.info(
    {
      port: address.port,
      host: address.address,
      url: `${scheme}://${hostForUrl(address.address)}:${address.port}`,
      database: app.store.dialect,
      dataDir: config.dataDir,
    },
    'ringside serve listening',
  );
}

function hostForUrl(address: string): string {
  if (address === '0.0.0.0' || address === '::') return 'localhost';
  return address.includes(':') ? `[${address}]` : address;
}
