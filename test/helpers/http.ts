// Small fetch wrappers for REST tests against a running `ringside serve`.
import { randomBytes } from 'node:crypto';

// Test code reads response fields freely; a wrong field fails the assertion anyway.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  /** Parsed JSON when the response is JSON, else the text. */
  body: T;
  headers: Headers;
}

/** `api(url, 'POST', '/api/auth/login', {username, password}, token?)`. */
export async function api<T = Json>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return {
    status: response.status,
    body: (isJson && text !== '' ? JSON.parse(text) : text) as T,
    headers: response.headers,
  };
}

export interface RegisteredUser {
  token: string;
  user: { id: string; username: string };
  password: string;
}

export const TEST_PASSWORD = 'correct-horse-battery';

/** Registers a new user (a random name unless given); throws unless the answer is 201. */
export async function registerUser(
  baseUrl: string,
  name?: string,
  password = TEST_PASSWORD,
): Promise<RegisteredUser> {
  const username = name ?? `user_${randomBytes(5).toString('hex')}`;
  const response = await api(baseUrl, 'POST', '/api/auth/register', { username, password });
  if (response.status !== 201) {
    throw new Error(`register ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return { token: response.body.token, user: response.body.user, password };
}
