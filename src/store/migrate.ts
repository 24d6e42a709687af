// Runs every module's migrations at start, in name order, each once (Kysely's
// migrator keeps the record in its own table, on SQLite and PostgreSQL alike).
import { Migrator, type Kysely } from 'kysely';
import type { Migration } from './schema.js';

export async function migrate(db: Kysely<unknown>, migrations: Migration[]): Promise<string[]> {
  const byName: Record<string, { up: (db: Kysely<unknown>) => Promise<void> }> = {};
  for (const migration of migrations) {
    if (byName[migration.name]) throw new Error(`two migrations are named ${migration.name}`);
    byName[migration.name] = { up: migration.up };
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => byName } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
