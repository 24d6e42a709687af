// Reads an HTTP/1.x request head (request line and header fields) from raw bytes.

export interface RequestHead {
  method: string;
  target: string;
  versionMajor: number;
  versionMinor: number;
  /** Lower-cased names; repeated fields joined with ", " (RFC 9110 section 5.3). */
  headers: Record<string, string>;
}

export class HttpHeadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const HEAD_END = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/(\d)\.(\d)$/;

/** Index just past the blank line that ends the head, or -1 while incomplete. */
export function findHeadEnd(buffer: Buffer): number {
  const at = buffer.indexOf(HEAD_END);
  return at < 0 ? -1 : at + HEAD_END.length;
}

export function parseRequestHead(head: Buffer): RequestHead {
  // latin1 keeps every byte as one char, so odd bytes cannot break the parse.
  const lines = head.toString('latin1').split('\r\n');
  const match = REQUEST_LINE.exec(lines[0] ?? '');
  if (!match) throw new HttpHeadError(400, 'Malformed request line');
  const headers: Record<string, string> = Object.create(null);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') throw new HttpHeadError(400, 'Obsolete line folding');
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpHeadError(400, 'Malformed header field');
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HttpHeadError(400, 'Malformed header name');
    const value = line.slice(colon + 1).trim();
    const key = name.toLowerCase();
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  return {
    method: match[1]!,
    target: match[2]!,
    versionMajor: Number(match[3]),
    versionMinor: Number(match[4]),
    headers,
  };
}

/** Whether a comma-separated header value holds `token` (lower-case), case-insensitively. */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  // Fast path: the value is exactly the token, as it nearly always is.
  if (value.length === token.length) return value.toLowerCase() === token;
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(',', start);
    if (end < 0) end = value.length;
    if (value.slice(start, end).trim().toLowerCase() === token) return true;
    start = end + 1;
  }
  return false;
}
