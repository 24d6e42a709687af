// The rooms this browser knows about (created or opened here). The server has no
// "my rooms" route yet; see the report in docs.
export interface KnownRoom {
  host: string;
  slug: string;
  name: string;
}

const KEY = 'ringside.rooms';

export function knownRooms(): KnownRoom[] {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? '[]') as KnownRoom[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

export function rememberRoom(room: KnownRoom): void {
  const rest = knownRooms().filter(
    (r) => !(r.host.toLowerCase() === room.host.toLowerCase() && r.slug === room.slug),
  );
  try {
    localStorage.setItem(KEY, JSON.stringify([room, ...rest].slice(0, 50)));
  } catch {
    // Not remembered.
  }
}

const seenKey = (host: string, slug: string) => `ringside.seen.${host.toLowerCase()}/${slug}`;

/** The creation time of the newest message seen in a room (ISO text), or null. */
export function lastSeen(host: string, slug: string): string | null {
  try {
    return localStorage.getItem(seenKey(host, slug));
  } catch {
    return null;
  }
}

export function markSeen(host: string, slug: string, created: string): void {
  const before = lastSeen(host, slug);
  if (before && before >= created) return;
  try {
    localStorage.setItem(seenKey(host, slug), created);
  } catch {
    // Unread counts will be off in this browser.
  }
}
