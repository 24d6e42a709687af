// The incremental frame parser (RFC 6455 section 5): fed TCP chunks of any size,
// it checks every rule a peer can break and reports whole messages, control frames
// and protocol failures (with the close code to send) through callbacks.
import { ChunkQueue } from './chunk-queue.js';
import { isValidWireCloseCode } from './close-codes.js';
import { CloseCode, MAX_CONTROL_PAYLOAD, MAX_SAFE_LENGTH, Opcode } from './constants.js';
import { applyMask } from './mask.js';
import { isValidUtf8, Utf8StreamValidator } from './utf8.js';

export interface ReceiverHandlers {
  onMessage(data: Buffer, isBinary: boolean): void;
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** A close frame arrived; `code` is undefined when it had no payload. */
  onClose(code: number | undefined, reason: string): void;
  /** The peer broke the protocol: close with `code`. Nothing more is parsed. */
  onProtocolError(code: number, reason: string): void;
}

/** Inflates a whole compressed message, bounded in output size. */
export interface MessageInflater {
  inflate(
    pieces: Buffer[],
    maxBytes: number,
    done: (error: { code: number; reason: string } | null, data: Buffer | null) => void,
  ): void;
}

export interface ReceiverOptions {
  maxMessageBytes: number;
  maxFragments: number;
}

// One scratch buffer for the key being applied (the process runs one frame at a time).
const scratchKey = Buffer.alloc(4);
function maskBytes(key: number): Buffer {
  scratchKey.writeUInt32BE(key >>> 0, 0);
  return scratchKey;
}

const NO_PIECES: Buffer[] = [];
const EMPTY = Buffer.alloc(0);

const enum State {
  Header,
  Length16,
  Length64,
  MaskKey,
  Payload,
  ControlPayload,
  Inflating,
  Done,
}

export class Receiver {
  private readonly queue = new ChunkQueue();
  private state = State.Header;

  // The frame being read.
  private fin = false;
  private opcode = 0;
  private rsv1 = false;
  private masked = false;
  /** The frame's mask key as a 32-bit number (a Buffer per connection costs far more). */
  private maskKey = 0;
  private frameLength = 0;
  private frameRead = 0;
  /** Where a frame's payload is gathered when it arrives over several chunks. */
  private frameBuffer: Buffer | null = null;

  // The message being assembled (data frames only).
  private messageOpcode = 0;
  private messageCompressed = false;
  private messageBytes = 0;
  private fragments = 0;
  /** Payloads of the message so far; made for the first one. */
  private pieces: Buffer[] | null = null;
  /** Created for the first text message that arrives in pieces. */
  private utf8: Utf8StreamValidator | null = null;

  constructor(
    private readonly options: ReceiverOptions,
    /** Set when permessage-deflate was negotiated: RSV1 then marks a compressed message. */
    private readonly deflate: MessageInflater | null,
    /** A server requires masked frames; a client refuses them. */
    private readonly expectMasked: boolean,
    private readonly handlers: ReceiverHandlers,
  ) {}

  /** Feeds bytes from the socket. */
  push(chunk: Buffer): void {
    if (this.state === State.Done) return;
    this.queue.push(chunk);
    this.parse();
  }

  /** Holds nothing: between frames, no message in progress, no unread bytes. */
  get atRest(): boolean {
    return this.state === State.Header && this.queue.length === 0 && this.messageOpcode === 0;
  }

  /** Stops parsing for good (after a close frame or a failure). */
  stop(): void {
    this.state = State.Done;
    this.pieces = null;
    this.frameBuffer = null;
  }

  private parse(): void {
    const queue = this.queue;
    for (;;) {
      switch (this.state) {
        case State.Header:
          if (queue.length < 2) return;
          if (!this.readHeader()) return;
          break;
        case State.Length16:
          if (queue.length < 2) return;
          this.frameLength = (queue.peek(0) << 8) | queue.peek(1);
          queue.skip(2);
          if (!this.checkLength()) return;
          break;
        case State.Length64: {
          if (queue.length < 8) return;
          const high = queue.take(4).readUInt32BE(0);
          const low = queue.take(4).readUInt32BE(0);
          if (high & 0x80000000) {
            this.fail(CloseCode.ProtocolError, 'invalid frame length');
            return;
          }
          const length = high * 2 ** 32 + low;
          if (length > MAX_SAFE_LENGTH) {
            if (this.opcode >= Opcode.Close)
              this.fail(CloseCode.ProtocolError, 'control frame payload over 125 bytes');
            else this.fail(CloseCode.MessageTooBig, 'frame too large');
            return;
          }
          this.frameLength = length;
          if (!this.checkLength()) return;
          break;
        }
        case State.MaskKey:
          if (queue.length < 4) return;
          this.maskKey = queue.take(4).readUInt32BE(0);
          this.afterMaskKey();
          break;
        case State.ControlPayload:
          if (queue.length < this.frameLength) return;
          if (!this.readControlFrame()) return;
          break;
        case State.Payload:
          if (queue.length === 0 && this.frameLength > 0) return;
          if (!this.readPayload()) return;
          break;
        case State.Inflating:
        case State.Done:
          return;
      }
    }
  }

  private readHeader(): boolean {
    const b0 = this.queue.peek(0);
    const b1 = this.queue.peek(1);
    this.queue.skip(2);
    this.fin = (b0 & 0x80) !== 0;
    this.rsv1 = (b0 & 0x40) !== 0;
    this.opcode = b0 & 0x0f;
    this.masked = (b1 & 0x80) !== 0;
    this.frameLength = b1 & 0x7f;
    this.frameRead = 0;

    if ((b0 & 0x30) !== 0) return this.fail(CloseCode.ProtocolError, 'RSV2 and RSV3 must be clear');
    if (this.masked !== this.expectMasked) {
      return this.fail(
        CloseCode.ProtocolError,
        this.expectMasked
          ? 'frames from a client must be masked'
          : 'frames from a server must not be masked',
      );
    }

    const opcode = this.opcode;
    if (opcode >= Opcode.Close) {
      if (opcode > Opcode.Pong)
        return this.fail(CloseCode.ProtocolError, `reserved opcode ${opcode}`);
      if (!this.fin)
        return this.fail(CloseCode.ProtocolError, 'control frames must not be fragmented');
      if (this.rsv1)
        return this.fail(CloseCode.ProtocolError, 'RSV1 must be clear on control frames');
    } else if (opcode === Opcode.Continuation) {
      if (this.messageOpcode === 0)
        return this.fail(CloseCode.ProtocolError, 'continuation frame with no message');
      if (this.rsv1)
        return this.fail(CloseCode.ProtocolError, 'RSV1 must be clear on continuation frames');
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (this.messageOpcode !== 0) {
        return this.fail(CloseCode.ProtocolError, 'new message before the fragmented one ended');
      }
      if (this.rsv1 && this.deflate === null) {
        return this.fail(CloseCode.ProtocolError, 'RSV1 set without permessage-deflate');
      }
      this.messageOpcode = opcode;
      this.messageCompressed = this.rsv1;
    } else {
      return this.fail(CloseCode.ProtocolError, `reserved opcode ${opcode}`);
    }

    if (this.frameLength === 126) this.state = State.Length16;
    else if (this.frameLength === 127) this.state = State.Length64;
    else return this.checkLength();
    return true;
  }

  /** Applies the size and fragment limits as soon as a data frame's length is known. */
  private checkLength(): boolean {
    if (this.opcode >= Opcode.Close) {
      // Checked on the real length: a non-minimal length encoding is not itself an error.
      if (this.frameLength > MAX_CONTROL_PAYLOAD) {
        return this.fail(CloseCode.ProtocolError, 'control frame payload over 125 bytes');
      }
    } else {
      if (this.messageBytes + this.frameLength > this.options.maxMessageBytes) {
        return this.fail(CloseCode.MessageTooBig, 'message too big');
      }
      if (++this.fragments > this.options.maxFragments) {
        return this.fail(CloseCode.MessageTooBig, 'too many fragments');
      }
    }
    if (this.masked) this.state = State.MaskKey;
    else this.afterMaskKey();
    return true;
  }

  private afterMaskKey(): void {
    this.state = this.opcode >= Opcode.Close ? State.ControlPayload : State.Payload;
  }

  private readControlFrame(): boolean {
    const payload = this.frameLength === 0 ? Buffer.alloc(0) : this.queue.take(this.frameLength);
    if (this.masked) applyMask(payload, maskBytes(this.maskKey));
    this.state = State.Header;
    switch (this.opcode) {
      case Opcode.Ping:
        this.handlers.onPing(payload);
        return this.state !== (State.Done as State);
      case Opcode.Pong:
        this.handlers.onPong(payload);
        return this.state !== (State.Done as State);
      default:
        return this.readClose(payload);
    }
  }

  private readClose(payload: Buffer): boolean {
    if (payload.length === 1)
      return this.fail(CloseCode.ProtocolError, 'close payload of one byte');
    let code: number | undefined;
    let reason = '';
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidWireCloseCode(code))
        return this.fail(CloseCode.ProtocolError, `invalid close code ${code}`);
      const reasonBytes = payload.subarray(2);
      if (!isValidUtf8(reasonBytes))
        return this.fail(CloseCode.InvalidPayload, 'close reason is not UTF-8');
      reason = reasonBytes.toString('utf8');
    }
    this.stop();
    this.handlers.onClose(code, reason);
    return false;
  }

  /** Reads whatever part of a data frame's payload has arrived. */
  private readPayload(): boolean {
    const remaining = this.frameLength - this.frameRead;
    let piece: Buffer | null = null;
    if (remaining > 0) {
      // Zero copy when the whole payload is already in one chunk; otherwise gather it.
      if (this.frameBuffer === null && this.frameRead === 0) {
        const view = this.queue.takeUpTo(remaining);
        if (view.length === remaining) {
          piece = view;
        } else {
          this.frameBuffer = Buffer.allocUnsafe(this.frameLength);
          piece = view;
        }
      } else {
        piece = this.queue.takeUpTo(remaining);
      }
      if (this.masked) applyMask(piece, maskBytes(this.maskKey), this.frameRead);
      // Text that is not compressed is checked as it arrives, so bad bytes fail fast.
      if (this.messageOpcode === Opcode.Text && !this.messageCompressed && !this.checkUtf8(piece))
        return false;
      if (this.frameBuffer !== null) piece.copy(this.frameBuffer, this.frameRead);
      this.frameRead += piece.length;
      if (this.frameRead < this.frameLength) return true;
    }

    const payload = this.frameBuffer ?? piece;
    this.frameBuffer = null;
    this.state = State.Header;
    // The common case, a whole message in one frame, skips the pieces list entirely.
    if (this.fin && this.pieces === null) return this.finishMessage(payload);
    if (payload !== null && payload.length > 0) {
      (this.pieces ??= []).push(payload);
      this.messageBytes += payload.length;
    }
    if (!this.fin) return true;
    return this.finishMessage(null);
  }

  private checkUtf8(piece: Buffer): boolean {
    // A single-frame message that arrived whole takes the native whole-buffer check.
    if (this.fin && this.fragments === 1 && piece.length === this.frameLength) {
      if (isValidUtf8(piece)) return true;
      return this.fail(CloseCode.InvalidPayload, 'invalid UTF-8 in text message');
    }
    if ((this.utf8 ??= new Utf8StreamValidator()).write(piece)) return true;
    return this.fail(CloseCode.InvalidPayload, 'invalid UTF-8 in text message');
  }

  /** `single`: the payload of a message that came in one frame (pieces were not used). */
  private finishMessage(single: Buffer | null): boolean {
    const pieces = this.pieces;
    const isBinary = this.messageOpcode === Opcode.Binary;
    const compressed = this.messageCompressed;
    const total = this.messageBytes;
    this.pieces = null;
    this.messageOpcode = 0;
    this.messageCompressed = false;
    this.messageBytes = 0;
    this.fragments = 0;

    if (compressed) {
      this.state = State.Inflating;
      const input = pieces ?? (single !== null && single.length > 0 ? [single] : NO_PIECES);
      this.deflate!.inflate(input, this.options.maxMessageBytes, (error, data) => {
        if (this.state !== State.Inflating) return;
        if (error !== null) return void this.fail(error.code, error.reason);
        if (!isBinary && !isValidUtf8(data!)) {
          return void this.fail(CloseCode.InvalidPayload, 'invalid UTF-8 in text message');
        }
        this.state = State.Header;
        this.handlers.onMessage(data!, isBinary);
        if (this.state === State.Header) this.parse();
      });
      return false;
    }

    if (this.utf8 !== null) {
      if (!isBinary && !this.utf8.isComplete()) {
        return this.fail(CloseCode.InvalidPayload, 'text message ends inside a UTF-8 sequence');
      }
      this.utf8.reset();
    }
    const data =
      pieces === null
        ? (single ?? EMPTY)
        : pieces.length === 1
          ? pieces[0]!
          : Buffer.concat(pieces, total);
    this.handlers.onMessage(data, isBinary);
    return this.state === State.Header;
  }

  private fail(code: number, reason: string): false {
    this.stop();
    this.handlers.onProtocolError(code, reason);
    return false;
  }
}
