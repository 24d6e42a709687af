// Accounts in the store: one set of queries for SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { isUniqueViolation } from '../store/db-errors.js';
import type { AuthenticatedUser, UserDirectory } from './identity.js';
import type { Database } from '../store/schema.js';
import '../store/migrations/0001_users.js';

export interface StoredUser extends AuthenticatedUser {
  passwordHash: string;
  createdAt: string;
}

export class UsernameTakenError extends Error {
  constructor(username: string) {
    super(`username "${username}" is taken`);
  }
}

/** The directory modules get (AppContext.users): id and name only, never the hash. */
export function userDirectory(users: UserRepository): UserDirectory {
  return {
    async findByUsername(username) {
      const user = await users.findByUsername(username);
      return user ? { id: user.id, username: user.username } : null;
    },
  };
}

export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(username: string, passwordHash: string): Promise<AuthenticatedUser> {
    const user = {
      id: randomUUID(),
      username,
      password_hash: passwordHash,
      created_at: new Date().toISOString(),
    };
    try {
      await this.db.insertInto('users').values(user).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new UsernameTakenError(username);
      throw error;
    }
    return { id: user.id, username };
  }

  /** Case-insensitive, like the unique index. */
  async findByUsername(username: string): Promise<StoredUser | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where(sql<string>`lower(username)`, '=', username.toLowerCase())
      .executeTakeFirst();
    return row && toStored(row);
  }

  async findById(id: string): Promise<StoredUser | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toStored(row);
  }
}

function toStored(row: {
  id: string;
  username: string;
  password_hash: string;
  created_at: string;
}): StoredUser {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}
