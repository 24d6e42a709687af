// Teams (arena_teams) with their members, practice sessions and shared code
// (arena_team_members, arena_team_sessions, arena_team_shares).
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../store/schema.js';
import { isUniqueViolation } from '../../../store/db-errors.js';
import type { ArenaTeamSharesTable } from '../migrations.js';

export interface TeamRecord {
  id: string;
  name: string;
  ownerId: string;
  created: string;
}

export interface TeamMemberRecord {
  userId: string;
  username: string;
  role: string;
  joined: string;
}

export class TeamStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The team and its owner as its first member. */
  async create(team: TeamRecord): Promise<void> {
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

  async get(id: string): Promise<TeamRecord | null> {
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
