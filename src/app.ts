// Builds the whole server from a config: store, engine, REST API, auth, metrics and
// every protocol module, on one port. The engine owns the port; Fastify gets the
// requests that are not upgrades through the engine's `http` option and never listens.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { appModules } from './apps/index.js';
import { MemoryBroker } from './broker/index.js';
import type { AppContext, AppModule } from './apps/types.js';
import {
  createAuthenticator,
  createTokenService,
  loadJwtSecret,
  LoginLimiter,
  userDirectory,
  UserRepository,
  WindowLimiter,
} from './auth/index.js';
import { valuesOf } from './apps/settings.js';
import { accountSettings } from './http/account-settings.js';
import type { AppConfig } from './config.js';
import { registerAuthRoutes } from './http/auth-routes.js';
import { registerAvatarRoutes } from './http/avatar-routes.js';
import { installErrorHandlers } from './http/errors.js';
import { registerHealthRoutes } from './http/health.js';
import { createMetricsRegistry, registerMetricsRoute } from './http/metrics.js';
import { registerProtocolMetrics } from './http/protocol-metrics.js';
import { installRequestMetrics } from './http/request-metrics.js';
import { registerWebPage } from './http/web-page.js';
import { openStore, type Store } from './store/database.js';
import { migrate } from './store/migrate.js';
import { platformMigrations } from './store/migrations/index.js';
import { SandboxPool } from './sandbox/index.js';
import { WebSocketServer } from './websocket/index.js';

export interface App {
  server: WebSocketServer;
  http: FastifyInstance;
  store: Store;
  context: Omit<AppContext, 'broker'>;
  /** Migrates, registers every module, listens. Resolves with the bound address. */
  start(): Promise<AddressInfo>;
  /** From now on /readyz answers 503 (called the moment a shutdown signal arrives). */
  markStopping(): void;
  /** Closes connections (1001), then modules, then the store. Safe to call twice. */
  stop(): Promise<void>;
}

const DB_PING_TIMEOUT_MS = 2_000;

export function createApp(config: AppConfig, modules: AppModule[] = appModules): App {
  const logger = config.logger ?? pino({ level: 'silent' });
  const store = openStore(config.database, config.dataDir);
  const fastify = Fastify({
    serverFactory: (handler) => http.createServer(handler),
    logger: false,
  });
  const server = new WebSocketServer({ ...config.engine, http: fastify.server, logger });
  const tokens = createTokenService(
    loadJwtSecret(config.jwtSecret, config.dataDir),
    config.tokenTtlSeconds,
  );

  const auth = createAuthenticator(tokens);
  const users = new UserRepository(store.db);
  const sandbox = new SandboxPool({
    pythonWorkers: config.sandbox.pythonWorkers,
    javascriptWorkers: config.sandbox.javascriptWorkers,
    logger,
  });

  const broker = new MemoryBroker(server.rooms);
  const context: Omit<AppContext, 'broker'> = {
    sandbox,
    server,
    http: fastify,
    db: store.db,
    dialect: store.dialect,
    logger,
    auth,
    users: userDirectory(users),
    settings: config.modules,
  };

  let migrated = false;
  let stopping = false;
  const readiness = async (): Promise<string | null> => {
    if (stopping) return 'shutting down';
    if (!migrated) return 'starting';
    try {
      await withTimeout(sql`select 1`.execute(store.db), DB_PING_TIMEOUT_MS);
      return null;
    } catch {
      return 'database unavailable';
    }
  };

  installErrorHandlers(fastify, logger);
  registerHealthRoutes(fastify, readiness, () => sandbox.state());
  const metrics = createMetricsRegistry(server, sandbox);
  installRequestMetrics(fastify, metrics);
  registerMetricsRoute(fastify, metrics);
  registerAuthRoutes(fastify, {
    users,
    tokens,
    auth,
    loginLimiter: new LoginLimiter(config.loginAttemptsPerMinute),
    registrationLimiter: new WindowLimiter(
      valuesOf(accountSettings, config.modules).registrationsPerHour,
      60 * 60 * 1000,
    ),
  });
  registerAvatarRoutes(fastify, { dataDir: config.dataDir, auth });
  registerWebPage(fastify, config.webDir, logger);

  let stopped: Promise<void> | undefined;
  return {
    server,
    http: fastify,
    store,
    context,
    async start() {
      const applied = await migrate(store.db as Kysely<unknown>, [
        ...platformMigrations,
        ...modules.flatMap((module) => module.migrations),
      ]);
      if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
      migrated = true;
      for (const module of modules)
        await module.register({ ...context, broker: broker.forModule(module.name) });
      registerProtocolMetrics(metrics, modules);
      await fastify.ready();
      const address = await server.listen(config.port, config.host);
      // Pyodide takes seconds to load: warm in the background, never on a request's path.
      if (config.sandbox.warmAtStart) sandbox.start();
      return address;
    },
    markStopping() {
      stopping = true;
    },
    stop() {
      stopping = true;
      stopped ??= (async () => {
        await server.close();
        for (const module of [...modules].reverse()) {
          try {
            await module.close?.();
          } catch (error) {
            logger.error({ err: error, module: module.name }, 'module close failed');
          }
        }
        await fastify.close();
        await broker.close();
        await sandbox.close();
        await store.close();
      })();
      return stopped;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
