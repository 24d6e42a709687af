// The arena's rows (Kysely: the same queries on SQLite and PostgreSQL). Usernames come
// from the platform's `users` table.
import type { AuthenticatedUser, UserDirectory } from '../types.js';
import { PostgresAdapter, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../store/schema.js';
import { isUniqueViolation } from '../../auth/users.js';
import { INITIAL_RATING } from './elo.js';
import type {
  ArenaBattlesTable,
  ArenaNotificationsTable,
  ArenaSubmissionsTable,
  ArenaTeamSharesTable,
} from './migrations.js';
import './migrations.js';

export type BattleRow = Selectable<ArenaBattlesTable>;
export type NotificationRow = Omit<Selectable<ArenaNotificationsTable>, 'seq'> & { seq: number };

export interface RatingRecord {
  userId: string;
  rating: number;
  wins: number;
  losses: number;
  draws: number;
}

export interface ChatRecord {
  seq: number;
  id: string;
  channel: string;
  userId: string;
  username: string;
  body: string;
  replyTo: string | null;
  created: string;
}

export interface TeamMemberRecord {
  userId: string;
  username: string;
  role: string;
  joined: string;
}

export interface RatingChange {
  userId: string;
  rating: number;
  outcome: 'win' | 'loss' | 'draw';
}

export class ArenaStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly users: UserDirectory,
  ) {}

  // --- users -------------------------------------------------------------------

  /** The platform's accounts (AppContext.users). */
  findUserByUsername(username: string): Promise<AuthenticatedUser | null> {
    return this.users.findByUsername(username);
  }

  async usernames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((row) => [row.id, row.username]));
  }

  // --- ratings -------------------------------------------------------------------

  async rating(userId: string, db: Kysely<Database> = this.db): Promise<RatingRecord> {
    const row = await db
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

  // --- battles -------------------------------------------------------------------

  async insertBattle(row: BattleRow): Promise<void> {
    await this.db.insertInto('arena_battles').values(row).execute();
  }

  async updateBattle(id: string, fields: Partial<BattleRow>): Promise<void> {
    await this.db.updateTable('arena_battles').set(fields).where('id', '=', id).execute();
  }

  async battle(id: string): Promise<BattleRow | null> {
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
  async finishBattle(
    id: string,
    fields: Partial<BattleRow>,
    rate: ((current: Map<string, number>) => RatingChange[]) | null,
    players: string[],
  ): Promise<Map<string, { before: number; after: number }>> {
    return this.db.transaction().execute(async (trx) => {
      const changes = new Map<string, { before: number; after: number }>();
      if (rate) {
        const current = new Map<string, number>();
        for (const userId of players) current.set(userId, await this.lockedRating(trx, userId));
        const now = new Date().toISOString();
        for (const change of rate(current)) {
          changes.set(change.userId, {
            before: current.get(change.userId)!,
            after: change.rating,
          });
          await this.saveRating(trx, change, now);
        }
        fields = { ...fields, ratings: JSON.stringify(Object.fromEntries(changes)) };
      }
      await trx.updateTable('arena_battles').set(fields).where('id', '=', id).execute();
      return changes;
    });
  }

  private async lockedRating(trx: Transaction<Database>, userId: string): Promise<number> {
    // Make sure the row exists, then read it (FOR UPDATE on PostgreSQL).
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

  private async saveRating(trx: Transaction<Database>, change: RatingChange, now: string) {
    const column =
      change.outcome === 'win' ? 'wins' : change.outcome === 'loss' ? 'losses' : 'draws';
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

  /** Battles left open by a previous process (their timers are gone): aborted, unrated. */
  async abortUnfinished(): Promise<number> {
    const result = await this.db
      .updateTable('arena_battles')
      .set({ status: 'aborted', ended: new Date().toISOString() })
      .where('status', 'in', ['pending', 'active'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows ?? 0);
  }

  async insertSubmission(row: Selectable<ArenaSubmissionsTable>): Promise<void> {
    await this.db.insertInto('arena_submissions').values(row).execute();
  }

  async submissionCounts(battleId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('arena_submissions')
      .select(['user_id', (eb) => eb.fn.countAll().as('count')])
      .where('battle_id', '=', battleId)
      .groupBy('user_id')
      .execute();
    return new Map(rows.map((row) => [row.user_id, Number(row.count)]));
  }

  // --- chat ----------------------------------------------------------------------

  async insertMessage(message: Omit<ChatRecord, 'seq' | 'username'>): Promise<void> {
    await this.db
      .insertInto('arena_chat_messages')
      .values({
        id: message.id,
        channel: message.channel,
        user_id: message.userId,
        body: message.body,
        reply_to: message.replyTo,
        created: message.created,
      })
      .execute();
  }

  async findMessage(channel: string, id: string): Promise<ChatRecord | null> {
    const row = await this.messageQuery()
      .where('arena_chat_messages.channel', '=', channel)
      .where('arena_chat_messages.id', '=', id)
      .executeTakeFirst();
    return row ? { ...row, seq: Number(row.seq) } : null;
  }

  /** Newest first, older than `beforeSeq` when given. */
  async listMessages(channel: string, limit: number, beforeSeq?: number): Promise<ChatRecord[]> {
    let query = this.messageQuery().where('arena_chat_messages.channel', '=', channel);
    if (beforeSeq !== undefined) query = query.where('arena_chat_messages.seq', '<', beforeSeq);
    const rows = await query.orderBy('arena_chat_messages.seq', 'desc').limit(limit).execute();
    return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
  }

  private messageQuery() {
    return this.db
      .selectFrom('arena_chat_messages')
      .innerJoin('users', 'users.id', 'arena_chat_messages.user_id')
      .select([
        'arena_chat_messages.seq as seq',
        'arena_chat_messages.id as id',
        'arena_chat_messages.channel as channel',
        'arena_chat_messages.user_id as userId',
        'users.username as username',
        'arena_chat_messages.body as body',
        'arena_chat_messages.reply_to as replyTo',
        'arena_chat_messages.created as created',
      ]);
  }

  // --- notifications ---------------------------------------------------------------

  async insertNotification(row: Omit<NotificationRow, 'seq'>): Promise<void> {
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

  async notification(id: string): Promise<NotificationRow | null> {
    const row = await this.db
      .selectFrom('arena_notifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { ...row, seq: Number(row.seq) } : null;
  }

  /** Records the answer once; false when it already had one. */
  async answerNotification(id: string, response: string): Promise<boolean> {
    const result = await this.db
      .updateTable('arena_notifications')
      .set({ response })
      .where('id', '=', id)
      .where('response', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows ?? 0) > 0;
  }

  /** The user's own and the system's notifications, newest first. */
  async notifications(
    userId: string,
    limit: number,
    beforeSeq?: number,
  ): Promise<NotificationRow[]> {
    let query = this.db
      .selectFrom('arena_notifications')
      .selectAll()
      .where((eb) => eb.or([eb('user_id', '=', userId), eb('kind', '=', 'system')]));
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
  }

  // --- teams ---------------------------------------------------------------------

  async createTeam(team: { id: string; name: string; ownerId: string; created: string }) {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('arena_teams')
        .values({ id: team.id, name: team.name, owner_id: team.ownerId, created: team.created })
        .execute();
      await trx
        .insertInto('arena_team_members')
        .values({ team_id: team.id, user_id: team.ownerId, role: 'owner', joined: team.created })
        .execute();
    });
  }

  async team(
    id: string,
  ): Promise<{ id: string; name: string; ownerId: string; created: string } | null> {
    const row = await this.db
      .selectFrom('arena_teams')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { id: row.id, name: row.name, ownerId: row.owner_id, created: row.created } : null;
  }

  async teamsOf(userId: string) {
    return this.db
      .selectFrom('arena_team_members')
      .innerJoin('arena_teams', 'arena_teams.id', 'arena_team_members.team_id')
      .select([
        'arena_teams.id as id',
        'arena_teams.name as name',
        'arena_teams.owner_id as ownerId',
        'arena_teams.created as created',
        'arena_team_members.role as role',
      ])
      .where('arena_team_members.user_id', '=', userId)
      .orderBy('arena_teams.created')
      .execute();
  }

  async members(teamId: string): Promise<TeamMemberRecord[]> {
    return this.db
      .selectFrom('arena_team_members')
      .innerJoin('users', 'users.id', 'arena_team_members.user_id')
      .select([
        'arena_team_members.user_id as userId',
        'users.username as username',
        'arena_team_members.role as role',
        'arena_team_members.joined as joined',
      ])
      .where('arena_team_members.team_id', '=', teamId)
      .orderBy('arena_team_members.joined')
      .orderBy('users.username')
      .execute();
  }

  async roleIn(teamId: string, userId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('arena_team_members')
      .select('role')
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role ?? null;
  }

  /** False when the user already was a member. */
  async addMember(teamId: string, userId: string, role: string, joined: string): Promise<boolean> {
    try {
      await this.db
        .insertInto('arena_team_members')
        .values({ team_id: teamId, user_id: userId, role, joined })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async insertSession(session: {
    id: string;
    teamId: string;
    topic: string;
    startedBy: string;
    participants: string[];
    created: string;
  }): Promise<void> {
    await this.db
      .insertInto('arena_team_sessions')
      .values({
        id: session.id,
        team_id: session.teamId,
        topic: session.topic,
        started_by: session.startedBy,
        participants: JSON.stringify(session.participants),
        created: session.created,
      })
      .execute();
  }

  async insertShare(row: Selectable<ArenaTeamSharesTable>): Promise<void> {
    await this.db.insertInto('arena_team_shares').values(row).execute();
  }

  async shares(teamId: string, limit: number) {
    return this.db
      .selectFrom('arena_team_shares')
      .innerJoin('users', 'users.id', 'arena_team_shares.user_id')
      .select([
        'arena_team_shares.id as shareId',
        'arena_team_shares.team_id as teamId',
        'users.username as sharedBy',
        'arena_team_shares.user_id as userId',
        'arena_team_shares.problem_id as problemId',
        'arena_team_shares.language as language',
        'arena_team_shares.code as code',
        'arena_team_shares.note as note',
        'arena_team_shares.created as sharedAt',
      ])
      .where('arena_team_shares.team_id', '=', teamId)
      .orderBy('arena_team_shares.created', 'desc')
      .limit(limit)
      .execute();
  }
}
