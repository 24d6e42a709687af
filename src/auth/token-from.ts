// Where a client puts its token: `?token=`, `Authorization: Bearer …`, or, for browsers
// (which can set neither a header nor keep a token out of proxy logs in the URL), an
// offered WebSocket subprotocol `bearer.<token>` next to `ringside`:
//   new WebSocket(url, ['ringside', `bearer.${token}`])
// The query wins, then the header, then the subprotocol.

/** The subprotocol a server picks when a client offers a token that way. */
export const RINGSIDE_PROTOCOL = 'ringside';
const BEARER_PREFIX = 'bearer.';

export function tokenFrom(
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const fromQuery = query.get('token');
  if (fromQuery) return fromQuery;
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (match) return match[1];
  return bearerProtocol(offeredProtocols(headers))?.slice(BEARER_PREFIX.length) || undefined;
}

/**
 * The subprotocol to answer when a client may have sent its token as one. RFC 6455 has
 * the server echo one offered value (browsers fail the connection otherwise): `ringside`
 * when offered, else the `bearer.` entry itself, else none.
 */
export function selectTokenProtocol(offered: string[]): string | undefined {
  if (offered.includes(RINGSIDE_PROTOCOL)) return RINGSIDE_PROTOCOL;
  return bearerProtocol(offered);
}

function bearerProtocol(offered: string[]): string | undefined {
  return offered.find((protocol) => protocol.startsWith(BEARER_PREFIX));
}

function offeredProtocols(headers: Record<string, string | string[] | undefined>): string[] {
  const header = headers['sec-websocket-protocol'];
  const value = Array.isArray(header) ? header.join(',') : header;
  return value ? value.split(',').map((item) => item.trim()) : [];
}
