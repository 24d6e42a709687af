// What every protocol module (collab, chat, runner, arena) gets from the platform,
// and what it gives back. src/app.ts builds the context and registers each module.
export type { AuthenticatedUser, Identity, UserDirectory } from '../auth/index.js';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Authenticator, UserDirectory } from '../auth/index.js';
import type { Broker } from '../broker/index.js';
import type { SettingValues } from './settings.js';
import type { WebSocketServer } from '../websocket/index.js';
import type { Database, Migration } from '../store/schema.js';
import type { SandboxPool } from '../sandbox/index.js';

export interface AppContext {
  /** The engine: add WebSocket routes with server.route(...). Fan-out goes through `broker`. */
  server: WebSocketServer;
  /** Rooms, sending to users, presence: this module's own (see src/broker/broker.ts). */
  broker: Broker;
  /** The REST API (Fastify); routes under /api. */
  http: FastifyInstance;
  db: Kysely<Database>;
  /** 'sqlite' or 'postgres': for the rare query that differs. */
  dialect: 'sqlite' | 'postgres';
  logger: Logger;
  users: UserDirectory;
  /** Runs untrusted Python and JavaScript (warm workers; see docs/sandbox.md). */
  sandbox: SandboxPool;
  /**
   * Module settings parsed by `ringside serve` (each module reads its own with
   * valuesOf(itsDeclaration, context.settings)); absent when a test builds the context.
   */
  settings?: SettingValues;
  /** Who a request is: `auth.userOf(request)` for REST routes and upgrades alike. */
  auth: Authenticator;
}

export interface AppModule {
  name: string;
  /** Schema changes this module needs (run at start, in name order with everyone else's). */
  migrations: Migration[];
  /** Adds REST and WebSocket routes. Called once at start, after migrations. */
  register(context: AppContext): Promise<void> | void;
  /** Called on shutdown, before the database closes. */
  close?(): Promise<void> | void;
  /** Numbers for /metrics, read at every scrape (after register). */
  metrics?(): ModuleMetric[];
}

/** One number a module reports; `name` is the full Prometheus name (ringside_<module>_…). */
export interface ModuleMetric {
  name: string;
  help: string;
  /** A counter only grows (a total since start); a gauge is a current level. */
  type: 'counter' | 'gauge';
  value: number;
}
