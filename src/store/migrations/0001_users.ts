// Platform table: accounts. Timestamps are ISO-8601 text (the same value on SQLite and
// PostgreSQL); ids are UUIDs as text. Usernames are unique regardless of case.
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../schema.js';

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  created_at: string;
}

declare module '../schema.js' {
  interface Database {
    users: UsersTable;
  }
}

export const usersMigration: Migration = {
  name: '0001_users',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('users_username_lower')
      .on('users')
      .unique()
      .expression(sql`lower(username)`)
      .execute();
  },
};
