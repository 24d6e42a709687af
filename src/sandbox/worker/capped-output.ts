// Collects one output stream of a run (stdout or stderr) up to a byte limit.
// Past the limit the rest is dropped, a marker is appended and `onOverflow`
// fires once so the runtime can stop the program.

export const TRUNCATION_MARKER = (limit: number): string =>
  `\n[output truncated: limit of ${limit} bytes reached]\n`;

export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  truncated = false;

  constructor(
    private readonly limitBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  writeBytes(data: Uint8Array): void {
    if (this.truncated) return;
    const room = this.limitBytes - this.bytes;
    if (data.length <= room) {
      // Copy: Pyodide hands us a view into the wasm heap, which changes later.
      this.chunks.push(Buffer.from(data));
      this.bytes += data.length;
      return;
    }
    if (room > 0) this.chunks.push(Buffer.from(data.subarray(0, room)));
    this.bytes = this.limitBytes;
    this.truncated = true;
    this.onOverflow();
  }

  writeString(text: string): void {
    if (this.truncated) return;
    this.writeBytes(Buffer.from(text, 'utf8'));
  }

  text(): string {
    // A multi-byte character cut at the limit decodes to U+FFFD; that is fine.
    const body = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? body + TRUNCATION_MARKER(this.limitBytes) : body;
  }
}
