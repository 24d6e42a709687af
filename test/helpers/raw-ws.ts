// A raw WebSocket test client on node:net only: it writes the handshake and every frame
// byte by byte as a test asks (bad bits, non-minimal lengths, chosen TCP chunks) and reads
// the server's frames with a strict incremental parser, so conformance tests see exactly
// what the server put on the wire. No WebSocket library is involved on purpose.
import net from 'node:net';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';

export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const Op = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

export type Bytes = Buffer | Uint8Array | string;

export function toBuf(b: Bytes | undefined): Buffer {
  if (b === undefined) return Buffer.alloc(0);
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** The Sec-WebSocket-Accept value RFC 6455 section 4.2.2 derives from a key. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

/** Valid close codes a peer may send (RFC 6455 7.4 and the IANA registry). */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

export function isValidUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Frame encoding
// ---------------------------------------------------------------------------------------

export interface FrameSpec {
  fin?: boolean; // default true
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  opcode: number;
  payload?: Bytes;
  mask?: boolean; // default true (clients must mask)
  maskKey?: Buffer; // default: 4 random bytes
  /** Force a length form; '16' and '64' for short payloads are non-minimal but legal. */
  lengthEncoding?: '7' | '16' | '64';
}

export interface HeaderSpec extends Omit<FrameSpec, 'payload'> {
  /** The length the header announces (may differ from what is ever sent). */
  length: number | bigint;
}

export function maskBytes(data: Buffer, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  const n = data.length;
  const k0 = key[0]!,
    k1 = key[1]!,
    k2 = key[2]!,
    k3 = key[3]!;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    out[i] = data[i]! ^ k0;
    out[i + 1] = data[i + 1]! ^ k1;
    out[i + 2] = data[i + 2]! ^ k2;
    out[i + 3] = data[i + 3]! ^ k3;
  }
  for (; i < n; i++) out[i] = data[i]! ^ key[i & 3]!;
  return out;
}

/** Frame header bytes (first two bytes, extended length, mask key when masked). */
export function encodeHeader(spec: HeaderSpec): { header: Buffer; maskKey: Buffer | null } {
  const len = BigInt(spec.length);
  const enc = spec.lengthEncoding ?? (len <= 125n ? '7' : len <= 0xffffn ? '16' : '64');
  if (enc === '7' && len > 125n) throw new Error(`length ${len} does not fit the 7-bit form`);
  if (enc === '16' && len > 0xffffn) throw new Error(`length ${len} does not fit the 16-bit form`);
  const masked = spec.mask ?? true;
  const maskKey = masked ? (spec.maskKey ?? randomBytes(4)) : null;
  const extLen = enc === '7' ? 0 : enc === '16' ? 2 : 8;
  const header = Buffer.alloc(2 + extLen + (maskKey ? 4 : 0));
  header[0] =
    ((spec.fin ?? true) ? 0x80 : 0) |
    (spec.rsv1 ? 0x40 : 0) |
    (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) |
    (spec.opcode & 0x0f);
  const len7 = enc === '7' ? Number(len) : enc === '16' ? 126 : 127;
  header[1] = (masked ? 0x80 : 0) | len7;
  if (enc === '16') header.writeUInt16BE(Number(len), 2);
  if (enc === '64') header.writeBigUInt64BE(len, 2);
  if (maskKey) maskKey.copy(header, 2 + extLen);
  return { header, maskKey };
}

export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = toBuf(spec.payload);
  const { header, maskKey } = encodeHeader({ ...spec, length: payload.length });
  return Buffer.concat([header, maskKey ? maskBytes(payload, maskKey) : payload]);
}

/** Close frame body: 2-byte code plus an optional reason; no code means an empty body. */
export function closePayload(code?: number, reason?: Bytes): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code, 0);
  return Buffer.concat([b, toBuf(reason)]);
}

/** Splits a buffer into pieces: a fixed size, a repeating list of sizes, or random sizes 1..max. */
export function splitChunks(
  buf: Buffer,
  sizes: number | number[] | { randomMax: number; seed?: number },
): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  let k = 0;
  let seed = typeof sizes === 'object' && !Array.isArray(sizes) ? (sizes.seed ?? 12345) : 0;
  while (i < buf.length) {
    let n: number;
    if (typeof sizes === 'number') n = sizes;
    else if (Array.isArray(sizes)) n = sizes[k++ % sizes.length]!;
    else {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      n = 1 + (seed % sizes.randomMax);
    }
    out.push(buf.subarray(i, i + Math.max(1, n)));
    i += Math.max(1, n);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// permessage-deflate (RFC 7692) on node:zlib, synchronous so tests stay simple.
// Context takeover is modelled with a preset dictionary: the last window of everything the
// peer's compressor has seen is exactly the LZ77 window a takeover stream may refer to.
// ---------------------------------------------------------------------------------------

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
}

/** Raw DEFLATE with Z_SYNC_FLUSH and the trailing 00 00 ff ff removed (RFC 7692 7.2.1). */
export function pmdCompress(
  data: Buffer,
  opts: { windowBits?: number; dictionary?: Buffer } = {},
): Buffer {
  const windowBits = Math.max(9, opts.windowBits ?? 15); // zlib cannot write a window-8 raw stream
  const zopts: zlib.ZlibOptions = { finishFlush: zlib.constants.Z_SYNC_FLUSH, windowBits };
  if (opts.dictionary && opts.dictionary.length > 0) zopts.dictionary = opts.dictionary;
  const out = zlib.deflateRawSync(data, zopts);
  assert.ok(out.subarray(-4).equals(TAIL), 'sync flush must end in 00 00 ff ff');
  return out.subarray(0, out.length - 4);
}

/** Appends 00 00 ff ff and inflates (RFC 7692 7.2.2). Throws on invalid data or a too-far distance. */
export function pmdDecompress(
  data: Buffer,
  opts: { windowBits?: number; dictionary?: Buffer; maxOutputLength?: number } = {},
): Buffer {
  const zopts: zlib.ZlibOptions = {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    windowBits: opts.windowBits ?? 15,
    maxOutputLength: opts.maxOutputLength ?? 64 * 1024 * 1024,
  };
  if (opts.dictionary && opts.dictionary.length > 0) zopts.dictionary = opts.dictionary;
  return zlib.inflateRawSync(Buffer.concat([data, TAIL]), zopts);
}

function windowTail(history: Buffer, add: Buffer, bits: number): Buffer {
  const size = 1 << bits;
  const all =
    history.length + add.length <= size
      ? Buffer.concat([history, add])
      : Buffer.concat([history, add]).subarray(-size);
  return Buffer.from(all);
}

/** One side's compression state for a negotiated permessage-deflate. */
export class PmdContext {
  private clientHistory: Buffer = Buffer.alloc(0);
  private serverHistory: Buffer = Buffer.alloc(0);
  constructor(readonly params: DeflateParams) {}

  get clientWindowBits(): number {
    return this.params.clientMaxWindowBits ?? 15;
  }
  get serverWindowBits(): number {
    return this.params.serverMaxWindowBits ?? 15;
  }

  /** Compresses a client message, with context takeover unless client_no_context_takeover. */
  compress(data: Buffer, opts: { takeover?: boolean } = {}): Buffer {
    const takeover = opts.takeover ?? !this.params.clientNoContextTakeover;
    const bits = Math.max(9, this.clientWindowBits);
    const out = pmdCompress(data, {
      windowBits: bits,
      dictionary: takeover ? this.clientHistory : undefined,
    });
    this.clientHistory = takeover ? windowTail(this.clientHistory, data, bits) : Buffer.alloc(0);
    return out;
  }

  /**
   * Inflates a server message. With server_no_context_takeover the server must not refer to
   * earlier messages, so no dictionary is given and such a reference fails to inflate.
   */
  decompress(data: Buffer): Buffer {
    const takeover = !this.params.serverNoContextTakeover;
    const bits = this.serverWindowBits;
    const out = pmdDecompress(data, {
      windowBits: Math.max(9, bits),
      dictionary: takeover ? this.serverHistory.subarray(-(1 << bits)) : undefined,
    });
    if (takeover) this.serverHistory = windowTail(this.serverHistory, out, 15);
    return out;
  }
}

export interface ExtensionOffer {
  name: string;
  params: Array<[string, string | true]>;
}

/** Parses a Sec-WebSocket-Extensions value (token params, optional quoted values). */
export function parseExtensions(value: string): ExtensionOffer[] {
  const out: ExtensionOffer[] = [];
  for (const part of value.split(',')) {
    const items = part.split(';').map((s) => s.trim());
    const name = items.shift();
    if (!name) throw new Error(`empty extension in ${JSON.stringify(value)}`);
    const params: Array<[string, string | true]> = [];
    for (const item of items) {
      if (item === '') throw new Error(`empty parameter in ${JSON.stringify(value)}`);
      const eq = item.indexOf('=');
      if (eq < 0) params.push([item, true]);
      else
        params.push([
          item.slice(0, eq).trim(),
          item
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1'),
        ]);
    }
    out.push({ name, params });
  }
  return out;
}

/** Turns a server's permessage-deflate response into params; throws on anything RFC 7692 forbids. */
export function deflateParamsFromResponse(ext: ExtensionOffer): DeflateParams {
  assert.equal(ext.name, 'permessage-deflate', `unexpected extension ${ext.name}`);
  const p: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false };
  const seen = new Set<string>();
  for (const [k, v] of ext.params) {
    assert.ok(!seen.has(k), `duplicate parameter ${k} in the response`);
    seen.add(k);
    if (k === 'server_no_context_takeover' || k === 'client_no_context_takeover') {
      assert.equal(v, true, `${k} takes no value in the response`);
      if (k === 'server_no_context_takeover') p.serverNoContextTakeover = true;
      else p.clientNoContextTakeover = true;
    } else if (k === 'server_max_window_bits' || k === 'client_max_window_bits') {
      assert.ok(
        typeof v === 'string' && /^[1-9][0-9]?$/.test(v),
        `${k} needs a value in the response, got ${String(v)}`,
      );
      const n = Number(v);
      assert.ok(n >= 8 && n <= 15, `${k}=${n} out of range`);
      if (k === 'server_max_window_bits') p.serverMaxWindowBits = n;
      else p.clientMaxWindowBits = n;
    } else {
      assert.fail(`unknown permessage-deflate response parameter ${k}`);
    }
  }
  return p;
}

// ---------------------------------------------------------------------------------------
// Frame parsing (server -> client), strict
// ---------------------------------------------------------------------------------------

export interface ServerFrame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

export interface ServerMessage {
  opcode: number;
  data: Buffer;
  compressed: boolean;
  frames: number;
}

class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }
  /** First n bytes without consuming them (n <= length). */
  peek(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    for (const c of this.chunks) {
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (off === n) break;
    }
    return out;
  }
  take(n: number): Buffer {
    // Socket chunks are never reused by node, so a view into one is safe to hand out.
    const out = this.peek(n);
    let left = n;
    while (left > 0) {
      const c = this.chunks[0]!;
      if (c.length <= left) {
        this.chunks.shift();
        left -= c.length;
      } else {
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    this.length -= n;
    return out;
  }
}

/**
 * Incremental parser of server frames that also checks what a server must never do:
 * mask, set RSV2/RSV3, set RSV1 unless permessage-deflate is on and the frame starts a data
 * message, use reserved opcodes, fragment or oversize a control frame, break continuation
 * order, send a malformed close body, or send anything after its close frame.
 */
export class ServerFrameReader {
  private q = new ByteQueue();
  private inMessage = false;
  private closeSeen = false;
  readonly violations: string[] = [];
  constructor(public deflate = false) {}

  push(chunk: Buffer): ServerFrame[] {
    this.q.push(chunk);
    const out: ServerFrame[] = [];
    for (;;) {
      if (this.q.length < 2) break;
      const h = this.q.peek(2);
      const len7 = h[1]! & 0x7f;
      const masked = (h[1]! & 0x80) !== 0;
      const extLen = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      const headLen = 2 + extLen + (masked ? 4 : 0);
      if (this.q.length < headLen) break;
      const head = this.q.peek(headLen);
      let len: number;
      if (len7 === 126) len = head.readUInt16BE(2);
      else if (len7 === 127) {
        const big = head.readBigUInt64BE(2);
        if (big > 1n << 31n) {
          this.violations.push(`server frame announces ${big} bytes`);
          break;
        }
        len = Number(big);
      } else len = len7;
      if (this.q.length < headLen + len) break;
      this.q.take(headLen);
      let payload = this.q.take(len);
      if (masked) payload = maskBytes(payload, head.subarray(2 + extLen, 2 + extLen + 4));
      const f: ServerFrame = {
        fin: (h[0]! & 0x80) !== 0,
        rsv1: (h[0]! & 0x40) !== 0,
        rsv2: (h[0]! & 0x20) !== 0,
        rsv3: (h[0]! & 0x10) !== 0,
        opcode: h[0]! & 0x0f,
        masked,
        payload,
      };
      this.check(f);
      out.push(f);
    }
    return out;
  }

  private check(f: ServerFrame): void {
    const v = (msg: string) =>
      this.violations.push(`${msg} (opcode ${f.opcode}, ${f.payload.length} bytes)`);
    if (this.closeSeen) v('server sent a frame after its close frame');
    if (f.masked) v('server frame is masked');
    if (f.rsv2 || f.rsv3) v('server frame has RSV2/RSV3 set');
    const control = f.opcode >= 8;
    if (![0, 1, 2, 8, 9, 10].includes(f.opcode)) v('server frame uses a reserved opcode');
    if (control) {
      if (!f.fin) v('server control frame is fragmented');
      if (f.payload.length > 125) v('server control frame payload > 125');
      if (f.rsv1) v('server control frame has RSV1');
    } else if (f.opcode === 0) {
      if (!this.inMessage) v('server continuation frame without a message');
      if (f.rsv1) v('server continuation frame has RSV1');
    } else {
      if (this.inMessage) v('server started a new message inside a fragmented one');
      if (f.rsv1 && !this.deflate) v('server frame has RSV1 without permessage-deflate');
    }
    if (!control) this.inMessage = !f.fin;
    if (f.opcode === Op.CLOSE) {
      this.closeSeen = true;
      if (f.payload.length === 1) v('server close body of 1 byte');
      if (f.payload.length >= 2) {
        const code = f.payload.readUInt16BE(0);
        if (!isValidCloseCode(code)) v(`server close code ${code} is not valid on the wire`);
        if (!isValidUtf8(f.payload.subarray(2))) v('server close reason is not UTF-8');
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------

export interface HandshakeRequestOptions {
  method?: string;
  path?: string;
  version?: string; // e.g. 'HTTP/1.1'
  host?: string;
  key?: string;
  /** Extra or replacing headers; null removes a default header. Names keep their case. */
  headers?: Record<string, string | null>;
  extensions?: string;
}

/** A handshake request head as text; defaults are a valid RFC 6455 upgrade to /echo. */
export function buildHandshakeRequest(opts: HandshakeRequestOptions = {}): {
  text: string;
  key: string;
} {
  const key = opts.key ?? randomBytes(16).toString('base64');
  const defaults: Array<[string, string]> = [
    ['Host', opts.host ?? '127.0.0.1'],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (opts.extensions !== undefined) defaults.push(['Sec-WebSocket-Extensions', opts.extensions]);
  const lower = new Map(
    Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), [k, v] as const]),
  );
  const lines: string[] = [
    `${opts.method ?? 'GET'} ${opts.path ?? '/echo'} ${opts.version ?? 'HTTP/1.1'}`,
  ];
  for (const [k, v] of defaults) {
    const o = lower.get(k.toLowerCase());
    if (o) {
      lower.delete(k.toLowerCase());
      if (o[1] !== null) lines.push(`${o[0]}: ${o[1]}`);
    } else lines.push(`${k}: ${v}`);
  }
  for (const [, [k, v]] of lower) if (v !== null) lines.push(`${k}: ${v}`);
  return { text: lines.join('\r\n') + '\r\n\r\n', key };
}

export interface HttpHead {
  statusLine: string;
  status: number;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
}

export function parseHttpHead(text: string): HttpHead {
  const lines = text.split('\r\n');
  const statusLine = lines.shift() ?? '';
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (!m) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    if (line === '') continue;
    const i = line.indexOf(':');
    if (i <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`);
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  }
  return { statusLine, status: Number(m[1]), headers };
}

export function headerHasToken(value: string | undefined, token: string): boolean {
  if (!value) return false;
  return value.split(',').some((t) => t.trim().toLowerCase() === token.toLowerCase());
}

export interface ConnectOptions extends HandshakeRequestOptions {
  timeoutMs?: number;
}

export interface CloseResult {
  code: number | null;
  reason: Buffer;
  /** How the server ended TCP after the closing handshake. */
  tcp: 'end' | 'reset';
  tcpMs: number;
}

type Waiter = () => void;

const openClients = new Set<RawWs>();

/** Destroys every client still open (call from afterEach so a failed test leaks nothing). */
export function destroyAllClients(): void {
  for (const c of openClients) c.destroy();
  openClients.clear();
}

export class RawWs {
  readonly reader: ServerFrameReader;
  readonly frames: ServerFrame[] = [];
  /** Set when the server half-closed (FIN) or reset the TCP connection. */
  serverClosed: 'end' | 'reset' | null = null;
  serverClosedAt = 0;
  socketError: Error | null = null;
  pmd: PmdContext | null = null;
  private waiters: Waiter[] = [];

  constructor(
    readonly socket: net.Socket,
    readonly head: HttpHead,
    leftover: Buffer,
    deflate: DeflateParams | null,
  ) {
    openClients.add(this);
    this.pmd = deflate ? new PmdContext(deflate) : null;
    this.reader = new ServerFrameReader(deflate !== null);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('end', () => this.onServerClosed('end'));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.socketError = e;
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') this.onServerClosed('reset');
      this.wake();
    });
    socket.on('close', () => {
      openClients.delete(this);
      this.wake();
    });
    if (leftover.length) this.onData(leftover);
  }

  private onData(d: Buffer): void {
    for (const f of this.reader.push(d)) this.frames.push(f);
    this.wake();
  }
  private onServerClosed(how: 'end' | 'reset'): void {
    if (!this.serverClosed) {
      this.serverClosed = how;
      this.serverClosedAt = Date.now();
    }
    this.wake();
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  private waitChange(deadline: number): Promise<boolean> {
    const ms = deadline - Date.now();
    if (ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }
  private throwIfViolation(): void {
    if (this.reader.violations.length)
      throw new Error(`server broke RFC 6455: ${this.reader.violations.join('; ')}`);
  }

  get negotiatedExtensions(): string | undefined {
    return this.head.headers['sec-websocket-extensions'];
  }

  // ---- sending ----

  sendRaw(buf: Bytes): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(toBuf(buf));
  }

  sendFrame(spec: FrameSpec): void {
    this.sendRaw(encodeFrame(spec));
  }

  /** Writes bytes in pieces, with a pause after each piece when delayMs > 0 (Nagle is off). */
  async sendChunked(
    buf: Bytes,
    sizes: number | number[] | { randomMax: number; seed?: number },
    delayMs = 0,
  ): Promise<void> {
    for (const piece of splitChunks(toBuf(buf), sizes)) {
      if (this.socket.destroyed || !this.socket.writable) return;
      this.socket.write(piece);
      if (delayMs > 0) await sleep(delayMs);
    }
  }

  /** Resolves once everything written so far has been handed to the kernel. */
  flushed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || !this.socket.writable) return resolve();
      this.socket.write(Buffer.alloc(0), () => resolve());
    });
  }

  /** Frames (not yet written) for one message: optionally compressed and/or fragmented. */
  messageFrames(
    opcode: number,
    data: Bytes,
    opts: {
      fragments?: number[] | number;
      compress?: boolean;
      takeover?: boolean;
      lengthEncoding?: '7' | '16' | '64';
    } = {},
  ): Buffer {
    let body = toBuf(data);
    const compress = opts.compress ?? false;
    if (compress) {
      assert.ok(this.pmd, 'compress requested without negotiated permessage-deflate');
      body = this.pmd.compress(
        body,
        opts.takeover === undefined ? {} : { takeover: opts.takeover },
      );
    }
    const parts = opts.fragments === undefined ? [body] : splitAt(body, opts.fragments);
    return Buffer.concat(
      parts.map((p, i) =>
        encodeFrame({
          opcode: i === 0 ? opcode : Op.CONTINUATION,
          fin: i === parts.length - 1,
          rsv1: compress && i === 0,
          payload: p,
          ...(opts.lengthEncoding ? { lengthEncoding: opts.lengthEncoding } : {}),
        }),
      ),
    );
  }

  sendMessage(opcode: number, data: Bytes, opts: Parameters<RawWs['messageFrames']>[2] = {}): void {
    this.sendRaw(this.messageFrames(opcode, data, opts));
  }

  sendClose(code?: number, reason?: Bytes): void {
    this.sendFrame({ opcode: Op.CLOSE, payload: closePayload(code, reason) });
  }

  // ---- receiving ----

  /** The next server frame; rejects on timeout, on a protocol violation, or if TCP closed. */
  async nextFrame(timeoutMs = 2000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.throwIfViolation();
      const f = this.frames.shift();
      if (f) return f;
      if (this.serverClosed || this.socket.destroyed)
        throw new Error(
          `connection closed (${this.serverClosed ?? 'destroyed'}) while waiting for a frame`,
        );
      if (!(await this.waitChange(deadline)))
        throw new Error(`no frame from the server within ${timeoutMs} ms`);
    }
  }

  /** Yields server frames until the connection closes or none arrives within timeoutMs. */
  async *framesUntilClosed(timeoutMs = 2000): AsyncGenerator<ServerFrame> {
    for (;;) {
      if (this.frames.length === 0 && (this.serverClosed || this.socket.destroyed)) return;
      yield await this.nextFrame(timeoutMs);
    }
  }

  /** The next data message, reassembled and inflated; any control frame in between fails. */
  async nextMessage(timeoutMs = 2000): Promise<ServerMessage> {
    const first = await this.nextFrame(timeoutMs);
    assert.ok(
      first.opcode === Op.TEXT || first.opcode === Op.BINARY,
      `expected a data message, got opcode ${first.opcode} ${describePayload(first.payload)}`,
    );
    const parts = [first.payload];
    let last = first;
    let frames = 1;
    while (!last.fin) {
      last = await this.nextFrame(timeoutMs);
      frames++;
      assert.equal(
        last.opcode,
        Op.CONTINUATION,
        `expected a continuation, got opcode ${last.opcode}`,
      );
      parts.push(last.payload);
    }
    let data: Buffer = Buffer.concat(parts);
    if (first.rsv1) {
      assert.ok(this.pmd, 'compressed message without permessage-deflate');
      data = this.pmd.decompress(data);
    }
    return { opcode: first.opcode, data, compressed: first.rsv1, frames };
  }

  /** Asserts the next message is exactly `data` with `opcode`. */
  async expectMessage(opcode: number, data: Bytes, timeoutMs = 2000): Promise<ServerMessage> {
    const m = await this.nextMessage(timeoutMs);
    assert.equal(m.opcode, opcode, `echo opcode ${m.opcode}, expected ${opcode}`);
    assertSameBytes(m.data, toBuf(data), 'echoed payload');
    return m;
  }

  async expectPong(payload: Bytes, timeoutMs = 2000): Promise<void> {
    const f = await this.nextFrame(timeoutMs);
    assert.equal(f.opcode, Op.PONG, `expected a pong, got opcode ${f.opcode}`);
    assertSameBytes(f.payload, toBuf(payload), 'pong payload');
  }

  /**
   * Asserts the next frame is a close with `code` (null: an empty close body), answers it
   * with a close frame (unless reply is false) and asserts the server then closes TCP with a
   * FIN (a reset only with allowReset).
   */
  async expectClose(
    code: number | null,
    opts: { reply?: boolean; timeoutMs?: number; tcpTimeoutMs?: number; allowReset?: boolean } = {},
  ): Promise<CloseResult> {
    const f = await this.nextFrame(opts.timeoutMs ?? 2000);
    assert.equal(
      f.opcode,
      Op.CLOSE,
      `expected a close frame (${code}), got opcode ${f.opcode} ${describePayload(f.payload)}`,
    );
    const got = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null;
    const reason = f.payload.subarray(2);
    assert.equal(
      got,
      code,
      `close code ${got} (reason ${JSON.stringify(reason.toString())}), expected ${code}`,
    );
    const closeFrameAt = Date.now();
    if (opts.reply ?? true) this.sendClose(code ?? undefined);
    const tcp = await this.waitServerClose(opts.tcpTimeoutMs ?? 2500);
    this.throwIfViolation();
    // A reset is only excusable when the test left bytes the server had no reason to read.
    if (!opts.allowReset)
      assert.equal(
        tcp,
        'end',
        `server reset TCP (${this.socketError?.message}) instead of closing it`,
      );
    assert.equal(this.frames.length, 0, 'frames after the close frame');
    return { code: got, reason, tcp, tcpMs: this.serverClosedAt - closeFrameAt };
  }

  /** Resolves with how the server closed TCP; rejects if it did not within timeoutMs. */
  async waitServerClose(timeoutMs = 2500): Promise<'end' | 'reset'> {
    const deadline = Date.now() + timeoutMs;
    while (!this.serverClosed) {
      if (this.socket.destroyed)
        throw new Error('socket destroyed locally before the server closed it');
      if (!(await this.waitChange(deadline)))
        throw new Error(`server did not close TCP within ${timeoutMs} ms`);
    }
    return this.serverClosed;
  }

  /** Asserts nothing arrives (and TCP stays open) for ms. */
  async expectNothing(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      this.throwIfViolation();
      if (this.frames.length) {
        const f = this.frames[0]!;
        assert.fail(`unexpected frame opcode ${f.opcode} ${describePayload(f.payload)}`);
      }
      assert.equal(this.serverClosed, null, 'server closed the connection unexpectedly');
      await this.waitChange(deadline);
    }
    this.throwIfViolation();
    assert.equal(this.frames.length, 0, 'unexpected frame');
  }

  /** Closing handshake from the client side with 1000; asserts the echo and TCP close. */
  async closeNormally(): Promise<CloseResult> {
    this.sendClose(1000);
    return this.expectClose(1000, { reply: false });
  }

  destroy(): void {
    this.socket.destroy();
    openClients.delete(this);
  }
}

function splitAt(buf: Buffer, fragments: number[] | number): Buffer[] {
  if (typeof fragments === 'number') {
    // n fragments of (nearly) equal size; at least one, even for an empty body.
    const n = Math.max(1, fragments);
    const size = Math.ceil(buf.length / n);
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++)
      out.push(buf.subarray(Math.min(buf.length, i * size), Math.min(buf.length, (i + 1) * size)));
    return out;
  }
  const out: Buffer[] = [];
  let off = 0;
  for (const n of fragments) {
    out.push(buf.subarray(off, off + n));
    off += n;
  }
  if (off < buf.length || out.length === 0) out.push(buf.subarray(off));
  return out;
}

export function describePayload(b: Buffer): string {
  const hex = b.subarray(0, 24).toString('hex');
  return `[${b.length} bytes: ${hex}${b.length > 24 ? '...' : ''}]`;
}

/** Byte equality with a readable message (never dumps megabytes). */
export function assertSameBytes(actual: Buffer, expected: Buffer, what: string): void {
  if (actual.equals(expected)) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  assert.fail(
    `${what} differs: got ${actual.length} bytes, expected ${expected.length}; first difference at ${i}: ` +
      `got ${describePayload(actual.subarray(i))} expected ${describePayload(expected.subarray(i))}`,
  );
}

function parseUrl(url: string): { host: string; port: number; path: string } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 80), path: (u.pathname || '/') + u.search };
}

/**
 * Opens TCP, writes the handshake (optionally one byte at a time), checks the 101 response
 * strictly (Upgrade, Connection, Sec-WebSocket-Accept) and returns the client.
 */
export async function connect(
  url: string,
  opts: ConnectOptions & { headChunkDelayMs?: number } = {},
): Promise<RawWs> {
  const { host, port, path } = parseUrl(url);
  const { text, key } = buildHandshakeRequest({ path, host: `${host}:${port}`, ...opts });
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  const timeoutMs = opts.timeoutMs ?? 3000;
  try {
    const { head, rest } = await new Promise<{ head: string; rest: Buffer }>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const timer = setTimeout(
        () => reject(new Error(`no handshake response within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const i = buf.indexOf('\r\n\r\n');
        if (i >= 0) {
          cleanup();
          resolve({ head: buf.subarray(0, i).toString('latin1'), rest: buf.subarray(i + 4) });
        }
      };
      const onEnd = () => {
        cleanup();
        reject(
          new Error(
            `server closed during the handshake: ${JSON.stringify(buf.toString('latin1'))}`,
          ),
        );
      };
      const onError = (e: Error) => {
        cleanup();
        reject(e);
      };
      const cleanup = () => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('error', onError);
      };
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('error', onError);
      socket.once('connect', () => {
        if (opts.headChunkDelayMs) {
          void (async () => {
            for (const b of Buffer.from(text, 'latin1')) {
              if (socket.destroyed) return;
              socket.write(Buffer.from([b]));
              await sleep(opts.headChunkDelayMs);
            }
          })();
        } else socket.write(text, 'latin1');
      });
    });
    const parsed = parseHttpHead(head);
    assert.equal(parsed.status, 101, `handshake answered ${parsed.statusLine}`);
    assert.ok(
      headerHasToken(parsed.headers['upgrade'], 'websocket'),
      `Upgrade: ${parsed.headers['upgrade']}`,
    );
    assert.ok(
      headerHasToken(parsed.headers['connection'], 'upgrade'),
      `Connection: ${parsed.headers['connection']}`,
    );
    assert.equal(parsed.headers['sec-websocket-accept'], acceptFor(key), 'Sec-WebSocket-Accept');
    let deflate: DeflateParams | null = null;
    const ext = parsed.headers['sec-websocket-extensions'];
    if (ext !== undefined) {
      assert.ok(
        opts.extensions !== undefined,
        `server sent Sec-WebSocket-Extensions unasked: ${ext}`,
      );
      const list = parseExtensions(ext);
      assert.equal(list.length, 1, `server accepted ${list.length} extensions: ${ext}`);
      deflate = deflateParamsFromResponse(list[0]!);
    }
    return new RawWs(socket, parsed, rest, deflate);
  } catch (e) {
    socket.destroy();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// Raw HTTP exchanges (handshake rejections, health checks)
// ---------------------------------------------------------------------------------------

export interface HttpExchange extends HttpHead {
  body: string;
  /** True if the server closed TCP (FIN or reset) within waitCloseMs after the response. */
  closedByServer: boolean;
  /** Milliseconds from the first byte sent to the end of the response head. */
  responseMs: number;
  raw: Buffer;
}

/**
 * Sends raw request bytes (optionally in chunks with a pause between them) and reads one
 * HTTP response (Content-Length or chunked body), then waits up to waitCloseMs for the
 * server to close TCP. Rejects if no complete response arrives within timeoutMs.
 */
export async function httpExchange(
  port: number,
  request: Bytes | Bytes[],
  opts: { chunkDelayMs?: number; timeoutMs?: number; waitCloseMs?: number; host?: string } = {},
): Promise<HttpExchange> {
  const socket = net.connect({ host: opts.host ?? '127.0.0.1', port });
  socket.setNoDelay(true);
  const timeoutMs = opts.timeoutMs ?? 3000;
  const waitCloseMs = opts.waitCloseMs ?? 1000;
  const start = Date.now();
  let buf = Buffer.alloc(0);
  let closed = false;
  let responseAt = 0;
  let waker: (() => void) | null = null;
  const wake = () => waker?.();
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake();
  });
  socket.on('end', () => {
    closed = true;
    wake();
  });
  socket.on('error', () => {
    closed = true;
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  const pieces = Array.isArray(request) ? request.map(toBuf) : [toBuf(request)];
  socket.once('connect', () => {
    void (async () => {
      for (const p of pieces) {
        if (socket.destroyed || !socket.writable) return;
        socket.write(p);
        if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
      }
    })();
  });
  const waitFor = async (pred: () => boolean, deadline: number): Promise<boolean> => {
    while (!pred()) {
      const ms = deadline - Date.now();
      if (ms <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        waker = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return true;
  };
  try {
    const deadline = start + timeoutMs;
    let result: { head: HttpHead; body: string } | null = null;
    const complete = (): boolean => {
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return false;
      if (!responseAt) responseAt = Date.now();
      const head = parseHttpHead(buf.subarray(0, i).toString('latin1'));
      const rest = buf.subarray(i + 4);
      const cl = head.headers['content-length'];
      if (cl !== undefined) {
        if (rest.length < Number(cl)) return false;
        result = { head, body: rest.subarray(0, Number(cl)).toString('utf8') };
        return true;
      }
      if (headerHasToken(head.headers['transfer-encoding'], 'chunked')) {
        const body = decodeChunked(rest);
        if (body === null) return false;
        result = { head, body };
        return true;
      }
      if (head.status === 101 || head.status === 204 || head.status === 304) {
        result = { head, body: '' };
        return true;
      }
      if (closed) result = { head, body: rest.toString('utf8') }; // body delimited by close
      return closed;
    };
    const got = await waitFor(
      () => complete() || (closed && buf.indexOf('\r\n\r\n') < 0),
      deadline,
    );
    if (!result) {
      throw new Error(
        got
          ? `server closed without a complete response: ${JSON.stringify(buf.toString('latin1'))}`
          : `no complete response within ${timeoutMs} ms: ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`,
      );
    }
    if (waitCloseMs > 0) await waitFor(() => closed, Date.now() + waitCloseMs);
    const r = result as { head: HttpHead; body: string };
    return {
      ...r.head,
      body: r.body,
      closedByServer: closed,
      responseMs: responseAt - start,
      raw: buf,
    };
  } finally {
    socket.destroy();
  }
}

function decodeChunked(b: Buffer): string | null {
  const parts: Buffer[] = [];
  let off = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', off);
    if (eol < 0) return null;
    const size = parseInt(b.subarray(off, eol).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size');
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    if (b.length < eol + 2 + size + 2) return null;
    parts.push(b.subarray(eol + 2, eol + 2 + size));
    off = eol + 2 + size + 2;
  }
}

/** VmRSS of a process in bytes, from /proc (Linux). */
export async function rssBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!m) throw new Error('no VmRSS');
  return Number(m[1]) * 1024;
}
