// One Engine.IO (v4) session: its sid, the transport that carries it now (HTTP
// long-polling or a WebSocket), the packets waiting for that transport, the server's
// heartbeat (ping every pingInterval, a pong due within pingTimeout) and the upgrade
// from polling to a WebSocket (probe ping/pong, then the upgrade packet).
import type { Packet } from 'engine.io-parser';

export interface EngineOptions {
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Largest HTTP body or WebSocket message a client may send (bytes). */
  maxPayload: number;
  /** How long an upgrade may take between the WebSocket's open and the upgrade packet. */
  upgradeTimeoutMs: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  pingIntervalMs: 25_000,
  pingTimeoutMs: 20_000,
  maxPayload: 1_000_000,
  upgradeTimeoutMs: 10_000,
};

export type TransportName = 'polling' | 'websocket';

/** What a session needs of the transport under it. */
export interface SessionTransport {
  readonly name: TransportName;
  /** Whether packets can leave right now (polling: a GET is waiting). */
  readonly writable: boolean;
  send(packets: Packet[]): void;
  /** Ends the transport; `last` is written first when the transport can still write. */
  close(last: Packet | null): void;
}

/** The request that opened the session, as the layers above see it. */
export interface HandshakeInfo {
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  address: string;
  /** Whether the transport is secure (TLS). */
  secure: boolean;
}

export type CloseReason =
  | 'transport close'
  | 'transport error'
  | 'ping timeout'
  | 'parse error'
  | 'forced close'
  | 'server shutting down';

export class EngineSession {
  private buffer: Packet[] = [];
  private pingTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private upgradeTimer: NodeJS.Timeout | null = null;
  /** The WebSocket a polling session is being upgraded to, and whether it was probed. */
  private upgrading: { transport: SessionTransport; probed: boolean } | null = null;
  private closed = false;
  private readonly messageListeners: Array<(data: string | Buffer) => void> = [];
  private readonly closeListeners: Array<(reason: CloseReason) => void> = [];

  constructor(
    readonly sid: string,
    private current: SessionTransport,
    readonly handshake: HandshakeInfo,
    private readonly options: EngineOptions,
  ) {}

  get transport(): SessionTransport {
    return this.current;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get isUpgrading(): boolean {
    return this.upgrading !== null;
  }

  /** Whether a polling GET should be answered with a noop: the WebSocket was probed. */
  get upgradeProbed(): boolean {
    return this.upgrading?.probed === true;
  }

  onMessage(listener: (data: string | Buffer) => void): void {
    this.messageListeners.push(listener);
  }

  onClose(listener: (reason: CloseReason) => void): void {
    this.closeListeners.push(listener);
  }

  /** Writes the open packet and starts the heartbeat. */
  open(upgrades: TransportName[]): void {
    const data = JSON.stringify({
      sid: this.sid,
      upgrades,
      pingInterval: this.options.pingIntervalMs,
      pingTimeout: this.options.pingTimeoutMs,
      maxPayload: this.options.maxPayload,
    });
    this.write({ type: 'open', data });
    this.schedulePing();
  }

  send(data: string | Buffer): void {
    this.write({ type: 'message', data });
  }

  /** Hands waiting packets to the transport when it can take them. */
  flush(): void {
    if (this.closed || this.buffer.length === 0 || !this.current.writable) return;
    // While a probed upgrade is pending, packets wait for the WebSocket.
    if (this.upgrading?.probed && this.current.name === 'polling') return;
    const packets = this.buffer;
    this.buffer = [];
    this.current.send(packets);
  }

  /** A packet from the client on the current transport. */
  receive(packet: Packet): void {
    if (this.closed) return;
    switch (packet.type) {
      case 'pong':
        if (this.pongTimer) clearTimeout(this.pongTimer);
        this.pongTimer = null;
        this.schedulePing();
        return;
      case 'message':
        for (const listener of this.messageListeners) {
          listener(packet.data as string | Buffer);
          if (this.closed) return;
        }
        return;
      case 'close':
        this.close('transport close', null);
        return;
      case 'noop':
        return;
      default:
        // ping (the server pings in v4), open, upgrade outside an upgrade, error: invalid.
        this.close('parse error', { type: 'close' });
    }
  }

  // --- upgrade ---------------------------------------------------------------

  /** A WebSocket arrived with this session's sid. False when it cannot be taken. */
  beginUpgrade(transport: SessionTransport): boolean {
    if (this.closed || this.current.name !== 'polling' || this.upgrading) return false;
    this.upgrading = { transport, probed: false };
    this.upgradeTimer = setTimeout(() => this.cancelUpgrade(true), this.options.upgradeTimeoutMs);
    return true;
  }

  /** A packet on the WebSocket being upgraded to. */
  receiveDuringUpgrade(transport: SessionTransport, packet: Packet): void {
    const upgrading = this.upgrading;
    if (!upgrading || upgrading.transport !== transport) return;
    if (packet.type === 'ping' && packet.data === 'probe') {
      transport.send([{ type: 'pong', data: 'probe' }]);
      upgrading.probed = true;
      // The pending GET ends with a noop, so the client can pause polling.
      if (this.current.writable) this.current.send([{ type: 'noop' }]);
      return;
    }
    if (packet.type === 'upgrade' && upgrading.probed) {
      this.clearUpgrade();
      const polling = this.current;
      this.current = transport;
      polling.close({ type: 'noop' });
      this.flush();
      return;
    }
    this.cancelUpgrade(true);
  }

  /** The WebSocket being upgraded to went away (or misbehaved): polling goes on. */
  cancelUpgrade(closeIt: boolean): void {
    const upgrading = this.upgrading;
    if (!upgrading) return;
    this.clearUpgrade();
    if (closeIt) upgrading.transport.close(null);
    this.flush();
  }

  isUpgradingTo(transport: SessionTransport): boolean {
    return this.upgrading?.transport === transport;
  }

  private clearUpgrade(): void {
    if (this.upgradeTimer) clearTimeout(this.upgradeTimer);
    this.upgradeTimer = null;
    this.upgrading = null;
  }

  // --- closing ---------------------------------------------------------------

  /**
   * Ends the session. `last` goes to the client first when the transport can still
   * write (the close packet for a close we start; a noop to end a pending GET).
   */
  close(reason: CloseReason, last: Packet | null = { type: 'close' }): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pingTimer) clearTimeout(this.pingTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = null;
    this.cancelUpgrade(true);
    this.buffer = [];
    this.current.close(last);
    for (const listener of this.closeListeners) listener(reason);
  }

  private write(packet: Packet): void {
    if (this.closed) return;
    this.buffer.push(packet);
    this.flush();
  }

  private schedulePing(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      this.write({ type: 'ping' });
      this.pongTimer = setTimeout(() => this.close('ping timeout'), this.options.pingTimeoutMs);
    }, this.options.pingIntervalMs);
  }
}
