// The collab tables. Sessions keep their code, language and document version; who
// is connected is presence, held in memory only.
import type { Kysely } from 'kysely';
import type { Migration } from '../../store/schema.js';

export interface CollabSessionsTable {
  id: string;
  code: string;
  language: string;
  /** How many changes the document has had (the collab version clients sync to). */
  version: number;
  /** ISO 8601 timestamps. */
  created_at: string;
  updated_at: string;
}

declare module '../../store/schema.js' {
  interface Database {
    collab_sessions: CollabSessionsTable;
  }
}

export const collabMigrations: Migration[] = [
  {
    name: '0100_collab_sessions',
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('collab_sessions')
        .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('language', 'varchar(32)', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
        .execute();
    },
  },
  {
    // Idle sessions are found by their last change (see CollabService's expiry).
    name: '0101_collab_sessions_updated_at',
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('collab_sessions_updated_at')
        .on('collab_sessions')
        .column('updated_at')
        .execute();
    },
  },
];
