// A Socket.IO socket: one namespace on one Engine.IO session. Events from the client
// go to the listeners registered with `on` (an acknowledgement callback last when the
// client asked for one); `emit` sends an event, with an acknowledgement callback last
// to ask the client for one.
import { PacketType, type Packet } from 'socket.io-parser';

export interface SocketHandshake {
  /** The CONNECT packet's payload (`io(url, { auth })`), {} when none. */
  auth: Record<string, unknown>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  address: string;
  secure: boolean;
}

export type Ack = (...args: unknown[]) => void;
type Listener = (...args: unknown[]) => void;

export type DisconnectReason =
  | 'client namespace disconnect'
  | 'server namespace disconnect'
  | 'transport close'
  | 'transport error'
  | 'ping timeout'
  | 'parse error'
  | 'forced close'
  | 'server shutting down';

/** What a socket needs of the connection (the Engine.IO session) under it. */
export interface SocketLink {
  write(packet: Packet): void;
  /** The socket left (either side): the connection forgets it. */
  detach(socket: Socket): void;
}

/** Unanswered acknowledgements kept per socket at most (the oldest is dropped past it). */
const MAX_PENDING_ACKS = 1000;

export class Socket {
  /** Application data for this socket. */
  data: Record<string, unknown> = {};
  private readonly listeners = new Map<string, Listener[]>();
  private readonly anyListeners: Array<(event: string, ...args: unknown[]) => void> = [];
  private readonly disconnectListeners: Array<(reason: DisconnectReason) => void> = [];
  private readonly acks = new Map<number, Ack>();
  private nextAckId = 0;
  private connected = true;

  constructor(
    readonly id: string,
    readonly nsp: string,
    readonly handshake: SocketHandshake,
    private readonly link: SocketLink,
  ) {}

  get isConnected(): boolean {
    return this.connected;
  }

  on(event: string, listener: Listener): this {
    const list = this.listeners.get(event);
    if (list) list.push(listener);
    else this.listeners.set(event, [listener]);
    return this;
  }

  /** Called for every event from the client, before the listeners of that event. */
  onAny(listener: (event: string, ...args: unknown[]) => void): this {
    this.anyListeners.push(listener);
    return this;
  }

  onDisconnect(listener: (reason: DisconnectReason) => void): this {
    this.disconnectListeners.push(listener);
    return this;
  }

  /** Sends an event; a function as the last argument asks the client for an ack. */
  emit(event: string, ...args: unknown[]): boolean {
    if (!this.connected) return false;
    const data: unknown[] = [event, ...args];
    const packet: Packet = { type: PacketType.EVENT, nsp: this.nsp, data };
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      data.pop();
      const id = this.nextAckId++;
      this.acks.set(id, last as Ack);
      if (this.acks.size > MAX_PENDING_ACKS) this.acks.delete(this.acks.keys().next().value!);
      packet.id = id;
    }
    this.link.write(packet);
    return true;
  }

  /** Ends this namespace's socket from the server side (the client gets DISCONNECT). */
  disconnect(): void {
    if (!this.connected) return;
    this.link.write({ type: PacketType.DISCONNECT, nsp: this.nsp });
    this.closed('server namespace disconnect');
  }

  /** @internal An EVENT or BINARY_EVENT from the client. */
  receiveEvent(packet: Packet): void {
    const args = packet.data as unknown[];
    const [event, ...rest] = args as [string, ...unknown[]];
    if (packet.id !== undefined) rest.push(this.ackFor(packet.id));
    for (const listener of this.anyListeners) {
      listener(String(event), ...rest);
      if (!this.connected) return;
    }
    for (const listener of this.listeners.get(event) ?? []) {
      listener(...rest);
      if (!this.connected) return;
    }
  }

  /** @internal An ACK or BINARY_ACK from the client. */
  receiveAck(packet: Packet): void {
    if (packet.id === undefined) return;
    const ack = this.acks.get(packet.id);
    if (!ack) return;
    this.acks.delete(packet.id);
    ack(...(packet.data as unknown[]));
  }

  /** @internal The socket is gone: the client left, or its connection closed. */
  closed(reason: DisconnectReason): void {
    if (!this.connected) return;
    this.connected = false;
    this.acks.clear();
    this.link.detach(this);
    for (const listener of this.disconnectListeners) listener(reason);
  }

  /** An ack callback that answers once, and only while the socket is connected. */
  private ackFor(id: number): Ack {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent || !this.connected) return;
      sent = true;
      this.link.write({ type: PacketType.ACK, nsp: this.nsp, id, data: args });
    };
  }
}
