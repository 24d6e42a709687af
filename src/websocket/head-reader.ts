// Collects the request head of each new socket, bounded in bytes and in time. The
// listeners are shared functions and one timer sweeps every socket still reading its
// head, so a handshake costs no closures and no timer of its own.
import type { Socket } from 'node:net';

export interface HeadReaderCallbacks {
  /** The head is complete: it ends at `headEnd` in `buffered` (bytes after it belong to the peer's next message). */
  onHead(socket: Socket, buffered: Buffer, headEnd: number): void;
  /** The head broke a limit: answer with this status. */
  onLimit(socket: Socket, status: 408 | 431): void;
}

const kPending = Symbol('ringside.pendingHead');

interface Pending {
  reader: HeadReader;
  /** The chunks so far, joined only once the head is complete (a head sent a byte at a time costs linear copying, not quadratic). */
  chunks: Buffer[];
  length: number;
  /** The last up to 3 bytes before the newest chunk, where a terminator may begin. */
  tail: Buffer;
  deadline: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const NO_BYTES = Buffer.alloc(0);

type PendingSocket = Socket & { [kPending]?: Pending };

function onData(this: PendingSocket, chunk: Buffer): void {
  const pending = this[kPending];
  if (pending) pending.reader.onData(this, pending, chunk);
}

function ignoreError(): void {}

function onGone(this: PendingSocket): void {
  const pending = this[kPending];
  if (pending) pending.reader.forget(this);
}

export class HeadReader {
  private readonly pending = new Set<PendingSocket>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly maxHeadBytes: number,
    private readonly timeoutMs: number,
    private readonly callbacks: HeadReaderCallbacks,
  ) {}

  /** Starts reading a new socket's head. */
  read(socket: Socket): void {
    const pendingSocket = socket as PendingSocket;
    pendingSocket[kPending] = {
      reader: this,
      chunks: [],
      length: 0,
      tail: NO_BYTES,
      deadline: Date.now() + this.timeoutMs,
    };
    this.pending.add(pendingSocket);
    socket.on('data', onData);
    socket.on('error', onGone);
    socket.on('close', onGone);
    this.sweeper ??= setInterval(
      () => this.sweep(),
      Math.min(1000, Math.max(10, this.timeoutMs / 4)),
    ).unref();
  }

  /** Every socket still reading its head (destroyed at shutdown). */
  get sockets(): Iterable<Socket> {
    return this.pending;
  }

  onData(socket: PendingSocket, pending: Pending, chunk: Buffer): void {
    const before = pending.length;
    pending.chunks.push(chunk);
    pending.length += chunk.length;
    // The terminator can only end in the new chunk: search it with the few bytes before it.
    const window = pending.tail.length === 0 ? chunk : Buffer.concat([pending.tail, chunk]);
    const at = window.indexOf(HEAD_END);
    if (at < 0) {
      if (pending.length > this.maxHeadBytes) {
        this.forget(socket);
        this.callbacks.onLimit(socket, 431);
        return;
      }
      pending.tail = window.subarray(Math.max(0, window.length - 3));
      return;
    }
    const headEnd = before - pending.tail.length + at + HEAD_END.length;
    this.forget(socket);
    if (headEnd > this.maxHeadBytes) {
      this.callbacks.onLimit(socket, 431);
      return;
    }
    const buffered =
      pending.chunks.length === 1 ? chunk : Buffer.concat(pending.chunks, pending.length);
    this.callbacks.onHead(socket, buffered, headEnd);
  }

  /** Stops reading: the socket is handed on, refused or gone. */
  forget(socket: PendingSocket): void {
    if (socket[kPending] === undefined) return;
    socket[kPending] = undefined;
    this.pending.delete(socket);
    socket.removeListener('data', onData);
    socket.removeListener('error', onGone);
    socket.removeListener('close', onGone);
    // Until the next owner listens, an error (a reset) must not throw.
    if (socket.listenerCount('error') === 0) socket.on('error', ignoreError);
  }

  private sweep(): void {
    const now = Date.now();
    for (const socket of this.pending) {
      if (socket[kPending]!.deadline <= now) {
        this.forget(socket);
        this.callbacks.onLimit(socket, 408);
      }
    }
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const socket of [...this.pending]) {
      this.forget(socket);
      socket.destroy();
    }
  }
}
