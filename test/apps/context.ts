// An in-process server for the protocol modules' tests: the engine, Fastify on the same
// port, a store (SQLite in memory, or a PostgreSQL URL), the platform's users table and
// HS256 tokens made with jose, wired into an AppContext as the platform does. Faster
// than a `ringside serve` child and lets a test reach the database directly.
import { createAuthenticator, createTokenService } from '../../src/auth/index.js';
import { userDirectory, UserRepository } from '../../src/auth/users.js';
import { SandboxPool } from '../../src/sandbox/index.js';
import { MemoryBroker } from '../../src/broker/index.js';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import type { AppContext, AppModule, AuthenticatedUser } from '../../src/apps/types.js';
import { openStore } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { platformMigrations } from '../../src/store/migrations/index.js';
import type { Database } from '../../src/store/schema.js';
import { WebSocketServer, type ServerOptions } from '../../src/websocket/index.js';

const SECRET_TEXT = 'test-secret-for-the-protocol-modules';
const SECRET = new TextEncoder().encode(SECRET_TEXT);

export interface TestApp {
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT */
  wsUrl: string;
  context: Omit<AppContext, 'broker'>;
  db: Kysely<Database>;
  /** Adds a user row and returns it with a valid token. */
  createUser(username?: string): Promise<{ user: AuthenticatedUser; token: string }>;
  /** Closes connections, the modules, then the store. */
  stop(): Promise<void>;
}

export async function signToken(user: AuthenticatedUser, expiresInSeconds = 3600): Promise<string> {
  return new SignJWT({ username: user.username })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .setIssuer('ringside')
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(SECRET);
}

export async function startTestApp(
  modules: AppModule[],
  options: { database?: string; engine?: ServerOptions } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-apps-'));
  const store = openStore(options.database ?? ':memory:', dataDir);
  const fastify = Fastify({
    serverFactory: (handler) => http.createServer(handler),
    logger: false,
  });
  const server = new WebSocketServer({
    heartbeatIntervalMs: 0,
    ...options.engine,
    http: fastify.server,
  });
  // Created but not warmed: modules that run code start it on first use.
  const sandbox = new SandboxPool({ pythonWorkers: 1, javascriptWorkers: 1 });
  const broker = new MemoryBroker(server.rooms);
  const context: Omit<AppContext, 'broker'> = {
    sandbox,
    users: userDirectory(new UserRepository(store.db)),
    server,
    http: fastify,
    db: store.db,
    dialect: store.dialect,
    logger: pino({ level: 'silent' }),
    auth: createAuthenticator(createTokenService(SECRET_TEXT, 3600)),
  };
  await migrate(store.db as Kysely<unknown>, [
    ...platformMigrations,
    ...modules.flatMap((m) => m.migrations),
  ]);
  for (const module of modules)
    await module.register({ ...context, broker: broker.forModule(module.name) });
  await fastify.ready();
  const { port } = await server.listen(0, '127.0.0.1');
  let counter = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    context,
    db: store.db,
    async createUser(username = `user${++counter}_${randomUUID().slice(0, 6)}`) {
      const user = { id: randomUUID(), username };
      await store.db
        .insertInto('users')
        .values({ ...user, password_hash: 'not-used', created_at: new Date().toISOString() })
        .execute();
      return { user, token: await signToken(user) };
    },
    async stop() {
      await server.close(1000);
      for (const module of [...modules].reverse()) await module.close?.();
      await fastify.close();
      await sandbox.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
