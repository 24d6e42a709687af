// The JWT kept across reloads (localStorage), read by every REST call and socket.
const KEY = 'ringside.token';

export function authToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch {
    // Storage disabled: the session lasts until the page is closed.
  }
}
