// A pair-programming pad (spec 001): the shared editor, who is here, the language
// everyone sees, and runs in the browser whose output everyone sees.
import { useEffect, useRef, useState } from 'preact/hooks';
import { CollabClient, type Participant, type SessionState } from '@client/index.js';
import { api, ApiError } from '../lib/api';
import { RECONNECT, watchSocket } from '../lib/connection';
import { guestId, saveDisplayName, savedDisplayName } from '../lib/guest';
import { authToken } from '../lib/session-token';
import { currentUser } from '../lib/session';
import { useTitle } from '../lib/title';
import { notify } from '../lib/toasts';
import { CollabSync } from './collab-sync';
import { editorExtensions, languageSlot, languageSupport } from './editor-setup';
import { colorFor, cursorOf, offsetOf, setRemoteCursor } from './remote-cursors';
import { canRun, runInBrowser, type Run } from './run/run-in-browser';
import type { LanguageSupport } from '@codemirror/language';

const LANGUAGES = ['javascript', 'python', 'typescript', 'go', 'java', 'cpp'];

interface Identity {
  userId: string;
  username: string;
  token?: string;
}

export function PadPage({ id }: { id: string }) {
  useTitle('Pad');
  const [status, setStatus] = useState<'loading' | 'missing' | 'ready' | string>('loading');
  const user = currentUser.value;
  const [guestName, setGuestName] = useState<string | null>(null);

  useEffect(() => {
    api<SessionState>('GET', `/api/sessions/${encodeURIComponent(id)}`).then(
      () => setStatus('ready'),
      (error: unknown) =>
        setStatus(
          error instanceof ApiError && error.status === 404
            ? 'missing'
            : String((error as Error).message),
        ),
    );
  }, [id]);

  if (status === 'loading')
    return (
      <section class="page">
        <p>Loading the pad…</p>
      </section>
    );
  if (status === 'missing')
    return (
      <section class="page narrow">
        <h1>No such pad</h1>
        <p>
          The link may be mistyped. <a href="/pads">Start a new pad.</a>
        </p>
      </section>
    );
  if (status !== 'ready')
    return (
      <section class="page narrow">
        <h1>Pad</h1>
        <p class="error" role="alert">
          {status}
        </p>
      </section>
    );

  const token = authToken();
  const identity: Identity | null =
    user && token
      ? { userId: user.id, username: user.username, token }
      : guestName
        ? { userId: guestId(), username: guestName }
        : null;
  if (!identity) return <ChooseName onChosen={setGuestName} />;
  return <Pad key={identity.userId} id={id} identity={identity} />;
}

function ChooseName({ onChosen }: { onChosen: (name: string) => void }) {
  return (
    <section class="page narrow">
      <h1>Join the pad</h1>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
          if (!name) return;
          saveDisplayName(name);
          onChosen(name);
        }}
      >
        <label>
          Your name, as the others will see it
          <input
            name="name"
            required
            maxLength={40}
            autocomplete="nickname"
            value={savedDisplayName()}
          />
        </label>
        <button type="submit">Join</button>
      </form>
      <p>
        No account needed. <a href="/signin">Sign in</a> to join with your username.
      </p>
    </section>
  );
}

interface Output {
  by: string;
  output: string;
  error: string | null;
}

function Pad({ id, identity }: { id: string; identity: Identity }) {
  const editorHost = useRef<HTMLDivElement>(null);
  const clientRef = useRef<CollabClient | null>(null);
  const syncRef = useRef<CollabSync | null>(null);
  const runRef = useRef<Run | null>(null);
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [language, setLanguage] = useState('javascript');
  const [output, setOutput] = useState<Output | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    const client = new CollabClient({
      sessionId: id,
      userId: identity.userId,
      username: identity.username,
      ...(identity.token ? { token: identity.token } : {}),
      ...RECONNECT,
    });
    clientRef.current = client;
    const unwatch = watchSocket(client.socket);
    let support: LanguageSupport | null = null;
    let currentLanguage = '';
    let cursorTimer: ReturnType<typeof setTimeout> | undefined;

    const nameOf = (userId: string) =>
      client.session?.participants.find((p) => p.userId === userId)?.username ?? 'someone';
    const refreshPeople = () => setParticipants([...(client.session?.participants ?? [])]);

    const sync = new CollabSync(
      client,
      editorHost.current!,
      () =>
        editorExtensions(support, (update) => {
          // Only our own moves (remote changes map the cursor the same way everywhere).
          if (!update.selectionSet) return;
          clearTimeout(cursorTimer);
          cursorTimer = setTimeout(() => {
            const state = sync.view?.state;
            if (state && client.state === 'open')
              client.moveCursor(cursorOf(state.doc, state.selection.main.head));
          }, 60);
        }),
      () => showCursors(),
    );
    syncRef.current = sync;

    const showCursors = () => {
      const view = sync.view;
      const session = client.session;
      if (!view || !session) return;
      const effects = session.participants
        .filter((p) => p.userId !== identity.userId)
        .map((p) =>
          setRemoteCursor.of({
            userId: p.userId,
            name: p.username,
            color: colorFor(p.userId),
            pos: p.cursor ? offsetOf(view.state.doc, p.cursor) : null,
          }),
        );
      if (effects.length) view.dispatch({ effects });
    };

    const applyLanguage = async (next: string) => {
      setLanguage(next);
      if (next === currentLanguage) return;
      currentLanguage = next;
      const loaded = await languageSupport(next);
      if (currentLanguage !== next) return;
      support = loaded;
      sync.view?.dispatch({ effects: languageSlot.reconfigure(loaded ?? []) });
    };

    const offs = [
      client.on('session-state', (state) => {
        refreshPeople();
        void applyLanguage(state.language);
        if (state.lastExecution)
          setOutput({ ...state.lastExecution, by: nameOf(state.lastExecution.userId) });
        queueMicrotask(showCursors);
      }),
      client.on('participant-joined', ({ username }) => {
        refreshPeople();
        notify(`${username} joined`);
      }),
      client.on('participant-left', ({ userId }) => {
        sync.view?.dispatch({
          effects: setRemoteCursor.of({ userId, name: '', color: '', pos: null }),
        });
        refreshPeople();
      }),
      client.on('cursor-update', () => {
        refreshPeople();
        showCursors();
      }),
      client.on('language-updated', ({ language: next, userId }) => {
        void applyLanguage(next);
        notify(`${nameOf(userId)} switched to ${next}`);
      }),
      client.on('execute-code', ({ userId }) => setRunning(nameOf(userId))),
      client.on('execution-result', (result) => {
        setRunning(null);
        setOutput({ output: result.output, error: result.error, by: nameOf(result.userId) });
      }),
      client.on('error', ({ message }) => {
        if (!/^Version|^Changes do not apply/.test(message)) notify(message, 'error');
      }),
    ];
    return () => {
      for (const off of offs) off();
      clearTimeout(cursorTimer);
      runRef.current?.stop();
      sync.destroy();
      unwatch();
      client.close();
    };
  }, [id, identity.userId, identity.username, identity.token]);

  const changeLanguage = (next: string) => {
    clientRef.current?.changeLanguage(next);
    // The server does not echo our own change: apply it here as the others will.
    const view = syncRef.current?.view;
    setLanguage(next);
    void languageSupport(next).then((loaded) =>
      view?.dispatch({ effects: languageSlot.reconfigure(loaded ?? []) }),
    );
  };

  const run = async () => {
    const client = clientRef.current;
    const view = syncRef.current?.view;
    if (!client || !view) return;
    const code = view.state.doc.toString();
    client.executeCode(language, code);
    setRunning(identity.username);
    const current = runInBrowser(language, code);
    runRef.current = current;
    const result = await current.result;
    if (runRef.current !== current) return;
    runRef.current = null;
    setRunning(null);
    setOutput({ ...result, by: identity.username });
    client.sendExecutionResult(result.output, result.error);
  };

  const stop = () => runRef.current?.stop();
  const link = typeof location === 'undefined' ? '' : location.href;

  return (
    <section class="pad">
      <div class="pad-bar">
        <h1 class="pad-title">Pad</h1>
        <label class="inline">
          Language
          <select
            value={language}
            onChange={(event) => changeLanguage((event.currentTarget as HTMLSelectElement).value)}
            data-testid="language"
          >
            {(LANGUAGES.includes(language) ? LANGUAGES : [language, ...LANGUAGES]).map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {runRef.current ? (
          <button type="button" class="danger" onClick={stop}>
            Stop
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void run()}
            disabled={!canRun(language)}
            title={canRun(language) ? 'Run in your browser' : 'Runs Python and JavaScript only'}
          >
            Run
          </button>
        )}
        <button
          type="button"
          class="secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(link).then(() => setCopied(true));
          }}
        >
          {copied ? 'Link copied' : 'Copy link'}
        </button>
      </div>
      <div class="pad-main">
        <div class="editor" ref={editorHost} data-testid="editor" />
        <aside class="pad-side">
          <h2>Here now</h2>
          <ul class="people" data-testid="participants">
            {participants.map((p) => (
              <li key={p.userId}>
                <span
                  class="swatch"
                  style={{ background: colorFor(p.userId) }}
                  aria-hidden="true"
                />
                {p.username}
                {p.userId === identity.userId ? ' (you)' : ''}
              </li>
            ))}
          </ul>
          <h2>Output</h2>
          <div class="output" data-testid="output" aria-live="polite">
            {running ? (
              <p class="muted">{running} is running the code…</p>
            ) : output ? (
              <>
                <p class="muted">Run by {output.by}</p>
                <pre>{output.output}</pre>
                {output.error && <pre class="error">{output.error}</pre>}
              </>
            ) : (
              <p class="muted">Nothing run yet.</p>
            )}
          </div>
        </aside>
      </div>
    </section>
  );
}
