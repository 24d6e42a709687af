// A reference model of the echo server's reaction to any byte stream a client sends after
// the handshake (no extension negotiated), written from RFC 6455 and the engine contract.
// The fuzz test feeds the same bytes to the model and to the real server and compares.
// Where the contract leaves timing open (e.g. a bad header whose remaining bytes never come)
// the model answers "open-or-close" instead of guessing.
import { isValidCloseCode, maskBytes } from '../helpers/raw-ws.js';

export interface ModelLimits {
  maxMessageBytes: number;
  maxFragments: number;
}

export type ModelEvent =
  { kind: 'message'; opcode: number; data: Buffer } | { kind: 'pong'; payload: Buffer };

/** null in codes stands for a close frame with an empty body. */
export type ModelEnd =
  | { kind: 'open' }
  | { kind: 'close'; codes: Array<number | null> }
  | { kind: 'open-or-close'; codes: Array<number | null> };

export interface ModelResult {
  events: ModelEvent[];
  end: ModelEnd;
}

/** 'invalid' as soon as bytes can no longer be UTF-8; 'incomplete' if only a tail is missing. */
function utf8State(b: Buffer): 'ok' | 'incomplete' | 'invalid' {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true });
  } catch {
    return 'invalid';
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return 'ok';
  } catch {
    return 'incomplete';
  }
}

export function modelServer(stream: Buffer, limits: ModelLimits): ModelResult {
  const events: ModelEvent[] = [];
  let off = 0;
  let msg: { opcode: number; parts: Buffer[]; size: number; count: number } | null = null;
  const done = (end: ModelEnd): ModelResult => ({ events, end });
  for (;;) {
    const avail = stream.length - off;
    if (avail < 2) return done({ kind: 'open' });
    const b0 = stream[off]!;
    const b1 = stream[off + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    const control = opcode >= 8;
    const errs = new Set<number | null>();
    if (b0 & 0x70) errs.add(1002);
    if (![0, 1, 2, 8, 9, 10].includes(opcode)) errs.add(1002);
    if (!masked) errs.add(1002);
    if (control && !fin) errs.add(1002);
    if (opcode === 0 && !msg) errs.add(1002);
    if ((opcode === 1 || opcode === 2) && msg) errs.add(1002);
    const extLen = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const headLen = 2 + extLen + (masked ? 4 : 0);
    if (avail < 2 + extLen)
      return done(errs.size ? { kind: 'open-or-close', codes: [...errs] } : { kind: 'open' });
    let len: number;
    if (len7 === 126) len = stream.readUInt16BE(off + 2);
    else if (len7 === 127) {
      const big = stream.readBigUInt64BE(off + 2);
      if (big >> 63n) errs.add(1002);
      len = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
    } else len = len7;
    // Control frames are limited on their real length (a non-minimal encoding is allowed).
    if (control && len > 125) errs.add(1002);
    const isData = opcode <= 2 && !control;
    if (isData && !errs.has(1002) && (msg ? msg.size : 0) + len > limits.maxMessageBytes)
      errs.add(1009);
    if (errs.size) {
      // Size errors are decided from the header; the others from the first two bytes.
      if (avail >= headLen) return done({ kind: 'close', codes: [...errs] });
      return done({ kind: 'open-or-close', codes: [...errs] });
    }
    if (avail < headLen) return done({ kind: 'open' });
    const tooManyFragments = opcode === 0 && msg !== null && msg.count + 1 > limits.maxFragments;
    const payloadAvail = Math.min(len, avail - headLen);
    const key = stream.subarray(off + headLen - 4, off + headLen);
    const payload = maskBytes(stream.subarray(off + headLen, off + headLen + payloadAvail), key);
    const textMsg = opcode === 1 || (opcode === 0 && msg?.opcode === 1);
    if (payloadAvail < len) {
      // Incomplete frame: a fail-fast server may already have seen invalid UTF-8.
      const codes: Array<number | null> = [];
      if (tooManyFragments) codes.push(1009);
      if (textMsg && utf8State(Buffer.concat([...(msg?.parts ?? []), payload])) === 'invalid')
        codes.push(1007);
      return done(codes.length ? { kind: 'open-or-close', codes } : { kind: 'open' });
    }
    if (tooManyFragments) return done({ kind: 'close', codes: [1009] });
    off += headLen + len;
    if (opcode === 9) {
      events.push({ kind: 'pong', payload });
      continue;
    }
    if (opcode === 10) continue;
    if (opcode === 8) {
      if (len === 0) return done({ kind: 'close', codes: [null] });
      if (len === 1) return done({ kind: 'close', codes: [1002] });
      const code = payload.readUInt16BE(0);
      const bad = new Set<number>();
      if (!isValidCloseCode(code)) bad.add(1002);
      if (utf8State(payload.subarray(2)) !== 'ok') bad.add(1007);
      return done({ kind: 'close', codes: bad.size ? [...bad] : [code] });
    }
    if (opcode !== 0) msg = { opcode, parts: [], size: 0, count: 0 };
    msg!.parts.push(payload);
    msg!.size += len;
    msg!.count++;
    if (msg!.opcode === 1) {
      const state = utf8State(Buffer.concat(msg!.parts));
      if (state === 'invalid' || (fin && state === 'incomplete'))
        return done({ kind: 'close', codes: [1007] });
    }
    if (fin) {
      events.push({ kind: 'message', opcode: msg!.opcode, data: Buffer.concat(msg!.parts) });
      msg = null;
    }
  }
}
