// One chat room: history with scroll-back (REST pages, the view does not jump), live
// messages, edit and delete of one's own in place, the 500-character limit while typing,
// adding participants (host), errors as notifications. Text is always rendered as text.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ChatClient, type ChatMessage } from '@client/index.js';
import { api, ApiError } from '../lib/api';
import { RECONNECT, watchSocket } from '../lib/connection';
import { SignInFirst, useUser } from '../lib/require-user';
import { authToken } from '../lib/session-token';
import { useTitle } from '../lib/title';
import { notify } from '../lib/toasts';
import { markSeen, rememberRoom } from './known-rooms';

const LIMIT = 500;
const PAGE = 30;

interface Room {
  host: string;
  slug: string;
  name: string;
  participants: string[];
}

export const length = (text: string) => [...text].length; // code points, as the server counts

export function RoomPage({ host, slug }: { host: string; slug: string }) {
  const user = useUser();
  const [room, setRoom] = useState<Room | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  useTitle(room ? room.name : 'Chat');

  useEffect(() => {
    if (!user) return;
    setRoom(null);
    setRefusal(null);
    api<Room>('GET', `/api/rooms/${encodeURIComponent(host)}/${encodeURIComponent(slug)}`).then(
      (found) => {
        setRoom(found);
        rememberRoom({ host: found.host, slug: found.slug, name: found.name });
      },
      (error: unknown) =>
        setRefusal(
          error instanceof ApiError && error.status === 403
            ? 'You are not a participant of this room. Ask its host to add you.'
            : error instanceof ApiError && error.status === 404
              ? 'There is no such room.'
              : (error as Error).message,
        ),
    );
  }, [host, slug, user?.id]);

  if (!user) return <SignInFirst what="Chat" />;
  if (refusal)
    return (
      <section class="page narrow">
        <h1>Can't open this room</h1>
        <p class="error" role="alert">
          {refusal}
        </p>
        <p>
          <a href="/chat">Back to your rooms</a>
        </p>
      </section>
    );
  if (!room) return <p class="page">Opening the room…</p>;
  return (
    <Conversation
      room={room}
      userId={user.id}
      isHost={room.host === user.username}
      onRoom={setRoom}
    />
  );
}

function Conversation({
  room,
  userId,
  isHost,
  onRoom,
}: {
  room: Room;
  userId: string;
  isHost: boolean;
  onRoom: (room: Room) => void;
}) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [hasOlder, setHasOlder] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [draft, setDraft] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const clientRef = useRef<ChatClient | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  /** How to place the scroll after the next render (keep the view, or go to the end). */
  const scrollPlan = useRef<{ keepFromBottom: number } | 'end' | null>(null);

  useEffect(() => {
    const client = new ChatClient({
      host: room.host,
      room: room.slug,
      token: () => authToken() ?? '',
      ...RECONNECT,
    });
    clientRef.current = client;
    const unwatch = watchSocket(client.socket);
    const nearEnd = () => {
      const list = listRef.current;
      return !list || list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    };
    const offs = [
      client.on('message', (message) => {
        if (nearEnd() || message.user_id === userId) scrollPlan.current = 'end';
        setMessages((list) => (list.some((m) => m.id === message.id) ? list : [...list, message]));
      }),
      client.on('update', (event) =>
        setMessages((list) =>
          list.map((m) =>
            m.id === event.id
              ? { ...m, body: event.body, edited: true, updated: event.updated }
              : m,
          ),
        ),
      ),
      client.on('delete', (event) => setMessages((list) => list.filter((m) => m.id !== event.id))),
      client.on('error', (text) => notify(text, 'error')),
    ];
    client.history({ limit: PAGE }).then(
      (page) => {
        scrollPlan.current = 'end';
        setMessages((live) => mergeOlder(page, live));
        setHasOlder(page.length === PAGE);
      },
      (error: Error) => notify(`Could not load the history: ${error.message}`, 'error'),
    );
    return () => {
      for (const off of offs) off();
      unwatch();
      client.close();
    };
  }, [room.host, room.slug, userId]);

  useEffect(() => {
    const newest = messages[messages.length - 1];
    if (newest) markSeen(room.host, room.slug, newest.created);
  }, [messages, room.host, room.slug]);

  useLayoutEffect(() => {
    const list = listRef.current;
    const plan = scrollPlan.current;
    scrollPlan.current = null;
    if (!list || !plan) return;
    if (plan === 'end') list.scrollTop = list.scrollHeight;
    else list.scrollTop = list.scrollHeight - plan.keepFromBottom;
  }, [messages]);

  const loadOlder = async () => {
    const client = clientRef.current;
    const list = listRef.current;
    const oldest = messages[0];
    if (!client || !oldest || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await client.history({ before: oldest.id, limit: PAGE });
      if (list) scrollPlan.current = { keepFromBottom: list.scrollHeight - list.scrollTop };
      setMessages((current) => mergeOlder(page, current));
      setHasOlder(page.length === PAGE);
    } catch (error) {
      notify(`Could not load older messages: ${(error as Error).message}`, 'error');
    } finally {
      setLoadingOlder(false);
    }
  };

  const send = (event: Event) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text || length(text) > LIMIT) return;
    clientRef.current?.sendMessage(text);
    setDraft('');
  };

  const over = length(draft) > LIMIT;
  return (
    <section class="chat">
      <div class="chat-head">
        <h1>{room.name}</h1>
        <span class="muted">
          {room.host}/{room.slug} · {room.participants.join(', ')}
        </span>
      </div>
      {isHost && <AddParticipant room={room} onRoom={onRoom} />}
      <ol class="messages" ref={listRef} aria-label="Messages" tabIndex={0} data-testid="messages">
        <li class="older">
          {hasOlder ? (
            <button
              type="button"
              class="secondary"
              onClick={() => void loadOlder()}
              disabled={loadingOlder}
            >
              {loadingOlder ? 'Loading…' : 'Load older messages'}
            </button>
          ) : (
            <span class="muted">The beginning of the room.</span>
          )}
        </li>
        {messages.map((m) => (
          <li key={m.id} class="message" data-id={m.id}>
            <div class="message-meta">
              {m.userAvatar && (
                <img class="avatar" src={m.userAvatar} alt="" width="20" height="20" />
              )}
              <strong>{m.user}</strong>{' '}
              <time dateTime={m.created}>{new Date(m.created).toLocaleString()}</time>
              {m.edited && <span class="muted"> (edited)</span>}
            </div>
            {editing === m.id ? (
              <EditMessage
                message={m}
                onDone={(text) => {
                  setEditing(null);
                  if (text !== null && text !== m.body) clientRef.current?.editMessage(m.id, text);
                }}
              />
            ) : (
              <p class="message-body">{m.body}</p>
            )}
            {m.user_id === userId && editing !== m.id && (
              <div class="message-actions">
                <button type="button" class="link" onClick={() => setEditing(m.id)}>
                  Edit
                </button>
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    if (confirm('Delete this message?')) clientRef.current?.deleteMessage(m.id);
                  }}
                >
                  Delete
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
      <form class="composer" onSubmit={send}>
        <label class="sr-only" for="composer">
          Message
        </label>
        <textarea
          id="composer"
          rows={2}
          value={draft}
          placeholder="Write a message (Enter sends, Shift+Enter for a new line)"
          aria-describedby="composer-count"
          onInput={(event) => setDraft((event.currentTarget as HTMLTextAreaElement).value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) send(event);
          }}
        />
        <span id="composer-count" class={over ? 'error count' : 'muted count'} data-testid="count">
          {length(draft)}/{LIMIT}
        </span>
        <button type="submit" disabled={over || !draft.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}

/** Older messages (newest first, from REST) before the ones we have, without duplicates. */
function mergeOlder(page: ChatMessage[], current: ChatMessage[]): ChatMessage[] {
  const have = new Set(current.map((m) => m.id));
  return [...page.filter((m) => !have.has(m.id)).reverse(), ...current];
}

function EditMessage({
  message,
  onDone,
}: {
  message: ChatMessage;
  onDone: (text: string | null) => void;
}) {
  const [text, setText] = useState(message.body);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const over = length(text) > LIMIT;
  return (
    <form
      class="edit"
      onSubmit={(event) => {
        event.preventDefault();
        if (!over && text.trim()) onDone(text.trim());
      }}
    >
      <label class="sr-only" for={`edit-${message.id}`}>
        Edit message
      </label>
      <textarea
        id={`edit-${message.id}`}
        ref={ref}
        rows={2}
        value={text}
        onInput={(event) => setText((event.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onDone(null);
        }}
      />
      <span class={over ? 'error count' : 'muted count'}>
        {length(text)}/{LIMIT}
      </span>
      <button type="submit" disabled={over || !text.trim()}>
        Save
      </button>
      <button type="button" class="secondary" onClick={() => onDone(null)}>
        Cancel
      </button>
    </form>
  );
}

function AddParticipant({ room, onRoom }: { room: Room; onRoom: (room: Room) => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      class="row add-participant"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const username = String(new FormData(form).get('username') ?? '').trim();
        setError(null);
        try {
          const added = await api<{ username: string }>(
            'POST',
            `/api/rooms/${encodeURIComponent(room.host)}/${encodeURIComponent(room.slug)}/participants`,
            { username },
          );
          if (!room.participants.includes(added.username))
            onRoom({ ...room, participants: [...room.participants, added.username] });
          notify(`${added.username} is in the room`);
          form.reset();
        } catch (err) {
          setError(err instanceof ApiError ? err.message : String(err));
        }
      }}
    >
      <label class="inline">
        Add someone
        <input name="username" required placeholder="username" />
      </label>
      <button type="submit" class="secondary">
        Add
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
