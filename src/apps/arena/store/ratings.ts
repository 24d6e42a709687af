// Ratings (arena_ratings): a player's Elo rating and record, the leaderboard, and the
// two steps the end of a rated battle takes inside its transaction (store/battles.ts).
import { PostgresAdapter, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../../store/schema.js';
import { INITIAL_RATING } from '../elo.js';
import '../migrations.js'; // the arena_ tables in Database

export interface RatingRecord {
  userId: string;
  rating: number;
  wins: number;
  losses: number;
  draws: number;
}

export interface RatingChange {
  userId: string;
  rating: number;
  outcome: 'win' | 'loss' | 'draw';
}

export class RatingStore {
  constructor(private readonly db: Kysely<Database>) {}

  async rating(userId: string): Promise<RatingRecord> {
    const row = await this.db
      .selectFrom('arena_ratings')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row
      ? {
          userId,
          rating: Number(row.rating),
          wins: Number(row.wins),
          losses: Number(row.losses),
          draws: Number(row.draws),
        }
      : { userId, rating: INITIAL_RATING, wins: 0, losses: 0, draws: 0 };
  }

  /** Highest rating first (then more wins, then name). */
  async leaderboard(limit: number, offset: number) {
    const rows = await this.db
      .selectFrom('arena_ratings')
      .innerJoin('users', 'users.id', 'arena_ratings.user_id')
      .select([
        'arena_ratings.user_id as userId',
        'users.username as username',
        'arena_ratings.rating as rating',
        'arena_ratings.wins as wins',
        'arena_ratings.losses as losses',
        'arena_ratings.draws as draws',
      ])
      .orderBy('arena_ratings.rating', 'desc')
      .orderBy('arena_ratings.wins', 'desc')
      .orderBy('users.username')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((row) => ({
      userId: row.userId,
      username: row.username,
      rating: Number(row.rating),
      wins: Number(row.wins),
      losses: Number(row.losses),
      draws: Number(row.draws),
    }));
  }
}

/** A player's rating inside a transaction, the row created first if missing (FOR UPDATE on PostgreSQL). */
export async function lockedRating(trx: Transaction<Database>, userId: string): Promise<number> {
  await trx
    .insertInto('arena_ratings')
    .values({
      user_id: userId,
      rating: INITIAL_RATING,
      wins: 0,
      losses: 0,
      draws: 0,
      updated: new Date().toISOString(),
    })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
  let query = trx.selectFrom('arena_ratings').select('rating').where('user_id', '=', userId);
  if (trx.getExecutor().adapter instanceof PostgresAdapter) query = query.forUpdate();
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.rating);
}

/** The new rating and one more win, loss or draw. */
export async function saveRating(
  trx: Transaction<Database>,
  change: RatingChange,
  now: string,
): Promise<void> {
  const column = change.outcome === 'win' ? 'wins' : change.outcome === 'loss' ? 'losses' : 'draws';
  await trx
    .updateTable('arena_ratings')
    .set((eb) => ({
      rating: change.rating,
      [column]: eb(column, '+', 1),
      updated: now,
    }))
    .where('user_id', '=', change.userId)
    .execute();
}
