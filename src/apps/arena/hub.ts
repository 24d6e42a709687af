// Who is connected, and sending to them. Every connection of the arena route joins its
// user's room before its 101 is written, so "send to a user" reaches every open
// connection of that user (and one still in its handshake, right after its 101).
import type { WebSocketServer } from '../../websocket/index.js';
import { encodeEvent, type ArenaServerEvents } from './protocol.js';

export const ARENA_ROUTE = '/v1';

export function userRoom(userId: string): string {
  return `arena:user:${userId}`;
}

export function channelRoom(channel: string): string {
  return `arena:chat:${channel}`;
}

export class Hub {
  constructor(private readonly server: WebSocketServer) {}

  isOnline(userId: string): boolean {
    return this.server.rooms.has(userRoom(userId));
  }

  /** Sends an event to every connection of the user; returns how many. */
  toUser<K extends keyof ArenaServerEvents>(
    userId: string,
    event: K,
    data: ArenaServerEvents[K],
  ): number {
    return this.server.rooms.publish(userRoom(userId), encodeEvent(event, data));
  }

  /** The same event to several users (each connection once, even if listed twice). */
  toUsers<K extends keyof ArenaServerEvents>(
    userIds: Iterable<string>,
    event: K,
    data: ArenaServerEvents[K],
  ): void {
    const frame = encodeEvent(event, data);
    for (const userId of new Set(userIds)) this.server.rooms.publish(userRoom(userId), frame);
  }

  toChannel<K extends keyof ArenaServerEvents>(
    channel: string,
    event: K,
    data: ArenaServerEvents[K],
  ): number {
    return this.server.rooms.publish(channelRoom(channel), encodeEvent(event, data));
  }

  /** To every open connection of the arena route. */
  toEveryone<K extends keyof ArenaServerEvents>(event: K, data: ArenaServerEvents[K]): number {
    return this.server.broadcast(encodeEvent(event, data), { route: ARENA_ROUTE });
  }
}
