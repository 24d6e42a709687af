// What `ringside serve` runs with. src/cli/serve-config.ts fills it from flags and
// RINGSIDE_* variables; tests may build one directly.
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { SettingValues } from './apps/settings.js';
import type { ServerOptions } from './websocket/index.js';

export interface AppConfig {
  port: number;
  /** Address to bind; undefined binds every interface. */
  host?: string;
  /** SQLite file and the generated JWT secret live here. */
  dataDir: string;
  /** postgres://… for PostgreSQL; a file path for SQLite; undefined: <dataDir>/ringside.sqlite. */
  database?: string;
  /** HS256 secret; undefined: generated once and kept in <dataDir>/jwt-secret. */
  jwtSecret?: string;
  /** Engine limits (everything but `http` and `logger`, which the app supplies). */
  engine: Omit<ServerOptions, 'http' | 'logger'>;
  /** Folder with the browser app's index.html. */
  webDir: string;
  tokenTtlSeconds: number;
  /** Login attempts per minute per IP and username before 429. */
  loginAttemptsPerMinute: number;
  /** The sandbox pool for untrusted code (runner and arena). */
  sandbox: {
    pythonWorkers: number;
    javascriptWorkers: number;
    /** Start warming the workers as the server starts (else on the first run). */
    warmAtStart: boolean;
  };
  /** Module settings by module name (see src/apps/settings.ts). */
  modules?: SettingValues;
  logger?: Logger;
}

export const SERVE_DEFAULTS = {
  port: 8080,
  dataDir: './data',
  maxMessageBytes: 1024 * 1024,
  /** Messages per second per connection (burst twice that); over it: close 1008. Modules override per route. */
  rateLimit: 20,
  tokenTtlSeconds: 7 * 24 * 60 * 60,
  loginAttemptsPerMinute: 10,
  pythonWorkers: 2,
  javascriptWorkers: 2,
  webDir: fileURLToPath(new URL('../../web/', import.meta.url)),
};
