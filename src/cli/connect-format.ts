// What `ringside connect` prints and parses: control characters made visible (a message
// may not move the cursor, recolour or clear the user's terminal), hex input, and the
// exit status a close means.

/**
 * The text with every control character except newline and tab shown as an escape:
 * ESC as \x1b, CR as \r, C1 controls and DEL as \xNN, and the Unicode bidi controls
 * as \u{NNNN} (they reorder what follows them on the line).
 */
export function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    return `\\u{${code.toString(16)}}`;
  });
}

/** Bytes from hex digits (spaces and colons between bytes allowed); null when not hex. */
export function parseHex(text: string): Buffer | null {
  const digits = text.replace(/[\s:]/g, '');
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return null;
  return Buffer.from(digits, 'hex');
}

/**
 * The exit status after the connection closed: 0 when we closed it, or the server
 * closed it normally (1000, or 1001 going away); 1 for any other code, an unclean
 * close, or a dropped connection (1006).
 */
export function exitStatusFor(code: number, wasClean: boolean, closedByUs: boolean): 0 | 1 {
  if (closedByUs && code !== 1006) return 0;
  return wasClean && (code === 1000 || code === 1001) ? 0 : 1;
}
