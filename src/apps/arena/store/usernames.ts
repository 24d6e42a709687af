// Usernames of the platform's accounts (the `users` table), many at once, for views that
// name the players of a battle. Looking one account up by name is context.users' job.
import type { Kysely } from 'kysely';
import type { Database } from '../../../store/schema.js';

export class UsernameStore {
  constructor(private readonly db: Kysely<Database>) {}

  async byIds(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((row) => [row.id, row.username]));
  }
}
