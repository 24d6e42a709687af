// Battles (arena_battles): one row per battle or invitation, written at every change of
// status; its end and the rating changes it causes are one transaction.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../store/schema.js';
import type { ArenaBattlesTable } from '../migrations.js';
import { lockedRating, saveRating, type RatingChange } from './ratings.js';

export type BattleRow = Selectable<ArenaBattlesTable>;

export class BattleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: BattleRow): Promise<void> {
    await this.db.insertInto('arena_battles').values(row).execute();
  }

  async update(id: string, fields: Partial<BattleRow>): Promise<void> {
    await this.db.updateTable('arena_battles').set(fields).where('id', '=', id).execute();
  }

  async get(id: string): Promise<BattleRow | null> {
    const row = await this.db
      .selectFrom('arena_battles')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { ...row, time_limit: Number(row.time_limit) } : null;
  }

  /**
   * Ends a battle and applies the rating changes in one transaction: each player's
   * rating is read inside it, so two battles ending at once cannot lose an update
   * (PostgreSQL: the rows are locked; SQLite: one writer at a time).
   */
  async finish(
    id: string,
    fields: Partial<BattleRow>,
    rate: ((current: Map<string, number>) => RatingChange[]) | null,
    players: string[],
  ): Promise<Map<string, { before: number; after: number }>> {
    return this.db.transaction().execute(async (trx) => {
      const changes = new Map<string, { before: number; after: number }>();
      if (rate) {
        const current = new Map<string, number>();
        for (const userId of players) current.set(userId, await lockedRating(trx, userId));
        const now = new Date().toISOString();
        for (const change of rate(current)) {
          changes.set(change.userId, {
            before: current.get(change.userId)!,
            after: change.rating,
          });
          await saveRating(trx, change, now);
        }
        fields = { ...fields, ratings: JSON.stringify(Object.fromEntries(changes)) };
      }
      await trx.updateTable('arena_battles').set(fields).where('id', '=', id).execute();
      return changes;
    });
  }

  /** Battles left open by a previous process (their timers are gone): aborted, unrated. */
  async abortUnfinished(): Promise<number> {
    const result = await this.db
      .updateTable('arena_battles')
      .set({ status: 'aborted', ended: new Date().toISOString() })
      .where('status', 'in', ['pending', 'active'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows ?? 0);
  }
}
