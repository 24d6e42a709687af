// Rooms on one node: named sets of connections; a message published to a room is
// framed once and the same bytes go to every member.
import { fanOut, type FanOutStats } from './fan-out.js';
import type { ServerConnection } from './server-connection.js';

export class RoomLimitError extends Error {}

export class Rooms {
  private readonly rooms = new Map<string, Set<ServerConnection<unknown>>>();

  constructor(
    private readonly maxRoomsPerConnection: number,
    private readonly stats: FanOutStats,
  ) {}

  join(connection: ServerConnection<unknown>, room: string): void {
    const joined = (connection.rooms ??= new Set());
    if (joined.has(room)) return;
    if (joined.size >= this.maxRoomsPerConnection) {
      throw new RoomLimitError(
        `a connection may be in at most ${this.maxRoomsPerConnection} rooms`,
      );
    }
    joined.add(room);
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Set()));
    members.add(connection);
  }

  leave(connection: ServerConnection<unknown>, room: string): void {
    if (!connection.rooms?.delete(room)) return;
    const members = this.rooms.get(room);
    if (!members) return;
    members.delete(connection);
    if (members.size === 0) this.rooms.delete(room);
  }

  leaveAll(connection: ServerConnection<unknown>): void {
    if (!connection.rooms) return;
    for (const room of [...connection.rooms]) this.leave(connection, room);
  }

  /** Sends to every member (but `except`); returns how many it was queued for. */
  publish(
    room: string,
    data: string | Buffer,
    options: { binary?: boolean; except?: ServerConnection<unknown> } = {},
  ): number {
    const members = this.rooms.get(room);
    if (!members) return 0;
    return fanOut(
      members,
      data,
      options.binary ?? typeof data !== 'string',
      options.except ?? null,
      this.stats,
    );
  }

  /**
   * Sends one message to the members of several rooms: encoded once, and a connection
   * that is in more than one of them gets it once. Returns how many it was queued for.
   */
  publishToMany(rooms: Iterable<string>, data: string | Buffer): number {
    let targets: Set<ServerConnection<unknown>> | null = null;
    for (const room of rooms) {
      const members = this.rooms.get(room);
      if (!members) continue;
      targets ??= new Set();
      for (const member of members) targets.add(member);
    }
    if (targets === null) return 0;
    return fanOut(targets, data, typeof data !== 'string', null, this.stats);
  }

  /** How many connections a room has (0 for a room nobody is in). */
  sizeOf(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  members(room: string): ServerConnection<unknown>[] {
    return [...(this.rooms.get(room) ?? [])];
  }

  has(room: string): boolean {
    return this.rooms.has(room);
  }

  /** Names of the rooms that have members. */
  names(): string[] {
    return [...this.rooms.keys()];
  }

  get size(): number {
    return this.rooms.size;
  }
}
