// Chat messages (arena_chat_messages) of every arena channel, with their author's name
// from the platform's `users` table.
import type { Kysely } from 'kysely';
import type { Database } from '../../../store/schema.js';
import '../migrations.js'; // the arena_ tables in Database

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

export class ChatMessageStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(message: Omit<ChatRecord, 'seq' | 'username'>): Promise<void> {
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

  async find(channel: string, id: string): Promise<ChatRecord | null> {
    const row = await this.query()
      .where('arena_chat_messages.channel', '=', channel)
      .where('arena_chat_messages.id', '=', id)
      .executeTakeFirst();
    return row ? { ...row, seq: Number(row.seq) } : null;
  }

  /** Newest first, older than `beforeSeq` when given. */
  async list(channel: string, limit: number, beforeSeq?: number): Promise<ChatRecord[]> {
    let query = this.query().where('arena_chat_messages.channel', '=', channel);
    if (beforeSeq !== undefined) query = query.where('arena_chat_messages.seq', '<', beforeSeq);
    const rows = await query.orderBy('arena_chat_messages.seq', 'desc').limit(limit).execute();
    return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
  }

  private query() {
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
}
