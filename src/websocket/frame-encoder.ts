// Builds frames (RFC 6455 section 5.2) as single buffers, header and payload
// together, so a frame can be written, queued or shared between sockets as it is.
import { randomFillSync } from 'node:crypto';
import { applyMask } from './mask.js';

export interface FrameOptions {
  fin?: boolean;
  rsv1?: boolean;
  /** Clients mask every frame (RFC 6455 section 5.3); servers never do. */
  mask?: boolean;
}

// Mask keys come from a pool of random bytes refilled 8 KiB at a time: one call into
// the CSPRNG per 2,048 frames instead of one per frame.
const maskPool = Buffer.alloc(8192);
let maskPoolOffset = maskPool.length;

function nextMaskKey(target: Buffer, at: number): void {
  if (maskPoolOffset === maskPool.length) {
    randomFillSync(maskPool);
    maskPoolOffset = 0;
  }
  maskPool.copy(target, at, maskPoolOffset, maskPoolOffset + 4);
  maskPoolOffset += 4;
}

function headerLength(payloadLength: number, mask: boolean): number {
  const lengthBytes = payloadLength < 126 ? 0 : payloadLength <= 0xffff ? 2 : 8;
  return 2 + lengthBytes + (mask ? 4 : 0);
}

/** Writes the header into `frame` and returns where the payload starts. */
function writeHeader(
  frame: Buffer,
  opcode: number,
  payloadLength: number,
  fin: boolean,
  rsv1: boolean,
  mask: boolean,
): number {
  frame[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = mask ? 0x80 : 0;
  let at: number;
  if (payloadLength < 126) {
    frame[1] = maskBit | payloadLength;
    at = 2;
  } else if (payloadLength <= 0xffff) {
    frame[1] = maskBit | 126;
    frame.writeUInt16BE(payloadLength, 2);
    at = 4;
  } else {
    frame[1] = maskBit | 127;
    frame.writeUInt32BE(Math.floor(payloadLength / 2 ** 32), 2);
    frame.writeUInt32BE(payloadLength >>> 0, 6);
    at = 10;
  }
  if (mask) {
    nextMaskKey(frame, at);
    at += 4;
  }
  return at;
}

function maskPayload(frame: Buffer, payloadStart: number): void {
  const key = frame.subarray(payloadStart - 4, payloadStart);
  applyMask(frame.subarray(payloadStart), key);
}

/** A frame carrying `payload` (copied into the frame). */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  options: FrameOptions = {},
): Buffer {
  const mask = options.mask === true;
  const frame = Buffer.allocUnsafe(headerLength(payload.length, mask) + payload.length);
  const start = writeHeader(
    frame,
    opcode,
    payload.length,
    options.fin !== false,
    options.rsv1 === true,
    mask,
  );
  frame.set(payload, start);
  if (mask) maskPayload(frame, start);
  return frame;
}

/** A frame carrying `text` as UTF-8, encoded straight into the frame. */
export function encodeTextFrame(opcode: number, text: string, options: FrameOptions = {}): Buffer {
  const mask = options.mask === true;
  const byteLength = Buffer.byteLength(text, 'utf8');
  const frame = Buffer.allocUnsafe(headerLength(byteLength, mask) + byteLength);
  const start = writeHeader(
    frame,
    opcode,
    byteLength,
    options.fin !== false,
    options.rsv1 === true,
    mask,
  );
  frame.write(text, start, 'utf8');
  if (mask) maskPayload(frame, start);
  return frame;
}

/** Just the header of an unmasked frame, for payloads sent as they are (no copy). */
export function encodeHeader(
  opcode: number,
  payloadLength: number,
  options: FrameOptions = {},
): Buffer {
  const header = Buffer.allocUnsafe(headerLength(payloadLength, false));
  writeHeader(header, opcode, payloadLength, options.fin !== false, options.rsv1 === true, false);
  return header;
}
