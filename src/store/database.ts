// Opens the store: SQLite (a file in the data dir) by default, PostgreSQL for a
// postgres:// URL. Everything above this file speaks Kysely and does not care which.
import path from 'node:path';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

/**
 * `url`: a postgres:// (or postgresql://) URL, a sqlite file path (":memory:" for a
 * throwaway one), or undefined for `<dataDir>/ringside.sqlite`.
 */
export function openStore(url: string | undefined, dataDir: string): Store {
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle pooled client losing its connection (the database restarted) emits
    // 'error' on the pool; without a listener that would end the process. pg drops
    // the broken client by itself and /readyz reports the outage.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  let file = url ?? path.join(dataDir, 'ringside.sqlite');
  if (file.startsWith('sqlite://')) file = file.slice('sqlite://'.length);
  if (file !== ':memory:') makePrivate(file);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * The database holds password hashes: a directory made for it is 0700, the file 0600
 * (made so before SQLite opens it; an existing one is narrowed). SQLite gives the -wal
 * and -shm files the mode of the database file; existing ones are narrowed as well.
 */
function makePrivate(file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const name of [file, `${file}-wal`, `${file}-shm`])
    if (existsSync(name)) chmodSync(name, 0o600);
}
