// Where a client puts its token: `?token=` (browsers cannot set headers on a WebSocket)
// or `Authorization: Bearer …`. The query wins when both are present.
export function tokenFrom(
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const fromQuery = query.get('token');
  if (fromQuery) return fromQuery;
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match ? match[1] : undefined;
}
