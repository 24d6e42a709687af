// The arena's events on their way out: each encoded once in the spec's envelope and
// handed to the broker, addressed to users (every connection of each), to a chat
// channel's members, or to every arena connection.
import type { Broker, Member, MessageSink } from '../../broker/index.js';
import { encodeEvent, type ArenaServerEvents } from './protocol.js';

export const ARENA_ROUTE = '/v1';

/** The room of every authenticated arena connection (system notifications). */
const EVERYONE = 'everyone';

function channelRoom(channel: string): string {
  return `chat:${channel}`;
}

export class Outbox {
  constructor(private readonly broker: Broker) {}

  /** Binds an authenticated connection to its user (before the 101: nothing is missed). */
  connected(member: Member, userId: string): void {
    this.broker.identify(member, userId);
    this.broker.join(member, EVERYONE);
  }

  /** A Socket.IO socket went away (a connection leaves by itself). */
  disconnected(sink: MessageSink): void {
    this.broker.release(sink);
  }

  joinChannel(member: Member, channel: string): void {
    this.broker.join(member, channelRoom(channel));
  }

  leaveChannel(member: Member, channel: string): void {
    this.broker.leave(member, channelRoom(channel));
  }

  isOnline(userId: string): Promise<boolean> {
    return this.broker.isOnline(userId);
  }

  toUser<K extends keyof ArenaServerEvents>(
    userId: string,
    event: K,
    data: ArenaServerEvents[K],
  ): void {
    this.broker.publishToUser(userId, encodeEvent(event, data));
  }

  /** The same event to several users (each connection once, even if listed twice). */
  toUsers<K extends keyof ArenaServerEvents>(
    userIds: Iterable<string>,
    event: K,
    data: ArenaServerEvents[K],
  ): void {
    this.broker.publishToUsers(userIds, encodeEvent(event, data));
  }

  toChannel<K extends keyof ArenaServerEvents>(
    channel: string,
    event: K,
    data: ArenaServerEvents[K],
  ): void {
    this.broker.publish(channelRoom(channel), encodeEvent(event, data));
  }

  /** To every authenticated arena connection; returns how many on this node. */
  toEveryone<K extends keyof ArenaServerEvents>(event: K, data: ArenaServerEvents[K]): number {
    return this.broker.publish(EVERYONE, encodeEvent(event, data));
  }
}
