// Where a typed client connects: the server's address (given, else the page's own host in
// a browser, else ws://localhost:8080) plus the protocol's path, with `?token=` (the one
// way a browser can send a token with the upgrade).

export type TokenSource = string | (() => string | Promise<string>);

/** The base address: the given one, else the page's host (browser), else localhost:8080. */
export function baseAddress(given: string | undefined): string {
  if (given) return given;
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (location && /^https?:$/.test(location.protocol)) {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  }
  return 'ws://localhost:8080';
}

/**
 * `base` with `path` appended, unless `base` already has a path of its own (then it is
 * the full endpoint). http(s) becomes ws(s). A query in `path` is added to the base's;
 * the token, if any, goes in `?token=`.
 */
export function endpointUrl(base: string, path: string, token?: string): string {
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  const at = path.indexOf('?');
  const pathname = at < 0 ? path : path.slice(0, at);
  if (url.pathname === '/' || url.pathname === '') url.pathname = pathname;
  if (at >= 0)
    for (const [key, value] of new URLSearchParams(path.slice(at + 1)))
      url.searchParams.set(key, value);
  if (token !== undefined) url.searchParams.set('token', token);
  return url.toString();
}

/** The http(s) origin of a ws(s) address, for the REST routes next to it. */
export function httpOrigin(wsUrl: string): string {
  const url = new URL(wsUrl);
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`;
}

/** A URL function for ReconnectingSocket: the token is read again before every attempt. */
export function urlWithToken(
  base: string,
  path: string,
  token: TokenSource | undefined,
): () => Promise<string> {
  return async () => endpointUrl(base, path, typeof token === 'function' ? await token() : token);
}

/** A token's current value (for REST calls). */
export async function tokenValue(token: TokenSource | undefined): Promise<string | undefined> {
  return typeof token === 'function' ? token() : token;
}
