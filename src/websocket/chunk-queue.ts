// The bytes a socket has delivered and the parser has not consumed yet, kept as the
// list of chunks they arrived in: reading never copies unless a read spans chunks.

export class ChunkQueue {
  private chunks: Buffer[] = [];
  /** Read position inside chunks[0]. */
  private offset = 0;
  /** Unread bytes over all chunks. */
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The byte at position `i` past the read position (i < length). */
  peek(i: number): number {
    let index = 0;
    let at = this.offset + i;
    while (at >= this.chunks[index]!.length) {
      at -= this.chunks[index]!.length;
      index++;
    }
    return this.chunks[index]![at]!;
  }

  /** Reads `n` bytes as one buffer: a view into a chunk when it can, else a copy. */
  take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const piece = this.takeUpTo(n - filled);
      piece.copy(out, filled);
      filled += piece.length;
    }
    return out;
  }

  /** Reads at most `n` bytes from the first chunk, as a view (never copies). */
  takeUpTo(n: number): Buffer {
    const first = this.chunks[0]!;
    const available = first.length - this.offset;
    const size = available < n ? available : n;
    const out = first.subarray(this.offset, this.offset + size);
    this.advance(size);
    return out;
  }

  /** Drops `n` bytes. */
  skip(n: number): void {
    while (n > 0) n -= this.takeUpTo(n).length;
  }

  /** Everything unread, as one buffer; empties the queue. */
  drain(): Buffer {
    if (this.length === 0) return Buffer.alloc(0);
    const out = this.take(this.length);
    return out;
  }

  private advance(n: number): void {
    this.length -= n;
    this.offset += n;
    const first = this.chunks[0]!;
    if (this.offset === first.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
