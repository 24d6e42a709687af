// Notifications (arena_notifications): a user's (user_id set) and the system's (kind
// `system`, for everyone), whether each reached a connection yet, and its answer.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../store/schema.js';
import type { ArenaNotificationsTable } from '../migrations.js';

export type NotificationRow = Omit<Selectable<ArenaNotificationsTable>, 'seq'> & { seq: number };

export class NotificationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: Omit<NotificationRow, 'seq'>): Promise<void> {
    await this.db.insertInto('arena_notifications').values(row).execute();
  }

  /** A user's notifications that reached no connection yet, oldest first. */
  async undelivered(userId: string): Promise<NotificationRow[]> {
    const rows = await this.db
      .selectFrom('arena_notifications')
      .selectAll()
      .where('user_id', '=', userId)
      .where('delivered', '=', 0)
      .orderBy('seq')
      .limit(500)
      .execute();
    return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
  }

  async markDelivered(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('arena_notifications')
      .set({ delivered: 1 })
      .where('id', 'in', ids)
      .execute();
  }

  async get(id: string): Promise<NotificationRow | null> {
    const row = await this.db
      .selectFrom('arena_notifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { ...row, seq: Number(row.seq) } : null;
  }

  /** Records the answer once; false when it already had one. */
  async answer(id: string, response: string): Promise<boolean> {
    const result = await this.db
      .updateTable('arena_notifications')
      .set({ response })
      .where('id', '=', id)
      .where('response', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows ?? 0) > 0;
  }

  /** The user's own and the system's notifications, newest first. */
  async list(userId: string, limit: number, beforeSeq?: number): Promise<NotificationRow[]> {
    let query = this.db
      .selectFrom('arena_notifications')
      .selectAll()
      .where((eb) => eb.or([eb('user_id', '=', userId), eb('kind', '=', 'system')]));
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
  }
}
