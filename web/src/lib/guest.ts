// A visitor without an account: a random id and the display name they chose, kept in
// this browser so a reload is the same participant.
const ID_KEY = 'ringside.guestId';
const NAME_KEY = 'ringside.displayName';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage disabled: this tab only.
  }
}

export function guestId(): string {
  let id = read(ID_KEY);
  if (!id) {
    // getRandomValues works on plain http too (randomUUID needs a secure context).
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    id = `guest-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    write(ID_KEY, id);
  }
  return id;
}

export function savedDisplayName(): string {
  return read(NAME_KEY) ?? '';
}

export function saveDisplayName(name: string): void {
  write(NAME_KEY, name);
}
