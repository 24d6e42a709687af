// Submissions (arena_submissions): every judged submission of a battle, with its verdict
// and score.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../store/schema.js';
import type { ArenaSubmissionsTable } from '../migrations.js';

export type SubmissionRow = Selectable<ArenaSubmissionsTable>;

export class SubmissionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: SubmissionRow): Promise<void> {
    await this.db.insertInto('arena_submissions').values(row).execute();
  }

  /** How many submissions each player of the battle made. */
  async countsByUser(battleId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('arena_submissions')
      .select(['user_id', (eb) => eb.fn.countAll().as('count')])
      .where('battle_id', '=', battleId)
      .groupBy('user_id')
      .execute();
    return new Map(rows.map((row) => [row.user_id, Number(row.count)]));
  }
}
