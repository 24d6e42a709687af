// The last bytes a peer's messages inflated to, as an LZ77 window. A peer may end a
// message with a BFINAL block (RFC 7692 section 7.2.3.4); zlib's stream is then over,
// but with context takeover the peer's next message may still refer back into what came
// before, so the next inflater starts with this window as its dictionary.
export class WindowHistory {
  /** Made for the first message: a connection that never inflates carries nothing. */
  private ring: Buffer | null = null;
  /** Where the next byte goes. */
  private end = 0;
  private full = false;

  constructor(private readonly size: number) {}

  append(data: Buffer): void {
    const size = this.size;
    if (data.length >= size) {
      this.ring ??= Buffer.allocUnsafe(size);
      data.copy(this.ring, 0, data.length - size);
      this.end = 0;
      this.full = true;
      return;
    }
    const ring = (this.ring ??= Buffer.allocUnsafe(size));
    const first = Math.min(data.length, size - this.end);
    data.copy(ring, this.end, 0, first);
    if (first < data.length) {
      data.copy(ring, 0, first);
      this.end = data.length - first;
      this.full = true;
    } else {
      this.end += first;
      if (this.end === size) {
        this.end = 0;
        this.full = true;
      }
    }
  }

  /** The window, oldest byte first (a copy). */
  contents(): Buffer {
    const ring = this.ring;
    if (ring === null) return Buffer.alloc(0);
    if (!this.full) return Buffer.from(ring.subarray(0, this.end));
    return Buffer.concat([ring.subarray(this.end), ring.subarray(0, this.end)]);
  }
}
