// Who is signed in: restored from the stored token at start (GET /api/me), set by sign-in
// and sign-up, cleared by sign-out or a token the server no longer accepts.
import { signal } from '@preact/signals';
import { api, ApiError } from './api';
import { authToken, storeToken } from './session-token';

export interface User {
  id: string;
  username: string;
}

const USER_KEY = 'ringside.user';

function storedUser(): User | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw && authToken() ? (JSON.parse(raw) as User) : null;
  } catch {
    return null;
  }
}

/** The signed-in user (shown at once from storage, confirmed by the server). */
export const currentUser = signal<User | null>(storedUser());

/** The signed-in user's avatar URL (null: none). */
export const currentAvatar = signal<string | null>(null);

export async function loadAvatar(): Promise<void> {
  if (!authToken()) {
    currentAvatar.value = null;
    return;
  }
  try {
    currentAvatar.value = (await api<{ avatar: string | null }>('GET', '/api/me/avatar')).avatar;
  } catch {
    // Shown again on the next load.
  }
}

function setSession(token: string | null, user: User | null): void {
  storeToken(token);
  try {
    if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
    else localStorage.removeItem(USER_KEY);
  } catch {
    // See storeToken.
  }
  currentUser.value = user;
  if (user) void loadAvatar();
  else currentAvatar.value = null;
}

export async function restoreSession(): Promise<void> {
  if (!authToken()) return setSession(null, null);
  try {
    const { user } = await api<{ user: User }>('GET', '/api/me');
    setSession(authToken(), user);
  } catch (error) {
    // Offline: keep the stored user; the next call will tell.
    if (error instanceof ApiError && error.status === 401) setSession(null, null);
  }
}

export async function signIn(username: string, password: string): Promise<User> {
  const { token, user } = await api<{ token: string; user: User }>('POST', '/api/auth/login', {
    username,
    password,
  });
  setSession(token, user);
  return user;
}

export async function signUp(username: string, password: string): Promise<User> {
  const { token, user } = await api<{ token: string; user: User }>('POST', '/api/auth/register', {
    username,
    password,
  });
  setSession(token, user);
  return user;
}

export function signOut(): void {
  setSession(null, null);
}
