// Sends one message to many connections: the frame is encoded once and the same
// bytes are queued on every socket. Peers that agreed on permessage-deflate get, for
// messages over the threshold, one compressed frame per window size, also shared
// (compressed with a fresh context, so it decodes whatever context a peer keeps).
import { Opcode } from './constants.js';
import type { WebSocketConnection } from './connection.js';
import { encodeFrame, encodeTextFrame } from './frame-encoder.js';
import { compressStandalone } from './permessage-deflate.js';
import type { PendingSlot } from './output-queue.js';

export interface FanOutTarget {
  readonly connection: WebSocketConnection;
  /** The agreed server window bits when this peer takes compressed frames, else 0. */
  readonly compressionWindowBits: number;
  readonly compressionThreshold: number;
}

export interface FanOutStats {
  messagesOut: number;
  bytesOut: number;
}

/** Encodes a message frame for a server to send (never masked). */
export function encodeMessage(data: string | Buffer | Uint8Array, binary: boolean): Buffer {
  const opcode = binary ? Opcode.Binary : Opcode.Text;
  return typeof data === 'string' ? encodeTextFrame(opcode, data) : encodeFrame(opcode, data);
}

/** Queues `data` on every target except `except`; returns how many it was queued for. */
export function fanOut(
  targets: Iterable<FanOutTarget>,
  data: string | Buffer | Uint8Array,
  binary: boolean,
  except: FanOutTarget | null,
  stats: FanOutStats,
): number {
  const frame = encodeMessage(data, binary);
  const payloadLength = typeof data === 'string' ? frame.length - headerSize(frame) : data.length;
  let compressGroups: Map<number, Array<[WebSocketConnection, PendingSlot]>> | null = null;
  let count = 0;
  for (const target of targets) {
    if (target === except) continue;
    const connection = target.connection;
    if (!connection.isOpen) continue;
    if (target.compressionWindowBits !== 0 && payloadLength >= target.compressionThreshold) {
      const slot = connection.reserveFrame();
      if (slot === null) continue;
      compressGroups ??= new Map();
      let group = compressGroups.get(target.compressionWindowBits);
      if (!group) compressGroups.set(target.compressionWindowBits, (group = []));
      group.push([connection, slot]);
    } else {
      // Dropped by the slow-consumer policy: neither queued nor counted.
      if (!connection.sendFrame(frame)) continue;
      stats.bytesOut += frame.length;
    }
    count++;
  }
  stats.messagesOut += count;
  if (compressGroups !== null) {
    const payload = frame.subarray(headerSize(frame));
    for (const [windowBits, group] of compressGroups) {
      compressStandalone(payload, windowBits, (error, compressed) => {
        const shared =
          error || !compressed
            ? null
            : encodeFrame(binary ? Opcode.Binary : Opcode.Text, compressed, { rsv1: true });
        for (const [connection, slot] of group) {
          if (connection.fillFrame(slot, shared)) stats.bytesOut += shared!.length;
        }
      });
    }
  }
  return count;
}

/** Header length of an unmasked frame built by the encoder. */
function headerSize(frame: Buffer): number {
  const length = frame[1]! & 0x7f;
  return length < 126 ? 2 : length === 126 ? 4 : 10;
}
