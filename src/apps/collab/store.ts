// Collab sessions in the database (Kysely: the same queries on SQLite and PostgreSQL).
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { SessionRecord } from './live-session.js';

export interface StoredSession extends SessionRecord {
  createdAt: string;
  updatedAt: string;
}

export class CollabStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(record: SessionRecord, now: string): Promise<void> {
    await this.db
      .insertInto('collab_sessions')
      .values({ ...record, created_at: now, updated_at: now })
      .execute();
  }

  async find(id: string): Promise<StoredSession | null> {
    const row = await this.db
      .selectFrom('collab_sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      code: row.code,
      language: row.language,
      version: Number(row.version),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async save(record: SessionRecord, now: string): Promise<void> {
    await this.db
      .updateTable('collab_sessions')
      .set({
        code: record.code,
        language: record.language,
        version: record.version,
        updated_at: now,
      })
      .where('id', '=', record.id)
      .execute();
  }
}
