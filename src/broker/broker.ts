// The broker: the one way protocol modules fan messages out and ask who is present.
// Modules never touch the engine's rooms; they get a Broker scoped to their own name
// (context.broker), so room and user names cannot collide between modules. The memory
// implementation serves one node; a cluster implementation (Redis) is meant to slot in
// behind the same interface without a module changing.
import type { ServerConnection } from '../websocket/index.js';

/** A WebSocket connection held by this node. */
export type LocalConnection = ServerConnection<unknown>;

/**
 * A message as it goes on the wire: a string is sent as a text frame, bytes as a binary
 * frame. It is encoded once per node, whatever the number of recipients.
 */
export type Message = string | Buffer;

/**
 * A member the engine does not hold as a WebSocket connection: a Socket.IO socket (whose
 * transport may be HTTP long-polling) or any other adapter of this node. The broker
 * hands it each message by calling `deliver`, in publishing order; the adapter turns the
 * message into its own framing. Unlike a connection, a sink does not leave by itself:
 * its owner calls `release` when it goes away.
 */
export interface MessageSink {
  deliver(message: Message): void;
}

/** What can be in a room or be a user's: a local WebSocket connection or a sink. */
export type Member = LocalConnection | MessageSink;

export function isSink(member: Member): member is MessageSink {
  return typeof (member as Partial<MessageSink>).deliver === 'function';
}

export interface PublishOptions {
  /** A local member that must not receive it (typically the sender). */
  except?: Member;
}

/** Who is in a room, across every node the broker spans. */
export interface RoomPresence {
  /** Open connections in the room. */
  connections: number;
  /** Distinct users among them (connections bound with `identify`), in no set order. */
  users: string[];
}

/**
 * The contract every implementation keeps.
 *
 * Delivery is at most once. A message reaches the connections that are members when it
 * is published; one that joins later does not get it, and one that is closing may miss
 * it. Nothing is kept for connections that are not there (history and resumable
 * positions are a later addition to this interface, not a promise of this one).
 *
 * Ordering: messages published to one room, or to one user, from one node reach each
 * recipient in the order they were published. Nothing is promised across rooms.
 *
 * Membership is local: `join`, `leave` and `identify` take connections of this node.
 * A connection that closes leaves every room and stops counting as its user's at once;
 * no module needs to clean up after it.
 *
 * Presence answers are a snapshot at the moment of the answer (a user may connect or
 * leave right after), and are asynchronous because a cluster implementation asks
 * elsewhere. In a cluster, a node that dies takes its connections out of presence
 * within a bounded time that the implementation documents.
 *
 * The numbers publish methods return count this node's connections the message was
 * queued for: useful for metrics and tests, never a proof of delivery in a cluster.
 */
export interface Broker {
  /** Adds a local member to a room. Throws RoomLimitError past the per-member limit. */
  join(member: Member, room: string): void;
  /** Takes a local member out of a room (nothing happens when it was not in it). */
  leave(member: Member, room: string): void;
  /**
   * Binds a local connection to a user until it closes: from now on it receives what is
   * sent to that user, and it counts in presence as that user. Call it before the 101
   * (in onConnect) and nothing sent to the user afterwards is missed.
   */
  identify(member: Member, userId: string): void;
  /** A sink went away: it leaves every room and stops counting as its user's. */
  release(sink: MessageSink): void;

  /** Sends to every member of a room (but `except`). */
  publish(room: string, message: Message, options?: PublishOptions): number;
  /** Sends to every connection of a user. */
  publishToUser(userId: string, message: Message): number;
  /** Sends one message to several users: encoded once; a user listed twice gets it once. */
  publishToUsers(userIds: Iterable<string>, message: Message): number;

  /** Whether the user has at least one connection in this module. */
  isOnline(userId: string): Promise<boolean>;
  /** Who is in a room. */
  presence(room: string): Promise<RoomPresence>;
  /**
   * Whether this node holds a member of the room. For state that lives in one node's
   * memory (a collab session being edited here), which may only be dropped when no
   * local connection uses it; not a presence answer.
   */
  hasLocalMembers(room: string): boolean;
}

/** A node's broker: one per process, handing each module its scoped view. */
export interface BrokerNode {
  /** The broker a module sees: its rooms and users are its own. */
  forModule(name: string): Broker;
  /** Stops the broker (after the engine closed its connections). */
  close(): Promise<void>;
}
