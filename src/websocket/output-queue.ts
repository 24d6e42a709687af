// Per-connection output: frames written during one event-loop turn leave in a single
// socket write at the end of the turn (setImmediate), which matters more than anything
// else for fan-out. Frames whose bytes are not ready yet (being compressed) hold back
// everything queued after them, so order on the wire is the order of the calls.
import type { Socket } from 'node:net';

/** A place in the queue for bytes that are still being produced. */
export interface PendingSlot {
  frame: Buffer | null;
  /** Set when the bytes will never come (compression failed, connection closing). */
  cancelled: boolean;
}

export interface Flushable {
  flush(): void;
}

// Below this many queued bytes a turn's frames are copied into one buffer; above it
// they go out as a writev (cork/uncork) without copying.
const COALESCE_COPY_LIMIT = 32 * 1024;

let dirty: Flushable[] = [];
let flushScheduled = false;

function flushAll(): void {
  flushScheduled = false;
  const list = dirty;
  dirty = [];
  for (let i = 0; i < list.length; i++) list[i]!.flush();
}

function schedule(target: Flushable): void {
  dirty.push(target);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAll);
  }
}

export class OutputQueue implements Flushable {
  private frames: Buffer[] = [];
  private bytes = 0;
  private scheduled = false;
  /** Frames waiting behind an unfilled slot; null when nothing is held back. */
  private held: Array<Buffer | PendingSlot> | null = null;
  private heldBytes = 0;
  private closed = false;

  constructor(private readonly socket: Socket) {}

  /** Bytes accepted but not yet handed to the kernel. */
  get queuedBytes(): number {
    return this.bytes + this.heldBytes + this.socket.writableLength;
  }

  write(frame: Buffer): void {
    if (this.closed) return;
    if (this.held !== null) {
      this.held.push(frame);
      this.heldBytes += frame.length;
      return;
    }
    this.enqueue(frame);
  }

  private enqueue(frame: Buffer): void {
    this.frames.push(frame);
    this.bytes += frame.length;
    if (!this.scheduled) {
      this.scheduled = true;
      schedule(this);
    }
  }

  /** Reserves the next place in the queue; fill it with `fill`. */
  reserve(): PendingSlot {
    const slot: PendingSlot = { frame: null, cancelled: false };
    if (this.held === null) this.held = [];
    this.held.push(slot);
    return slot;
  }

  fill(slot: PendingSlot, frame: Buffer | null): void {
    if (frame === null) slot.cancelled = true;
    else slot.frame = frame;
    this.release();
  }

  /** Moves every frame that no longer waits on a slot into the outgoing batch. */
  private release(): void {
    const held = this.held;
    if (held === null) return;
    let i = 0;
    const ready: Buffer[] = [];
    for (; i < held.length; i++) {
      const item = held[i]!;
      if (Buffer.isBuffer(item)) {
        this.heldBytes -= item.length;
        ready.push(item);
      } else if (item.frame !== null) {
        ready.push(item.frame);
      } else if (!item.cancelled) {
        break;
      }
    }
    this.held = i === held.length ? null : held.slice(i);
    for (const frame of ready) this.enqueue(frame);
  }

  /** Writes the batch now. */
  flush(): void {
    this.scheduled = false;
    const count = this.frames.length;
    if (count === 0 || this.closed) return;
    const socket = this.socket;
    if (socket.writableEnded || socket.destroyed) {
      // The peer went away (or we ended) after these were queued: nothing to write to.
      this.discard();
      return;
    }
    if (count === 1) {
      socket.write(this.frames[0]!);
    } else if (this.bytes <= COALESCE_COPY_LIMIT) {
      socket.write(Buffer.concat(this.frames, this.bytes));
    } else {
      socket.cork();
      for (let i = 0; i < count; i++) socket.write(this.frames[i]!);
      socket.uncork();
    }
    this.frames = [];
    this.bytes = 0;
  }

  /** Drops everything not yet written and ignores later writes. */
  discard(): void {
    this.closed = true;
    this.frames = [];
    this.bytes = 0;
    this.held = null;
    this.heldBytes = 0;
  }
}
