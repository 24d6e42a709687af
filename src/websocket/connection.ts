// One open WebSocket over a TCP (or TLS) socket, for either side: feeds the socket's
// bytes to the receiver, answers pings, runs the closing handshake (RFC 6455 section
// 7) and then the TCP close, and sends messages through the output queue, compressed
// when permessage-deflate was agreed.
import type { Socket } from 'node:net';
import { encodeClosePayload } from './close-codes.js';
import { CloseCode, Opcode, ReadyState } from './constants.js';
import { encodeFrame, encodeHeader, encodeTextFrame } from './frame-encoder.js';
import { OutputQueue, type PendingSlot } from './output-queue.js';
import type { PerMessageDeflate } from './permessage-deflate.js';
import { Receiver, type ReceiverHandlers } from './receiver.js';

/** A masked control frame with the largest payload (2 + 4 + 125 bytes). */
const MAX_CONTROL_FRAME_BYTES = 131;

/** From this size a payload is written after its header instead of copied into the frame. */
const ZERO_COPY_MIN_BYTES = 16 * 1024;

export type SlowConsumerPolicy = 'drop' | 'close';

export interface ConnectionOptions {
  role: 'server' | 'client';
  maxMessageBytes: number;
  maxFragments: number;
  /** How long to wait for the peer's close frame, then for the TCP close. */
  closeTimeoutMs: number;
  /** Bytes queued for this peer beyond which `slowConsumer` applies. */
  maxQueuedBytes: number;
  slowConsumer: SlowConsumerPolicy;
  /**
   * Bytes one connection may hand the parser in one event-loop turn; past it, reading
   * from that peer pauses until the next turn, so a flooding peer cannot delay the rest.
   */
  readBytesPerTurn: number;
  /** Where a server counts what its connections send (shared by all of them). */
  stats?: { messagesOut: number; bytesOut: number };
}

/**
 * What a connection reports. One object serves many connections (each call names
 * its connection), so an idle connection carries no closures of its own.
 */
export interface ConnectionEvents<C extends WebSocketConnection = WebSocketConnection> {
  message(connection: C, data: Buffer, isBinary: boolean): void;
  pong(connection: C, payload: Buffer): void;
  /** A ping arrived (it is answered already); optional. */
  ping?(connection: C, payload: Buffer): void;
  /** The connection is gone (TCP closed). `code` is what the peer sent, or 1005/1006. */
  close(connection: C, code: number, reason: string, wasClean: boolean): void;
  error(connection: C, error: Error): void;
}

const kConnection = Symbol('ringside.connection');
type SocketWithConnection = Socket & { [kConnection]: WebSocketConnection };

// Socket listeners shared by every connection: `this` is the socket.
function onSocketData(this: SocketWithConnection, chunk: Buffer): void {
  this[kConnection].receive(chunk);
}
function onSocketError(this: SocketWithConnection, error: Error): void {
  const connection = this[kConnection];
  connection.events.error(connection, error);
}
function onSocketClose(this: SocketWithConnection): void {
  this[kConnection].onTcpClose();
}
function onSocketDrain(this: SocketWithConnection): void {
  this[kConnection].onDrain();
}

// Connections that read this turn, reset together once the turn's I/O is done.
let readThisTurn: WebSocketConnection[] = [];
let turnEndScheduled = false;

function endReadTurn(): void {
  turnEndScheduled = false;
  const list = readThisTurn;
  readThisTurn = [];
  for (let i = 0; i < list.length; i++) list[i]!.onTurnEnd();
}

export interface SendOptions {
  binary?: boolean;
  /** false to never compress this message (default: compress above the threshold). */
  compress?: boolean;
}

export class WebSocketConnection implements ReceiverHandlers {
  readyState: ReadyState = ReadyState.Open;
  /** Messages dropped for this peer under the 'drop' slow-consumer policy. */
  droppedMessages = 0;
  protected readonly output: OutputQueue;
  /** Made when the first bytes arrive: an idle connection carries no parser. */
  private receiver: Receiver | null = null;
  private closeSent = false;
  private closeReceived = false;
  private closeCode: number = CloseCode.Abnormal;
  private closeReason = '';
  private closeTimer: NodeJS.Timeout | null = null;
  /** Paused because our replies to this peer are backing up. */
  private readingPaused = false;
  /** Paused until the next turn: this peer used up its bytes for this turn. */
  private yielding = false;
  /** Bytes read from this peer in the current event-loop turn. */
  private turnBytes = 0;
  private ended = false;

  constructor(
    readonly socket: Socket,
    protected readonly options: ConnectionOptions,
    /** Set when permessage-deflate was agreed. */
    readonly deflate: PerMessageDeflate | null,
    /** @internal */
    readonly events: ConnectionEvents,
  ) {
    this.output = new OutputQueue(socket);
  }

  /** Starts reading; `head` holds bytes that arrived with the handshake. */
  start(head: Buffer | null): void {
    const socket = this.socket as SocketWithConnection;
    socket[kConnection] = this;
    // (The server's listening socket already set TCP_NODELAY on accepted sockets.)
    if (this.options.role === 'client') socket.setNoDelay(true);
    socket.on('data', onSocketData);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    // No 'end' listener: without allowHalfOpen, Node ends our side when the peer's
    // FIN arrives, and 'close' follows; 'drain' is listened to only while paused.
    if (head !== null && head.length > 0) this.receive(head);
  }

  /** @internal Bytes from the socket. */
  receive(chunk: Buffer): void {
    const receiver = (this.receiver ??= new Receiver(
      this.options,
      this.deflate,
      this.options.role === 'server',
      this,
    ));
    if (this.turnBytes === 0) {
      readThisTurn.push(this);
      if (!turnEndScheduled) {
        turnEndScheduled = true;
        // libuv reads a readable socket up to 32 times per turn; the turn ends after
        // every socket's I/O was handled (setImmediate runs after the poll phase).
        setImmediate(endReadTurn);
      }
    }
    this.turnBytes += chunk.length;
    receiver.push(chunk);
    if (this.turnBytes >= this.options.readBytesPerTurn && !this.yielding) {
      this.yielding = true;
      this.updateReading();
    }
  }

  /** @internal The event-loop turn ended: this peer may be read again. */
  onTurnEnd(): void {
    // A turn that brought no more than a control frame (a heartbeat's pong) and left
    // nothing half-read: drop the parser, so a peer idle between heartbeats keeps none.
    if (this.turnBytes <= MAX_CONTROL_FRAME_BYTES && this.receiver?.atRest === true)
      this.receiver = null;
    this.turnBytes = 0;
    if (this.yielding) {
      this.yielding = false;
      this.updateReading();
    }
  }

  /** Reads from the socket unless a reason to pause holds. */
  private updateReading(): void {
    if (this.readyState === ReadyState.Closed) return;
    if (this.readingPaused || this.yielding) this.socket.pause();
    else this.socket.resume();
  }

  // --- ReceiverHandlers (called by this connection's receiver) -------------

  /** @internal */
  onMessage(data: Buffer, isBinary: boolean): void {
    this.events.message(this, data, isBinary);
  }

  /** @internal */
  onPing(payload: Buffer): void {
    this.writeControl(Opcode.Pong, payload);
    this.events.ping?.(this, payload);
  }

  /** @internal */
  onPong(payload: Buffer): void {
    this.events.pong(this, payload);
  }

  /** @internal */
  onClose(code: number | undefined, reason: string): void {
    this.onCloseFrame(code, reason);
  }

  /** @internal */
  onProtocolError(code: number, reason: string): void {
    this.fail(code, reason);
  }

  get bufferedAmount(): number {
    return this.output.queuedBytes;
  }

  get isOpen(): boolean {
    return this.readyState === ReadyState.Open;
  }

  /** Sends a text (string, or UTF-8 bytes with binary: false) or binary message. */
  send(data: string | Buffer | Uint8Array, options: SendOptions = {}): void {
    if (this.readyState !== ReadyState.Open) return;
    const binary = options.binary ?? typeof data !== 'string';
    const opcode = binary ? Opcode.Binary : Opcode.Text;
    const mask = this.options.role === 'client';
    const deflate = this.deflate;
    if (deflate !== null && deflate.canCompress && options.compress !== false) {
      const bytes =
        typeof data === 'string'
          ? Buffer.from(data, 'utf8')
          : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      if (bytes.length >= deflate.options.threshold)
        return this.sendCompressed(opcode, bytes, deflate, mask);
      return this.queueMessage(encodeFrame(opcode, bytes, { mask }));
    }
    if (typeof data === 'string') return this.queueMessage(encodeTextFrame(opcode, data, { mask }));
    if (!mask && data.length >= ZERO_COPY_MIN_BYTES) {
      // Large payloads go out as they are, after their own header: no copy.
      if (!this.admit(data.length)) return;
      const header = encodeHeader(opcode, data.length);
      this.output.write(header);
      this.output.write(
        Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      );
      this.countSent(header.length + data.length);
      return;
    }
    this.queueMessage(encodeFrame(opcode, data, { mask }));
  }

  /** A message frame this connection built: queued and counted. */
  private queueMessage(frame: Buffer): void {
    if (!this.admit(frame.length)) return;
    this.output.write(frame);
    this.countSent(frame.length);
  }

  private countSent(bytes: number): void {
    const stats = this.options.stats;
    if (stats !== undefined) {
      stats.messagesOut++;
      stats.bytesOut += bytes;
    }
  }

  /**
   * Queues an already encoded data frame (shared by many connections; never masked);
   * false when it was not queued (closing, or dropped by the slow-consumer policy).
   */
  sendFrame(frame: Buffer): boolean {
    if (this.readyState !== ReadyState.Open || !this.admit(frame.length)) return false;
    this.output.write(frame);
    return true;
  }

  /**
   * Reserves this connection's next place on the wire for a frame produced later
   * (a room message compressed once for many peers); null when over the queue limit.
   */
  reserveFrame(): PendingSlot | null {
    if (this.readyState !== ReadyState.Open || !this.admit(0)) return null;
    return this.output.reserve();
  }

  /** Fills a reserved slot; false when the frame will not be sent (the connection closed). */
  fillFrame(slot: PendingSlot, frame: Buffer | null): boolean {
    const open = this.readyState === ReadyState.Open;
    this.output.fill(slot, open ? frame : null);
    return open && frame !== null;
  }

  ping(payload: Buffer | string = Buffer.alloc(0)): void {
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (bytes.length > 125) throw new RangeError('ping payload is longer than 125 bytes');
    if (this.readyState === ReadyState.Open) this.writeControl(Opcode.Ping, bytes);
  }

  /** Starts the closing handshake (no-op once closing). */
  close(code: number = CloseCode.Normal, reason = ''): void {
    if (this.readyState !== ReadyState.Open) return;
    this.readyState = ReadyState.Closing;
    this.closeCode = code;
    this.closeReason = reason;
    this.sendClose(code, reason);
    this.armCloseTimer();
  }

  /** Drops the TCP connection without a closing handshake. */
  terminate(): void {
    if (this.readyState === ReadyState.Closed) return;
    this.readyState = ReadyState.Closing;
    this.output.discard();
    this.socket.destroy();
  }

  /** Applies the slow-consumer policy; false when the frame must not be queued. */
  private admit(bytes: number): boolean {
    const queued = this.output.queuedBytes;
    if (queued + bytes <= this.options.maxQueuedBytes) {
      // Stop reading from a peer whose replies are backing up: it is the one to slow down.
      if (queued > this.options.maxQueuedBytes >>> 1 && !this.readingPaused) {
        this.readingPaused = true;
        this.updateReading();
        this.socket.once('drain', onSocketDrain);
      }
      return true;
    }
    if (this.options.slowConsumer === 'drop') {
      this.droppedMessages++;
      return false;
    }
    this.events.error(this, new Error(`slow consumer: ${queued} bytes queued`));
    this.terminate();
    return false;
  }

  /** @internal */
  onDrain(): void {
    if (!this.readingPaused) return;
    if (this.output.queuedBytes <= this.options.maxQueuedBytes >>> 1) {
      this.readingPaused = false;
      this.updateReading();
    } else {
      this.socket.once('drain', onSocketDrain);
    }
  }

  private sendCompressed(
    opcode: number,
    bytes: Buffer,
    deflate: PerMessageDeflate,
    mask: boolean,
  ): void {
    if (!this.admit(bytes.length)) return;
    const slot = this.output.reserve();
    deflate.compress(bytes, (error, compressed) => {
      if (error !== null || compressed === null) {
        this.output.fill(slot, null);
        if (this.readyState === ReadyState.Open)
          this.fail(CloseCode.InternalError, 'compression failed');
        return;
      }
      const frame = encodeFrame(opcode, compressed, { rsv1: true, mask });
      this.output.fill(slot, frame);
      this.countSent(frame.length);
    });
  }

  private writeControl(opcode: number, payload: Buffer): void {
    if (this.closeSent) return;
    this.output.write(encodeFrame(opcode, payload, { mask: this.options.role === 'client' }));
  }

  private sendClose(code: number | undefined, reason: string): void {
    if (this.closeSent) return;
    this.closeSent = true;
    let payload: Buffer;
    try {
      payload = encodeClosePayload(code, reason);
    } catch {
      payload = encodeClosePayload(code, '');
    }
    this.output.write(encodeFrame(Opcode.Close, payload, { mask: this.options.role === 'client' }));
    this.output.flush();
  }

  private onCloseFrame(code: number | undefined, reason: string): void {
    this.closeReceived = true;
    if (!this.closeSent) {
      // The peer started the closing handshake: echo its code.
      this.closeCode = code ?? CloseCode.NoStatus;
      this.closeReason = reason;
      this.readyState = ReadyState.Closing;
      this.sendClose(code, code === undefined ? '' : reason);
    } else if (this.closeCode === CloseCode.Abnormal) {
      this.closeCode = code ?? CloseCode.NoStatus;
    }
    this.afterHandshake();
  }

  /** Both close frames are out: the server closes TCP; a client waits for it (section 7.1.1). */
  private afterHandshake(): void {
    if (this.options.role === 'server') this.endTcp();
    this.armCloseTimer();
  }

  /** Fails the connection: send the close code, stop reading, close TCP. */
  private fail(code: number, reason: string): void {
    if (this.readyState === ReadyState.Closed) return;
    this.receiver?.stop();
    if (!this.closeSent) {
      this.closeCode = code;
      this.closeReason = reason;
    }
    this.readyState = ReadyState.Closing;
    this.sendClose(code, reason);
    this.endTcp();
    this.armCloseTimer();
  }

  private endTcp(): void {
    if (this.ended) return;
    this.ended = true;
    this.output.flush();
    this.socket.end();
  }

  private armCloseTimer(): void {
    if (this.closeTimer !== null) return;
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.options.closeTimeoutMs);
    this.closeTimer.unref();
  }

  /** @internal */
  onTcpClose(): void {
    if (this.readyState === ReadyState.Closed) return;
    this.readyState = ReadyState.Closed;
    this.receiver?.stop();
    this.output.discard();
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.deflate?.dispose();
    const wasClean = this.closeSent && this.closeReceived;
    const code = this.closeReceived || this.closeSent ? this.closeCode : CloseCode.Abnormal;
    this.events.close(this, code, this.closeReason, wasClean);
  }
}
