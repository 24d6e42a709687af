// The arena's tables, all prefixed `arena_`. Timestamps are ISO 8601 text and ids
// UUID text, as everywhere in the store; JSON columns are text (same on both dialects).
import { PostgresAdapter, sql, type Generated, type Kysely } from 'kysely';
import type { Migration } from '../../store/schema.js';

export interface ArenaRatingsTable {
  user_id: string;
  rating: number;
  wins: number;
  losses: number;
  draws: number;
  updated: string;
}

export interface ArenaBattlesTable {
  id: string;
  /** pending (an invitation) | active | ended | declined | cancelled | expired | aborted */
  status: string;
  mode: string;
  difficulty: string;
  problem_id: string;
  player1_id: string;
  player1_language: string;
  player2_id: string | null;
  player2_language: string | null;
  /** seconds */
  time_limit: number;
  created: string;
  started: string | null;
  ended: string | null;
  winner_id: string | null;
  /** solved | timeout | forfeit */
  end_reason: string | null;
  /** JSON: {<userId>: {score, time}} */
  results: string | null;
  /** JSON: {<userId>: {before, after}} */
  ratings: string | null;
}

export interface ArenaSubmissionsTable {
  id: string;
  battle_id: string;
  user_id: string;
  language: string;
  code: string;
  verdict: string;
  tests_passed: number;
  total_tests: number;
  score: number;
  /** seconds */
  execution_time: number;
  /** MiB */
  memory_used: number;
  /** ms from the battle's start to the submission */
  elapsed_ms: number;
  submitted: string;
}

export interface ArenaChatMessagesTable {
  /** Insertion order (bigint: PostgreSQL hands it back as a string). */
  seq: Generated<number | string>;
  id: string;
  channel: string;
  user_id: string;
  body: string;
  reply_to: string | null;
  created: string;
}

export interface ArenaNotificationsTable {
  seq: Generated<number | string>;
  id: string;
  /** null for a system notification (everyone) */
  user_id: string | null;
  /** user | system */
  kind: string;
  type: string;
  title: string;
  message: string;
  /** JSON */
  data: string;
  /** JSON array */
  actions: string;
  priority: string | null;
  /** JSON or null */
  action: string | null;
  created: string;
  /** 0/1: reached at least one open connection of the user */
  delivered: number;
  /** accept | decline, once answered */
  response: string | null;
}

export interface ArenaTeamsTable {
  id: string;
  name: string;
  owner_id: string;
  created: string;
}

export interface ArenaTeamMembersTable {
  team_id: string;
  user_id: string;
  /** owner | admin | member */
  role: string;
  joined: string;
}

export interface ArenaTeamSessionsTable {
  id: string;
  team_id: string;
  topic: string;
  started_by: string;
  /** JSON array of user ids */
  participants: string;
  created: string;
}

export interface ArenaTeamSharesTable {
  id: string;
  team_id: string;
  user_id: string;
  problem_id: string;
  language: string;
  code: string;
  note: string | null;
  created: string;
}

declare module '../../store/schema.js' {
  interface Database {
    arena_ratings: ArenaRatingsTable;
    arena_battles: ArenaBattlesTable;
    arena_submissions: ArenaSubmissionsTable;
    arena_chat_messages: ArenaChatMessagesTable;
    arena_notifications: ArenaNotificationsTable;
    arena_teams: ArenaTeamsTable;
    arena_team_members: ArenaTeamMembersTable;
    arena_team_sessions: ArenaTeamSessionsTable;
    arena_team_shares: ArenaTeamSharesTable;
  }
}

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export const arenaMigrations: Migration[] = [
  {
    name: '0400_arena',
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('arena_ratings')
        .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('rating', 'integer', (c) => c.notNull())
        .addColumn('wins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('losses', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('draws', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated', 'varchar(40)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('arena_ratings_rating')
        .on('arena_ratings')
        .columns(['rating'])
        .execute();

      await db.schema
        .createTable('arena_battles')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('mode', 'varchar(32)', (c) => c.notNull())
        .addColumn('difficulty', 'varchar(16)', (c) => c.notNull())
        .addColumn('problem_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('player1_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('player1_language', 'varchar(16)', (c) => c.notNull())
        .addColumn('player2_id', 'varchar(64)')
        .addColumn('player2_language', 'varchar(16)')
        .addColumn('time_limit', 'integer', (c) => c.notNull())
        .addColumn('created', 'varchar(40)', (c) => c.notNull())
        .addColumn('started', 'varchar(40)')
        .addColumn('ended', 'varchar(40)')
        .addColumn('winner_id', 'varchar(64)')
        .addColumn('end_reason', 'varchar(16)')
        .addColumn('results', 'text')
        .addColumn('ratings', 'text')
        .execute();
      await db.schema
        .createIndex('arena_battles_status')
        .on('arena_battles')
        .columns(['status'])
        .execute();

      await db.schema
        .createTable('arena_submissions')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('battle_id', 'varchar(36)', (c) =>
          c.notNull().references('arena_battles.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('language', 'varchar(16)', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('verdict', 'varchar(32)', (c) => c.notNull())
        .addColumn('tests_passed', 'integer', (c) => c.notNull())
        .addColumn('total_tests', 'integer', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull())
        .addColumn('execution_time', 'double precision', (c) => c.notNull())
        .addColumn('memory_used', 'double precision', (c) => c.notNull())
        .addColumn('elapsed_ms', 'integer', (c) => c.notNull())
        .addColumn('submitted', 'varchar(40)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('arena_submissions_battle')
        .on('arena_submissions')
        .columns(['battle_id', 'user_id'])
        .execute();

      // An integer key the database numbers itself, on either dialect.
      const postgres = isPostgres(db);
      const seqType = postgres ? sql`bigint generated always as identity` : 'integer';
      await db.schema
        .createTable('arena_chat_messages')
        .addColumn('seq', seqType, (c) =>
          postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('id', 'varchar(36)', (c) => c.notNull().unique())
        .addColumn('channel', 'varchar(80)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('reply_to', 'varchar(36)')
        .addColumn('created', 'varchar(40)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('arena_chat_messages_channel_seq')
        .on('arena_chat_messages')
        .columns(['channel', 'seq'])
        .execute();

      await db.schema
        .createTable('arena_notifications')
        .addColumn('seq', seqType, (c) =>
          postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('id', 'varchar(36)', (c) => c.notNull().unique())
        .addColumn('user_id', 'varchar(64)')
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('title', 'varchar(200)', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('priority', 'varchar(16)')
        .addColumn('action', 'text')
        .addColumn('created', 'varchar(40)', (c) => c.notNull())
        .addColumn('delivered', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('response', 'varchar(16)')
        .execute();
      await db.schema
        .createIndex('arena_notifications_user_seq')
        .on('arena_notifications')
        .columns(['user_id', 'seq'])
        .execute();

      await db.schema
        .createTable('arena_teams')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('owner_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('created', 'varchar(40)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('arena_team_members')
        .addColumn('team_id', 'varchar(36)', (c) =>
          c.notNull().references('arena_teams.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('joined', 'varchar(40)', (c) => c.notNull())
        .addPrimaryKeyConstraint('arena_team_members_pk', ['team_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('arena_team_members_user')
        .on('arena_team_members')
        .columns(['user_id'])
        .execute();
      await db.schema
        .createTable('arena_team_sessions')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('team_id', 'varchar(36)', (c) =>
          c.notNull().references('arena_teams.id').onDelete('cascade'),
        )
        .addColumn('topic', 'varchar(100)', (c) => c.notNull())
        .addColumn('started_by', 'varchar(64)', (c) => c.notNull())
        .addColumn('participants', 'text', (c) => c.notNull())
        .addColumn('created', 'varchar(40)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('arena_team_shares')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('team_id', 'varchar(36)', (c) =>
          c.notNull().references('arena_teams.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('problem_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('language', 'varchar(16)', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('created', 'varchar(40)', (c) => c.notNull())
        .execute();
    },
  },
];
