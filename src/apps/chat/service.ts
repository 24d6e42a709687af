// Chat rooms and messages: who may do what, and what each action stores and returns.
// No sockets: the gateway decides who receives the events this returns.
import { randomUUID } from 'node:crypto';
import type { AuthenticatedUser } from '../types.js';
import {
  characterCount,
  ERRORS,
  MAX_MESSAGE_CHARS,
  timestamp6,
  type ChatEvent,
  type MessageView,
} from './protocol.js';
import type { ChatStore, MessageRecord, RoomRecord } from './store.js';
import { isWellFormed } from '../well-formed-text.js';

/** A refusal: `status` for REST and the upgrade, `message` for both. */
export class ChatError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RoomView {
  id: string;
  host: string;
  slug: string;
  name: string;
  created: string;
}

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ChatService {
  /** Messages stored and sent since start (for /metrics). */
  postedCount = 0;

  constructor(private readonly store: ChatStore) {}

  // --- rooms (REST) -----------------------------------------------------------

  async createRoom(
    user: AuthenticatedUser,
    input: { slug: string; name: string },
  ): Promise<RoomView> {
    const room = {
      id: randomUUID(),
      hostId: user.id,
      slug: input.slug,
      name: input.name,
      created: timestamp6(),
    };
    if (!(await this.store.createRoom(room)))
      throw new ChatError(409, `You already have a room named "${input.slug}"`);
    return {
      id: room.id,
      host: user.username,
      slug: room.slug,
      name: room.name,
      created: room.created,
    };
  }

  async describeRoom(
    user: AuthenticatedUser,
    host: string,
    slug: string,
  ): Promise<RoomView & { participants: string[] }> {
    const room = await this.authorize(user, host, slug);
    const participants = await this.store.participants(room.id);
    return { ...roomView(room), participants: participants.map((p) => p.username) };
  }

  /** The host adds a user by name; `created` is false when they already were a participant. */
  async addParticipant(
    actor: AuthenticatedUser,
    host: string,
    slug: string,
    username: string,
  ): Promise<{ created: boolean; participant: { id: string; username: string } }> {
    const room = await this.findRoom(host, slug);
    if (room.hostId !== actor.id) throw new ChatError(403, 'Only the host can add participants');
    const user = await this.store.findUserByUsername(username);
    if (!user) throw new ChatError(404, 'User not found');
    const created = await this.store.addParticipant(room.id, user.id, timestamp6());
    return { created, participant: user };
  }

  /** Newest first; `before` (a message id) means strictly older than that message. */
  async listMessages(
    user: AuthenticatedUser,
    host: string,
    slug: string,
    page: { before?: string; limit?: number },
  ): Promise<MessageView[]> {
    const room = await this.authorize(user, host, slug);
    let beforeSeq: number | undefined;
    if (page.before !== undefined) {
      const anchor = UUID.test(page.before)
        ? await this.store.findMessage(room.id, page.before.toLowerCase())
        : null;
      if (!anchor) throw new ChatError(400, 'Unknown message id in "before"');
      beforeSeq = anchor.seq;
    }
    const rows = await this.store.listMessages(room.id, page.limit ?? DEFAULT_PAGE, beforeSeq);
    return rows.map(messageView);
  }

  // --- connections and messages (WebSocket) ------------------------------------

  /** The room, if it exists and the user is one of its participants. */
  async authorize(user: AuthenticatedUser, host: string, slug: string): Promise<RoomRecord> {
    const room = await this.findRoom(host, slug);
    if (!(await this.store.isParticipant(room.id, user.id)))
      throw new ChatError(403, 'Not a participant of this room');
    return room;
  }

  /** Stores a new message; the event is what the room receives. */
  async post(user: AuthenticatedUser, room: RoomRecord, body: string): Promise<ChatEvent> {
    checkBody(body);
    const created = timestamp6();
    const id = randomUUID();
    await this.store.insertMessage({ id, roomId: room.id, userId: user.id, body, created });
    this.postedCount++;
    return {
      type: 'chat_message',
      action: 'new',
      id,
      user: user.username,
      user_id: user.id,
      body,
      created,
      edited: false,
      updated: created,
      userAvatar: null,
    };
  }

  async edit(
    user: AuthenticatedUser,
    room: RoomRecord,
    messageId: string,
    body: string,
  ): Promise<ChatEvent> {
    checkBody(body);
    const message = await this.ownMessage(user, room, messageId, ERRORS.notOwnEdit);
    const updated = timestamp6();
    await this.store.updateMessage(message.id, body, updated);
    return { type: 'chat_message', action: 'update', id: message.id, body, edited: true, updated };
  }

  async remove(user: AuthenticatedUser, room: RoomRecord, messageId: string): Promise<ChatEvent> {
    const message = await this.ownMessage(user, room, messageId, ERRORS.notOwnDelete);
    await this.store.deleteMessage(message.id, timestamp6());
    return { type: 'chat_message', action: 'delete', id: message.id };
  }

  private async ownMessage(
    user: AuthenticatedUser,
    room: RoomRecord,
    messageId: string,
    notOwn: string,
  ): Promise<MessageRecord> {
    const message = UUID.test(messageId)
      ? await this.store.findMessage(room.id, messageId.toLowerCase())
      : null;
    if (!message || message.deleted) throw new ChatError(404, ERRORS.notFound);
    if (message.userId !== user.id) throw new ChatError(403, notOwn);
    return message;
  }

  private async findRoom(host: string, slug: string): Promise<RoomRecord> {
    const room = await this.store.findRoom(host, slug);
    if (!room) throw new ChatError(404, 'Room not found');
    return room;
  }
}

function checkBody(body: string): void {
  if (!isWellFormed(body)) throw new ChatError(400, ERRORS.invalidMessage);
  if (characterCount(body) > MAX_MESSAGE_CHARS) throw new ChatError(400, ERRORS.tooLong);
  if (body.trim() === '') throw new ChatError(400, ERRORS.empty);
}

function roomView(room: RoomRecord): RoomView {
  return { id: room.id, host: room.host, slug: room.slug, name: room.name, created: room.created };
}

export function messageView(record: MessageRecord): MessageView {
  return {
    id: record.id,
    user: record.username,
    user_id: record.userId,
    body: record.body,
    created: record.created,
    edited: record.edited,
    updated: record.updated,
    userAvatar: null,
  };
}
