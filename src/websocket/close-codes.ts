// Which close codes a peer may put on the wire (RFC 6455 section 7.4 and the IANA registry).

/**
 * 1000-1003 and 1007-1014 are registered for use on the wire; 1004 is reserved,
 * 1005, 1006 and 1015 must never be sent; 1016-2999 are unassigned; 3000-4999 are
 * for libraries, frameworks and applications.
 */
export function isValidWireCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/** Encodes a close frame's payload: a 2-byte code and a UTF-8 reason (at most 123 bytes). */
export function encodeClosePayload(code: number | undefined, reason = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const reasonBytes = Buffer.from(reason, 'utf8');
  if (reasonBytes.length > 123) throw new RangeError('close reason is longer than 123 bytes');
  const payload = Buffer.allocUnsafe(2 + reasonBytes.length);
  payload.writeUInt16BE(code, 0);
  reasonBytes.copy(payload, 2);
  return payload;
}
