// Detecting a dead connection from the client side. A browser cannot send WebSocket
// pings nor see the server's, and a connection whose peer vanished (a laptop lid, a
// dropped NAT mapping, a stalled proxy) can stay "open" for minutes. So: after
// `intervalMs` with nothing received, send a probe; if still nothing arrives within
// `timeoutMs`, the connection is declared dead. Any received message counts as life.
//
// The probe, in order of preference:
// - `message`: a protocol-level ping the server answers (set by the typed clients for
//   protocols that have one);
// - a native ping frame, where the implementation can send one (the `ws` package in
//   Node); its pong, and the server's own pings, count as life;
// - none: then only `passive: true` enables the check (for protocols whose server speaks
//   at least every `intervalMs`); otherwise the heartbeat is off for this connection.
import { nativePing, type WebSocketLike } from './websocket-like.js';

export interface HeartbeatOptions {
  /** Probe after this long without a message (default 15 000 ms). */
  intervalMs?: number;
  /** Dead when nothing arrives this long after the probe (default 10 000 ms). */
  timeoutMs?: number;
  /** A protocol-level ping message (text) the server answers. */
  message?: string | (() => string);
  /** Without any probe, treat `intervalMs + timeoutMs` of silence as death (default false). */
  passive?: boolean;
}

export const DEFAULT_HEARTBEAT = { intervalMs: 15_000, timeoutMs: 10_000 };

type ProbeMode = 'message' | 'native' | 'passive';

export class Heartbeat {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSeen = Date.now();
  private probeAt: number | null = null;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private detachNative: (() => void) | null = null;
  readonly mode: ProbeMode | null;

  constructor(
    private readonly socket: WebSocketLike,
    private readonly options: HeartbeatOptions,
    private readonly onDead: (silentMs: number) => void,
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT.intervalMs;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_HEARTBEAT.timeoutMs;
    const native = nativePing(socket);
    this.mode = options.message
      ? 'message'
      : native
        ? 'native'
        : options.passive
          ? 'passive'
          : null;
    if (native) {
      // The server's pings and the answers to ours are life too.
      const seen = (): void => this.seen();
      native.on('pong', seen);
      native.on('ping', seen);
      this.detachNative = () => {
        native.off?.('pong', seen);
        native.off?.('ping', seen);
      };
    }
  }

  /** Starts the checks (nothing happens when no mode applies). */
  start(): void {
    this.lastSeen = Date.now();
    if (this.mode) this.schedule(this.intervalMs);
  }

  /** Something arrived from the server. */
  seen(): void {
    this.lastSeen = Date.now();
    this.probeAt = null;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.detachNative?.();
    this.detachNative = null;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.check(), Math.max(1, ms));
  }

  private check(): void {
    this.timer = null;
    const now = Date.now();
    if (this.probeAt !== null) {
      const waited = now - this.probeAt;
      if (waited >= this.timeoutMs) return this.onDead(now - this.lastSeen);
      return this.schedule(this.timeoutMs - waited);
    }
    const silence = now - this.lastSeen;
    if (silence < this.intervalMs) return this.schedule(this.intervalMs - silence);
    this.probe();
    this.probeAt = now;
    this.schedule(this.timeoutMs);
  }

  private probe(): void {
    try {
      if (this.mode === 'message') {
        const { message } = this.options;
        this.socket.send(typeof message === 'function' ? message() : message!);
      } else if (this.mode === 'native') {
        nativePing(this.socket)!.ping();
      }
    } catch {
      // A socket that cannot send is about to close; the timeout decides anyway.
    }
  }
}
