// The single-node broker, over the engine's rooms: a module's room is an engine room
// named after the module, and a user's connections form one more engine room, so a
// closing connection leaves both through the engine's own cleanup.
import type { Rooms } from '../websocket/rooms.js';
import type {
  Broker,
  BrokerNode,
  LocalConnection,
  Message,
  PublishOptions,
  RoomPresence,
} from './broker.js';

export class MemoryBroker implements BrokerNode {
  /** The user each identified connection belongs to (gone with the connection). */
  private readonly users = new WeakMap<LocalConnection, string>();

  constructor(private readonly rooms: Rooms) {}

  forModule(name: string): Broker {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`bad module name for the broker: ${name}`);
    return new ScopedMemoryBroker(this.rooms, this.users, `${name}#`, `${name}@`);
  }

  async close(): Promise<void> {}
}

class ScopedMemoryBroker implements Broker {
  constructor(
    private readonly rooms: Rooms,
    private readonly users: WeakMap<LocalConnection, string>,
    private readonly roomPrefix: string,
    private readonly userPrefix: string,
  ) {}

  join(connection: LocalConnection, room: string): void {
    this.rooms.join(connection, this.roomPrefix + room);
  }

  leave(connection: LocalConnection, room: string): void {
    this.rooms.leave(connection, this.roomPrefix + room);
  }

  identify(connection: LocalConnection, userId: string): void {
    const previous = this.users.get(connection);
    if (previous === userId) return;
    if (previous !== undefined) this.rooms.leave(connection, this.userPrefix + previous);
    this.rooms.join(connection, this.userPrefix + userId);
    this.users.set(connection, userId);
  }

  publish(room: string, message: Message, options?: PublishOptions): number {
    return this.rooms.publish(this.roomPrefix + room, message, options);
  }

  publishToUser(userId: string, message: Message): number {
    return this.rooms.publish(this.userPrefix + userId, message);
  }

  publishToUsers(userIds: Iterable<string>, message: Message): number {
    const rooms: string[] = [];
    for (const userId of userIds) rooms.push(this.userPrefix + userId);
    return this.rooms.publishToMany(rooms, message);
  }

  async isOnline(userId: string): Promise<boolean> {
    return this.rooms.has(this.userPrefix + userId);
  }

  async presence(room: string): Promise<RoomPresence> {
    const members = this.rooms.members(this.roomPrefix + room);
    const users = new Set<string>();
    for (const member of members) {
      const userId = this.users.get(member);
      if (userId !== undefined) users.add(userId);
    }
    return { connections: members.length, users: [...users] };
  }

  hasLocalMembers(room: string): boolean {
    return this.rooms.has(this.roomPrefix + room);
  }
}
