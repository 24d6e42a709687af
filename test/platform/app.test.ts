// createApp in this process with a small module registered the way collab and chat
// are: its migration runs with the platform's (SQLite and PostgreSQL), it gets the
// context, its WebSocket route authenticates with ?token= or a Bearer header, open
// connections show in /metrics, /readyz answers 503 while shutting down, and close()
// runs before the store closes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { sql, type Kysely } from 'kysely';
import { createApp, type App } from '../../src/app.js';
import type { AppContext, AppModule } from '../../src/apps/types.js';
import { SERVE_DEFAULTS, type AppConfig } from '../../src/config.js';
import { UpgradeRejection } from '../../src/websocket/index.js';
import { api, registerUser } from '../helpers/http.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';

interface NotesDb {
  test_notes: { id: string; text: string };
}

/** A module like the real ones, with a record of what the platform did to it. */
function notesModule() {
  const record = {
    context: undefined as AppContext | undefined,
    closedWithWorkingDb: undefined as boolean | undefined,
  };
  const module: AppModule = {
    name: 'notes',
    migrations: [
      {
        name: '0900_test_notes',
        async up(db: Kysely<unknown>) {
          await db.schema
            .createTable('test_notes')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('text', 'text')
            .execute();
        },
      },
    ],
    register(context) {
      record.context = context;
      const db = context.db as unknown as Kysely<NotesDb>;
      context.http.post('/api/test-notes', async (request, reply) => {
        const id = randomBytes(4).toString('hex');
        await db
          .insertInto('test_notes')
          .values({ id, text: String((request.body as { text?: unknown }).text) })
          .execute();
        return reply.code(201).send({ id });
      });
      context.server.route<{ user: string }>('/test/:room', {
        initialState: () => ({ user: '' }),
        async onConnect(connection, request) {
          const user = (await context.auth.userOf(request))?.user;
          if (!user) throw new UpgradeRejection(401, 'Unauthorized');
          connection.state.user = user.username;
          context.broker.join(connection, `room:${request.params.room}`);
        },
        onMessage(connection, data) {
          context.broker.publish(
            `room:${connection.request.params.room}`,
            `${connection.state.user}: ${data.toString()}`,
          );
        },
      });
    },
    async close() {
      try {
        await sql`select 1`.execute(record.context!.db);
        record.closedWithWorkingDb = true;
      } catch {
        record.closedWithWorkingDb = false;
      }
    },
  };
  return { module, record };
}

function configFor(dataDir: string, database?: string): AppConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    database,
    jwtSecret: 'in-process-test-secret-0123456789',
    engine: { closeTimeoutMs: 1_000, heartbeatIntervalMs: 0 },
    webDir: SERVE_DEFAULTS.webDir,
    tokenTtlSeconds: 3600,
    loginAttemptsPerMinute: 10,
    sandbox: { pythonWorkers: 1, javascriptWorkers: 1, warmAtStart: false },
  };
}

function openWs(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => {
      ws.terminate();
      reject(new Error(`HTTP ${response.statusCode}`));
    });
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5_000);
    ws.once('message', (data) => {
      clearTimeout(timer);
      resolve(data.toString());
    });
  });
}

function closed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) =>
    ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()),
  );
}

async function scrape(base: string): Promise<string> {
  return (await api(base, 'GET', '/metrics')).body as string;
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let postgres: Postgres;
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.stop();
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`createApp on ${dialect}`, () => {
    let dataDir: string;
    let app: App;
    let base: string;
    let wsBase: string;
    let notes: ReturnType<typeof notesModule>;

    before(async () => {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-app-'));
      notes = notesModule();
      app = createApp(
        configFor(dataDir, dialect === 'postgres' ? await postgres.newDatabase() : undefined),
        [notes.module],
      );
      const address = await app.start();
      base = `http://127.0.0.1:${address.port}`;
      wsBase = `ws://127.0.0.1:${address.port}`;
    });
    after(async () => {
      await app?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('runs the module migration and hands the module the app context', async () => {
      const context = notes.record.context!;
      assert.equal(context.dialect, dialect);
      assert.equal(context.server, app.server);
      assert.equal(context.http, app.http);
      assert.equal(context.db, app.store.db);
      const created = await api(base, 'POST', '/api/test-notes', { text: 'hello' });
      assert.equal(created.status, 201);
      const rows = await (context.db as unknown as Kysely<NotesDb>)
        .selectFrom('test_notes')
        .selectAll()
        .execute();
      assert.deepEqual(rows, [{ id: created.body.id, text: 'hello' }]);
      // The platform's own table is there too.
      const { user } = await registerUser(base, 'ctx_user');
      const stored = await context.db
        .selectFrom('users')
        .select(['id', 'username'])
        .where('id', '=', user.id)
        .executeTakeFirst();
      assert.deepEqual(stored, user);
    });

    it('verifies tokens on WebSocket upgrades and counts open connections per route', async () => {
      const ana = await registerUser(base, 'ana');
      const ben = await registerUser(base, 'ben');
      await assert.rejects(openWs(`${wsBase}/test/r1`), /HTTP 401/);
      await assert.rejects(openWs(`${wsBase}/test/r1?token=${ana.token}x`), /HTTP 401/);

      const a = await openWs(`${wsBase}/test/r1?token=${encodeURIComponent(ana.token)}`);
      const b = await openWs(`${wsBase}/test/r1`, { authorization: `Bearer ${ben.token}` });
      let text = await scrape(base);
      assert.equal(sample(text, 'ringside_websocket_connections{route="/test/:room"}'), 2);
      assert.equal(sample(text, 'ringside_websocket_rooms'), 1);
      assert.equal(sample(text, 'ringside_websocket_rejected_handshakes_total'), 2);

      const got = nextMessage(b);
      a.send('hi');
      assert.equal(await got, 'ana: hi', 'the user comes from the verified token');

      a.close(1000);
      b.close(1000);
      await Promise.all([closed(a), closed(b)]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await scrape(base);
      assert.equal(sample(text, 'ringside_websocket_connections{route="/test/:room"}'), 0);
      assert.equal(sample(text, 'ringside_websocket_rooms'), 0);
      assert.equal(sample(text, 'ringside_websocket_messages_received_total'), 1);
      assert.equal(sample(text, 'ringside_websocket_messages_sent_total'), 2);
    });
  });
}

describe('createApp engine options', () => {
  it('passes the engine limits from the config to the server (origins)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-app-'));
    const config = configFor(dataDir);
    config.engine = { ...config.engine, origins: ['https://allowed.example'] };
    const app = createApp(config, [notesModule().module]);
    try {
      const { port } = await app.start();
      const { token } = await registerUser(`http://127.0.0.1:${port}`, 'origin_user');
      const url = `ws://127.0.0.1:${port}/test/r1?token=${token}`;
      await assert.rejects(openWs(url, { origin: 'https://evil.example' }), /HTTP 403/);
      const ws = await openWs(url, { origin: 'https://allowed.example' });
      ws.close(1000);
      await closed(ws);
    } finally {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('createApp shutdown', () => {
  it('answers /readyz 503 while connections close, closes modules before the store', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-app-'));
    const notes = notesModule();
    const app = createApp(configFor(dataDir), [notes.module]);
    try {
      const { port } = await app.start();
      const { token } = await registerUser(`http://127.0.0.1:${port}`, 'stubborn');
      // A raw client that completes the upgrade and then never answers the close frame,
      // so the shutdown waits closeTimeoutMs (1 s) for it.
      const socket = net.connect(port, '127.0.0.1');
      socket.write(
        `GET /test/r9?token=${token} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
      assert.equal((await app.http.inject({ url: '/readyz' })).statusCode, 200);

      const stopping = app.stop();
      const during = await app.http.inject({ url: '/readyz' });
      assert.equal(during.statusCode, 503);
      // This app's pool is lazy (warmAtStart false) and never ran anything.
      assert.deepEqual(during.json(), { error: 'shutting down', sandbox: 'idle' });
      await stopping;
      socket.destroy();
      assert.equal(
        notes.record.closedWithWorkingDb,
        true,
        'module close() ran while the store was open',
      );
      await assert.rejects(sql`select 1`.execute(app.store.db), 'the store is closed after stop()');
      await assert.rejects(
        fetch(`http://127.0.0.1:${port}/healthz`),
        'the port is closed after stop()',
      );
      await app.stop(); // twice is fine
    } finally {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
