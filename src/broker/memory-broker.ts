// The single-node broker, over the engine's rooms: a module's room is an engine room
// named after the module, and a user's connections form one more engine room, so a
// closing connection leaves both through the engine's own cleanup. Sinks (members the
// engine does not hold, such as Socket.IO sockets) are kept in a table of their own
// under the same room names, and leave it when their owner releases them.
import { RoomLimitError } from '../websocket/index.js';
import type { Rooms } from '../websocket/rooms.js';
import {
  isSink,
  type Broker,
  type BrokerNode,
  type LocalConnection,
  type Member,
  type Message,
  type MessageSink,
  type PublishOptions,
  type RoomPresence,
} from './broker.js';

/** The sinks of every room of the node (full names, module prefix included). */
class SinkRooms {
  private readonly members = new Map<string, Set<MessageSink>>();
  private readonly joined = new Map<MessageSink, Set<string>>();

  constructor(private readonly maxRoomsPerSink: number) {}

  join(sink: MessageSink, room: string): void {
    let rooms = this.joined.get(sink);
    if (rooms?.has(room)) return;
    if (rooms && rooms.size >= this.maxRoomsPerSink)
      throw new RoomLimitError(`a member may be in at most ${this.maxRoomsPerSink} rooms`);
    if (!rooms) this.joined.set(sink, (rooms = new Set()));
    rooms.add(room);
    let members = this.members.get(room);
    if (!members) this.members.set(room, (members = new Set()));
    members.add(sink);
  }

  leave(sink: MessageSink, room: string): void {
    const rooms = this.joined.get(sink);
    if (!rooms?.delete(room)) return;
    if (rooms.size === 0) this.joined.delete(sink);
    const members = this.members.get(room);
    members?.delete(sink);
    if (members?.size === 0) this.members.delete(room);
  }

  leaveAll(sink: MessageSink): void {
    for (const room of [...(this.joined.get(sink) ?? [])]) this.leave(sink, room);
  }

  of(room: string): ReadonlySet<MessageSink> | undefined {
    return this.members.get(room);
  }
}

export class MemoryBroker implements BrokerNode {
  /** The user each identified member belongs to (gone with the connection). */
  private readonly users = new WeakMap<Member, string>();
  private readonly sinks: SinkRooms;

  constructor(
    private readonly rooms: Rooms,
    options: { maxRoomsPerSink?: number } = {},
  ) {
    this.sinks = new SinkRooms(options.maxRoomsPerSink ?? 100);
  }

  forModule(name: string): Broker {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`bad module name for the broker: ${name}`);
    return new ScopedMemoryBroker(this.rooms, this.sinks, this.users, `${name}#`, `${name}@`);
  }

  async close(): Promise<void> {}
}

class ScopedMemoryBroker implements Broker {
  constructor(
    private readonly rooms: Rooms,
    private readonly sinks: SinkRooms,
    private readonly users: WeakMap<Member, string>,
    private readonly roomPrefix: string,
    private readonly userPrefix: string,
  ) {}

  join(member: Member, room: string): void {
    this.add(member, this.roomPrefix + room);
  }

  leave(member: Member, room: string): void {
    this.remove(member, this.roomPrefix + room);
  }

  identify(member: Member, userId: string): void {
    const previous = this.users.get(member);
    if (previous === userId) return;
    if (previous !== undefined) this.remove(member, this.userPrefix + previous);
    this.add(member, this.userPrefix + userId);
    this.users.set(member, userId);
  }

  release(sink: MessageSink): void {
    this.sinks.leaveAll(sink);
    this.users.delete(sink);
  }

  publish(room: string, message: Message, options?: PublishOptions): number {
    const name = this.roomPrefix + room;
    const except = options?.except;
    const sent = this.rooms.publish(
      name,
      message,
      except && !isSink(except) ? { except } : undefined,
    );
    return sent + deliver(this.sinks.of(name), message, except);
  }

  publishToUser(userId: string, message: Message): number {
    const name = this.userPrefix + userId;
    return this.rooms.publish(name, message) + deliver(this.sinks.of(name), message);
  }

  publishToUsers(userIds: Iterable<string>, message: Message): number {
    const rooms: string[] = [];
    for (const userId of userIds) rooms.push(this.userPrefix + userId);
    const sinks = new Set<MessageSink>();
    for (const room of rooms) for (const sink of this.sinks.of(room) ?? []) sinks.add(sink);
    return this.rooms.publishToMany(rooms, message) + deliver(sinks, message);
  }

  async isOnline(userId: string): Promise<boolean> {
    return this.hasLocalMembersNamed(this.userPrefix + userId);
  }

  async presence(room: string): Promise<RoomPresence> {
    const name = this.roomPrefix + room;
    const members: Member[] = [...this.rooms.members(name), ...(this.sinks.of(name) ?? [])];
    const users = new Set<string>();
    for (const member of members) {
      const userId = this.users.get(member);
      if (userId !== undefined) users.add(userId);
    }
    return { connections: members.length, users: [...users] };
  }

  hasLocalMembers(room: string): boolean {
    return this.hasLocalMembersNamed(this.roomPrefix + room);
  }

  private hasLocalMembersNamed(name: string): boolean {
    return this.rooms.has(name) || (this.sinks.of(name)?.size ?? 0) > 0;
  }

  private add(member: Member, name: string): void {
    if (isSink(member)) this.sinks.join(member, name);
    else this.rooms.join(member as LocalConnection, name);
  }

  private remove(member: Member, name: string): void {
    if (isSink(member)) this.sinks.leave(member, name);
    else this.rooms.leave(member as LocalConnection, name);
  }
}

function deliver(
  sinks: Iterable<MessageSink> | undefined,
  message: Message,
  except?: Member,
): number {
  if (!sinks) return 0;
  let count = 0;
  // A copy: a sink may release itself (or others) while delivering.
  for (const sink of [...sinks]) {
    if (sink === except) continue;
    sink.deliver(message);
    count++;
  }
  return count;
}
