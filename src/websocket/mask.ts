// XOR masking (RFC 6455 section 5.3), in place, four bytes at a time where the
// buffer is aligned for a 32-bit view.

/**
 * Masks or unmasks `buf` in place with the 4-byte `key`, starting at position
 * `offset` of the mask cycle (so a payload can be unmasked chunk by chunk).
 */
export function applyMask(buf: Uint8Array, key: Uint8Array, offset = 0): void {
  const length = buf.length;
  let i = 0;
  if (length < 32) {
    // A typed-array view costs more than it saves on short payloads.
    for (; i < length; i++) buf[i]! ^= key[(offset + i) & 3]!;
    return;
  }
  // Bytes until the view is 4-byte aligned.
  const misalignment = buf.byteOffset & 3;
  const head = misalignment === 0 ? 0 : Math.min(4 - misalignment, length);
  for (; i < head; i++) buf[i]! ^= key[(offset + i) & 3]!;
  const words = (length - i) >>> 2;
  if (words > 0) {
    const o = offset + i;
    // The mask as a 32-bit word in the machine's byte order, rotated to this position.
    const k0 = key[o & 3]!;
    const k1 = key[(o + 1) & 3]!;
    const k2 = key[(o + 2) & 3]!;
    const k3 = key[(o + 3) & 3]!;
    const word = LITTLE_ENDIAN
      ? (k0 | (k1 << 8) | (k2 << 16) | (k3 << 24)) >>> 0
      : ((k0 << 24) | (k1 << 16) | (k2 << 8) | k3) >>> 0;
    const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w]! ^= word;
    i += words << 2;
  }
  for (; i < length; i++) buf[i]! ^= key[(offset + i) & 3]!;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
