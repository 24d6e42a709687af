// REST calls to ringside: JSON in and out, the token from the session, and every refusal
// turned into an ApiError whose message a person can act on.
import { authToken } from './session-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const SERVER_DOWN =
  'The server cannot be reached. Check your connection (or that ringside is running) and try again.';

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const token = authToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, SERVER_DOWN);
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page, for example: fall through to the status.
  }
  if (!response.ok) throw new ApiError(response.status, refusal(response, data));
  return data as T;
}

function refusal(response: Response, data: unknown): string {
  const given =
    data && typeof data === 'object' && typeof (data as { error?: unknown }).error === 'string'
      ? (data as { error: string }).error
      : null;
  if (response.status === 429) {
    const wait = Number(response.headers.get('retry-after'));
    const when = Number.isFinite(wait) && wait > 0 ? `in ${wait} s` : 'in a moment';
    return `Too many attempts. Try again ${when}.`;
  }
  if (response.status >= 500) return `The server had a problem (${response.status}). Try again.`;
  if (!given) return `Request refused (${response.status}).`;
  return given.charAt(0).toUpperCase() + given.slice(1) + (given.endsWith('.') ? '' : '.');
}
