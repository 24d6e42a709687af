// Rooms, participants and messages in the database (Kysely: the same queries on SQLite
// and PostgreSQL). Usernames come from the platform's `users` table by a join.
import type { AuthenticatedUser, UserDirectory } from '../types.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';

// Usernames are unique regardless of case (the platform's users table), so lookups by
// name ignore case too.
const lowerUsername = sql<string>`lower(users.username)`;

export interface RoomRecord {
  id: string;
  hostId: string;
  host: string;
  slug: string;
  name: string;
  created: string;
}

export interface MessageRecord {
  seq: number;
  id: string;
  roomId: string;
  userId: string;
  username: string;
  body: string;
  created: string;
  updated: string;
  edited: boolean;
  deleted: boolean;
}

export class ChatStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly users: UserDirectory,
  ) {}

  /** The platform's accounts (AppContext.users). */
  findUserByUsername(username: string): Promise<AuthenticatedUser | null> {
    return this.users.findByUsername(username);
  }

  /** Creates a room with its host as first participant; null when the host already has that slug. */
  async createRoom(room: Omit<RoomRecord, 'host'>): Promise<boolean> {
    try {
      return await this.insertRoom(room);
    } catch (error) {
      // Two creations of the same slug at once: the unique constraint stops the second.
      if (await this.hostHasSlug(room.hostId, room.slug)) return false;
      throw error;
    }
  }

  private async hostHasSlug(hostId: string, slug: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('chat_rooms')
      .select('id')
      .where('host_id', '=', hostId)
      .where('slug', '=', slug)
      .executeTakeFirst();
    return row !== undefined;
  }

  private insertRoom(room: Omit<RoomRecord, 'host'>): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('chat_rooms')
        .select('id')
        .where('host_id', '=', room.hostId)
        .where('slug', '=', room.slug)
        .executeTakeFirst();
      if (taken) return false;
      await trx
        .insertInto('chat_rooms')
        .values({
          id: room.id,
          host_id: room.hostId,
          slug: room.slug,
          name: room.name,
          created: room.created,
        })
        .execute();
      await trx
        .insertInto('chat_participants')
        .values({ room_id: room.id, user_id: room.hostId, added: room.created })
        .execute();
      return true;
    });
  }

  async findRoom(hostUsername: string, slug: string): Promise<RoomRecord | null> {
    const row = await this.db
      .selectFrom('chat_rooms')
      .innerJoin('users', 'users.id', 'chat_rooms.host_id')
      .select([
        'chat_rooms.id as id',
        'chat_rooms.host_id as hostId',
        'users.username as host',
        'chat_rooms.slug as slug',
        'chat_rooms.name as name',
        'chat_rooms.created as created',
      ])
      .where(lowerUsername, '=', hostUsername.toLowerCase())
      .where('chat_rooms.slug', '=', slug)
      .executeTakeFirst();
    return row ?? null;
  }

  /** True when the user was added, false when already a participant. */
  async addParticipant(roomId: string, userId: string, added: string): Promise<boolean> {
    const result = await this.db
      .insertInto('chat_participants')
      .values({ room_id: roomId, user_id: userId, added })
      .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async isParticipant(roomId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('chat_participants')
      .select('user_id')
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async participants(roomId: string): Promise<Array<{ id: string; username: string }>> {
    return this.db
      .selectFrom('chat_participants')
      .innerJoin('users', 'users.id', 'chat_participants.user_id')
      .select(['users.id as id', 'users.username as username'])
      .where('chat_participants.room_id', '=', roomId)
      .orderBy('chat_participants.added')
      .orderBy('users.username')
      .execute();
  }

  async insertMessage(message: {
    id: string;
    roomId: string;
    userId: string;
    body: string;
    created: string;
  }): Promise<void> {
    await this.db
      .insertInto('chat_messages')
      .values({
        id: message.id,
        room_id: message.roomId,
        user_id: message.userId,
        body: message.body,
        created: message.created,
        updated: message.created,
        edited: 0,
        deleted: 0,
      })
      .execute();
  }

  /** A message of the room (deleted ones too, with `deleted` set). */
  async findMessage(roomId: string, id: string): Promise<MessageRecord | null> {
    const row = await this.messageQuery()
      .where('chat_messages.room_id', '=', roomId)
      .where('chat_messages.id', '=', id)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async updateMessage(id: string, body: string, updated: string): Promise<void> {
    await this.db
      .updateTable('chat_messages')
      .set({ body, updated, edited: 1 })
      .where('id', '=', id)
      .execute();
  }

  /** Soft delete: the row keeps its place in the sequence so `before` still resolves. */
  async deleteMessage(id: string, updated: string): Promise<void> {
    await this.db
      .updateTable('chat_messages')
      .set({ body: '', updated, deleted: 1 })
      .where('id', '=', id)
      .execute();
  }

  /** Up to `limit` live messages, newest first, older than sequence `beforeSeq` if given. */
  async listMessages(roomId: string, limit: number, beforeSeq?: number): Promise<MessageRecord[]> {
    let query = this.messageQuery()
      .where('chat_messages.room_id', '=', roomId)
      .where('chat_messages.deleted', '=', 0);
    if (beforeSeq !== undefined) query = query.where('chat_messages.seq', '<', beforeSeq);
    const rows = await query.orderBy('chat_messages.seq', 'desc').limit(limit).execute();
    return rows.map(toRecord);
  }

  private messageQuery() {
    return this.db
      .selectFrom('chat_messages')
      .innerJoin('users', 'users.id', 'chat_messages.user_id')
      .select([
        'chat_messages.seq as seq',
        'chat_messages.id as id',
        'chat_messages.room_id as roomId',
        'chat_messages.user_id as userId',
        'users.username as username',
        'chat_messages.body as body',
        'chat_messages.created as created',
        'chat_messages.updated as updated',
        'chat_messages.edited as edited',
        'chat_messages.deleted as deleted',
      ]);
  }
}

interface MessageRow {
  seq: number | string;
  id: string;
  roomId: string;
  userId: string;
  username: string;
  body: string;
  created: string;
  updated: string;
  edited: number;
  deleted: number;
}

function toRecord(row: MessageRow): MessageRecord {
  return {
    ...row,
    seq: Number(row.seq),
    edited: Number(row.edited) === 1,
    deleted: Number(row.deleted) === 1,
  };
}
