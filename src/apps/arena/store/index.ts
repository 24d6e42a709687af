// The arena's repositories, one per kind of record (Kysely: the same queries on SQLite
// and PostgreSQL). Each service is handed only the ones it uses. A folder rather than
// the single store.ts of chat and collab: the arena keeps seven kinds of records.
import type { Kysely } from 'kysely';
import type { Database } from '../../../store/schema.js';
import { BattleStore } from './battles.js';
import { ChatMessageStore } from './chat-messages.js';
import { NotificationStore } from './notifications.js';
import { RatingStore } from './ratings.js';
import { SubmissionStore } from './submissions.js';
import { TeamStore } from './teams.js';
import { UsernameStore } from './usernames.js';

export interface ArenaStores {
  battles: BattleStore;
  submissions: SubmissionStore;
  ratings: RatingStore;
  notifications: NotificationStore;
  messages: ChatMessageStore;
  teams: TeamStore;
  usernames: UsernameStore;
}

export function createArenaStores(db: Kysely<Database>): ArenaStores {
  return {
    battles: new BattleStore(db),
    submissions: new SubmissionStore(db),
    ratings: new RatingStore(db),
    notifications: new NotificationStore(db),
    messages: new ChatMessageStore(db),
    teams: new TeamStore(db),
    usernames: new UsernameStore(db),
  };
}
