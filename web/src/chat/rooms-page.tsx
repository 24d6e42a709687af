// Chat rooms (spec 003): the rooms this browser knows, a new room, or one by its address.
import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import type { ChatMessage } from '@client/index.js';
import { api, ApiError } from '../lib/api';
import { SignInFirst, useUser } from '../lib/require-user';
import { useTitle } from '../lib/title';
import { knownRooms, lastSeen, rememberRoom, type KnownRoom } from './known-rooms';

export function RoomsPage() {
  useTitle('Chat');
  const user = useUser();
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);
  if (!user) return <SignInFirst what="Chat" />;
  const rooms = knownRooms();

  async function create(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const name = String(form.get('name') ?? '').trim();
    const slug = String(form.get('slug') ?? '').trim();
    setError(null);
    try {
      const room = await api<{ host: string; slug: string; name: string }>('POST', '/api/rooms', {
        slug,
        name,
      });
      rememberRoom(room);
      route(`/chat/${encodeURIComponent(room.host)}/${encodeURIComponent(room.slug)}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }

  function open(event: Event) {
    event.preventDefault();
    const address = String(new FormData(event.currentTarget as HTMLFormElement).get('address'));
    const [host, slug] = address
      .trim()
      .replace(/^\/+|\/+$/g, '')
      .split('/');
    if (host && slug) route(`/chat/${encodeURIComponent(host)}/${encodeURIComponent(slug)}`);
    else setError('Give the room as host/room, for example johndoe/general.');
  }

  return (
    <section class="page narrow">
      <h1>Chat</h1>
      {rooms.length > 0 ? (
        <ul class="room-list" aria-label="Your rooms">
          {rooms.map((room) => (
            <li key={`${room.host}/${room.slug}`}>
              <a href={`/chat/${encodeURIComponent(room.host)}/${encodeURIComponent(room.slug)}`}>
                {room.name}
              </a>{' '}
              <Unread room={room} userId={user.id} />{' '}
              <span class="muted">
                {room.host}/{room.slug}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No rooms yet in this browser.</p>
      )}
      <h2>New room</h2>
      <form class="stack" onSubmit={create}>
        <label>
          Name
          <input name="name" required maxLength={200} />
        </label>
        <label>
          Address (letters, digits, _ and -)
          <input name="slug" required maxLength={64} pattern="[A-Za-z0-9_\-]+" />
        </label>
        <button type="submit">Create room</button>
      </form>
      <h2>Open a room</h2>
      <form class="row" onSubmit={open}>
        <label class="inline">
          Room
          <input name="address" placeholder="host/room" required />
        </label>
        <button type="submit" class="secondary">
          Open
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

const UNREAD_PAGE = 50;

/** Messages of others newer than the last one seen in this browser (one REST page). */
function Unread({ room, userId }: { room: KnownRoom; userId: string }) {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    const seen = lastSeen(room.host, room.slug);
    api<{ messages: ChatMessage[] }>(
      'GET',
      `/api/rooms/${encodeURIComponent(room.host)}/${encodeURIComponent(room.slug)}/messages?limit=${UNREAD_PAGE}`,
    ).then(
      ({ messages }) =>
        setCount(
          messages.filter((m) => m.user_id !== userId && (!seen || m.created > seen)).length,
        ),
      () => setCount(null),
    );
  }, [room.host, room.slug, userId]);
  if (!count) return null;
  return (
    <span class="unread" data-testid="unread">
      {count >= UNREAD_PAGE ? `${UNREAD_PAGE}+` : count} unread
    </span>
  );
}
