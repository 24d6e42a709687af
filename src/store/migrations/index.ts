// The platform's own migrations (modules bring theirs through AppModule.migrations).
import type { Migration } from '../schema.js';
import { usersMigration } from './0001_users.js';

export const platformMigrations: Migration[] = [usersMigration];
