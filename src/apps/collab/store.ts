// Collab sessions in the database (Kysely: the same queries on SQLite and PostgreSQL).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../store/database.js';
import type { Database } from '../../store/schema.js';
import type { SessionRecord } from './live-session.js';

export interface StoredSession extends SessionRecord {
  createdAt: string;
  updatedAt: string;
}

export class CollabStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** The bytes of code all sessions hold together (UTF-8). */
  async storedBytes(): Promise<number> {
    const bytes =
      this.dialect === 'postgres' ? sql`octet_length(code)` : sql`length(cast(code as blob))`;
    const row = await this.db
      .selectFrom('collab_sessions')
      .select(sql<string | number | null>`coalesce(sum(${bytes}), 0)`.as('total'))
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /** Up to `limit` ids of sessions last changed before `cutoff` (ISO 8601), oldest first. */
  async idleSince(cutoff: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('collab_sessions')
      .select('id')
      .where('updated_at', '<', cutoff)
      .orderBy('updated_at')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /** Deletes those of `ids` still unchanged since `cutoff`; returns how many went. */
  async deleteIdle(ids: string[], cutoff: string): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db
      .deleteFrom('collab_sessions')
      .where('id', 'in', ids)
      .where('updated_at', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

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
