// Battles (spec 000): pick difficulty, language and mode; wait in the queue (live timer,
// Cancel); play (problem, editor with the starter, Run on the examples in the browser,
// Submit to the server's judge, the opponent's status, the server's clock, battle chat);
// see the result with scores and rating changes. Invitations arrive as notifications.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ArenaClient,
  ArenaRequestError,
  type ArenaLanguage,
  type BattleEnded,
  type BattleMode,
  type Difficulty,
  type ExecutionResult,
} from '@client/index.js';
import { api } from '../lib/api';
import { RECONNECT, watchSocket } from '../lib/connection';
import { SignInFirst, useUser } from '../lib/require-user';
import { authToken } from '../lib/session-token';
import type { User } from '../lib/session';
import { useTitle } from '../lib/title';
import { notify } from '../lib/toasts';
import { CodeEditor } from './code-editor';
import { runExamples, type ExampleResult } from './run-examples';
import { BattleChat } from './battle-chat';
import { Result } from './battle-result';
import { message, type Matched } from './battle-types';
import { Notifications, toInvitation, type Invitation } from './invitations';

type Phase =
  | { kind: 'lobby' }
  | { kind: 'queued'; since: number; difficulty: Difficulty; mode: BattleMode }
  | { kind: 'battle'; matched: Matched; clockOffsetMs: number }
  | { kind: 'ended'; matched: Matched; ended: BattleEnded };

export function BattlesPage() {
  useTitle('Battles');
  const user = useUser();
  if (!user) return <SignInFirst what="Battles" />;
  return <Arena key={user.id} user={user} />;
}

function Arena({ user }: { user: User }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'lobby' });
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const clientRef = useRef<ArenaClient | null>(null);

  useEffect(() => {
    const client = new ArenaClient({ token: () => authToken() ?? '', ...RECONNECT });
    clientRef.current = client;
    const unwatch = watchSocket(client.socket);
    const offs = [
      client.on('battle:matched', (data, envelope) => {
        const sent = envelope.timestamp ? Date.parse(envelope.timestamp) : Date.now();
        setPhase({
          kind: 'battle',
          matched: data as unknown as Matched,
          clockOffsetMs: sent - Date.now(),
        });
        notify(`Matched with ${data.opponent.username}`);
      }),
      client.on('battle:ended', (ended) =>
        setPhase((now) =>
          now.kind === 'battle' ? { kind: 'ended', matched: now.matched, ended } : now,
        ),
      ),
      client.on('notification:user', (data) => {
        const invitation = toInvitation(data);
        setInvitations((list) => [invitation, ...list.filter((i) => i.id !== invitation.id)]);
        notify(invitation.title);
      }),
      client.on('notification:system', (data) =>
        notify(String(data.title ?? data.message ?? 'Notice')),
      ),
    ];
    api<{ notifications: Array<Record<string, unknown>> }>(
      'GET',
      '/api/notifications?limit=20',
    ).then(
      ({ notifications }) =>
        setInvitations(
          notifications.filter((n) => n.kind === 'user' && !n.response).map(toInvitation),
        ),
      () => {},
    );
    return () => {
      for (const off of offs) off();
      unwatch();
      client.close();
    };
  }, [user.id]);

  const client = clientRef.current;
  return (
    <section class="page battles">
      {phase.kind === 'lobby' && client && (
        <Lobby
          client={client}
          onQueued={(q) => setPhase({ kind: 'queued', since: Date.now(), ...q })}
        />
      )}
      {phase.kind === 'queued' && client && (
        <Queue client={client} phase={phase} onCancelled={() => setPhase({ kind: 'lobby' })} />
      )}
      {phase.kind === 'battle' && client && (
        <Battle
          client={client}
          user={user}
          matched={phase.matched}
          clockOffsetMs={phase.clockOffsetMs}
        />
      )}
      {phase.kind === 'ended' && (
        <Result
          user={user}
          matched={phase.matched}
          ended={phase.ended}
          onAgain={() => setPhase({ kind: 'lobby' })}
        />
      )}
      {client && phase.kind !== 'battle' && (
        <Notifications client={client} invitations={invitations} setInvitations={setInvitations} />
      )}
    </section>
  );
}

function Lobby({
  client,
  onQueued,
}: {
  client: ArenaClient;
  onQueued: (q: { difficulty: Difficulty; mode: BattleMode }) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const read = (form: HTMLFormElement) => {
    const data = new FormData(form);
    return {
      difficulty: String(data.get('difficulty')) as Difficulty,
      language: String(data.get('language')) as ArenaLanguage,
      mode: String(data.get('mode')) as BattleMode,
    };
  };
  return (
    <>
      <h1>Battles</h1>
      <p>Two players, one problem, one clock. The first to pass every test wins.</p>
      <form
        class="row"
        onSubmit={async (event) => {
          event.preventDefault();
          const choice = read(event.currentTarget as HTMLFormElement);
          setError(null);
          try {
            await client.joinBattle(choice);
            onQueued(choice);
          } catch (err) {
            setError(message(err));
          }
        }}
      >
        <label class="inline">
          Difficulty
          <select name="difficulty">
            <option value="easy">Easy</option>
            <option value="medium">Medium</option>
            <option value="hard">Hard</option>
          </select>
        </label>
        <label class="inline">
          Language
          <select name="language">
            <option value="javascript">JavaScript</option>
            <option value="python">Python</option>
          </select>
        </label>
        <label class="inline">
          Mode
          <select name="mode">
            <option value="quick-battle">Quick battle</option>
            <option value="ranked">Ranked</option>
            <option value="practice">Practice (unrated)</option>
          </select>
        </label>
        <button type="submit">Find an opponent</button>
      </form>
      <h2>Challenge someone</h2>
      <form
        class="row"
        onSubmit={async (event) => {
          event.preventDefault();
          const form = event.currentTarget as HTMLFormElement;
          const username = String(new FormData(form).get('username') ?? '').trim();
          setError(null);
          try {
            await client.invite({ username, difficulty: 'easy', language: 'javascript' });
            notify(`Invitation sent to ${username}`);
            form.reset();
          } catch (err) {
            setError(message(err));
          }
        }}
      >
        <label class="inline">
          Username
          <input name="username" required />
        </label>
        <button type="submit" class="secondary">
          Invite (easy)
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p>
        <a href="/leaderboard">Leaderboard</a> · <a href="/problems">Problems</a> ·{' '}
        <a href="/teams">Teams</a>
      </p>
    </>
  );
}

function useNow(intervalMs = 250): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

const clock = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

function Queue({
  client,
  phase,
  onCancelled,
}: {
  client: ArenaClient;
  phase: { since: number; difficulty: Difficulty; mode: BattleMode };
  onCancelled: () => void;
}) {
  const now = useNow();
  return (
    <>
      <h1>Looking for an opponent…</h1>
      <p>
        {phase.difficulty}, {phase.mode}. Waiting{' '}
        <span data-testid="queue-timer" class="timer">
          {clock(now - phase.since)}
        </span>
      </p>
      <button
        type="button"
        class="secondary"
        onClick={async () => {
          try {
            await client.leaveBattle();
          } catch (err) {
            notify(message(err), 'error');
          }
          onCancelled();
        }}
      >
        Cancel
      </button>
    </>
  );
}

function Battle({
  client,
  user,
  matched,
  clockOffsetMs,
}: {
  client: ArenaClient;
  user: User;
  matched: Matched;
  clockOffsetMs: number;
}) {
  const code = useRef(matched.problem.starter ?? '');
  const [runResults, setRunResults] = useState<{
    results: ExampleResult[];
    output: string;
    error: string | null;
  } | null>(null);
  const [submissions, setSubmissions] = useState<ExecutionResult[]>([]);
  const [busy, setBusy] = useState<'run' | 'submit' | null>(null);
  const [opponent, setOpponent] = useState('Writing code');
  const now = useNow();
  const left = Date.parse(matched.endsAt) - (now + clockOffsetMs);

  useEffect(() => {
    const offs = [
      client.on('battle:submission', (data) => {
        if (data.userId !== user.id) setOpponent(`Submitted at ${new Date().toLocaleTimeString()}`);
      }),
      client.on('battle:execution_result', (result) => setSubmissions((list) => [result, ...list])),
    ];
    return () => offs.forEach((off) => off());
  }, [client, user.id]);

  const run = async () => {
    setBusy('run');
    try {
      setRunResults(
        await runExamples(
          matched.language,
          code.current,
          matched.problem.function ?? 'solve',
          matched.problem.examples ?? [],
        ),
      );
    } finally {
      setBusy(null);
    }
  };
  const submit = async () => {
    setBusy('submit');
    try {
      await client.submit({
        battleId: matched.battleId,
        code: code.current,
        language: matched.language,
      });
    } catch (err) {
      const details = err instanceof ArenaRequestError ? err.details : {};
      notify(`${message(err)}${details.message ? `: ${String(details.message)}` : ''}`, 'error');
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="battle">
      <div class="battle-bar">
        <h1>{matched.problem.title}</h1>
        <span class="muted">
          vs <strong>{matched.opponent.username}</strong> ({matched.opponent.rating})
        </span>
        <span class="timer" data-testid="battle-clock" role="timer" aria-label="Time left">
          {clock(left)}
        </span>
      </div>
      <div class="battle-main">
        <div>
          <p class="problem-text">{matched.problem.description}</p>
          <h2>Examples</h2>
          <ul class="examples">
            {(matched.problem.examples ?? []).map((e, i) => (
              <li key={i}>
                <code>
                  {matched.problem.function}({e.input.map((v) => JSON.stringify(v)).join(', ')}) →{' '}
                  {JSON.stringify(e.output)}
                </code>
              </li>
            ))}
          </ul>
          <CodeEditor
            initial={matched.problem.starter ?? ''}
            language={matched.language}
            onChange={(c) => (code.current = c)}
          />
          <div class="row">
            <button
              type="button"
              class="secondary"
              disabled={busy !== null}
              onClick={() => void run()}
            >
              Run examples
            </button>
            <button type="button" disabled={busy !== null} onClick={() => void submit()}>
              {busy === 'submit' ? 'Judging…' : 'Submit'}
            </button>
          </div>
        </div>
        <aside>
          <h2>Opponent</h2>
          <p data-testid="opponent-status">{opponent}</p>
          {runResults && (
            <>
              <h2>Examples run</h2>
              <ul class="results" data-testid="run-results">
                {runResults.results.map((r, i) => (
                  <li key={i} class={r.passed ? 'pass' : 'fail'}>
                    {r.passed ? 'Passed' : 'Failed'}: expected {JSON.stringify(r.expected)}, got{' '}
                    {r.actual}
                  </li>
                ))}
              </ul>
              {runResults.output && <pre>{runResults.output}</pre>}
              {runResults.error && <pre class="error">{runResults.error}</pre>}
            </>
          )}
          <h2>Your submissions</h2>
          <ol class="results" data-testid="submissions">
            {submissions.map((s, i) => (
              <li key={submissions.length - i}>
                {s.testsPassed}/{s.totalTests} tests passed ({s.executionTime.toFixed(3)} s,{' '}
                {s.memoryUsed} MiB)
                <ul>
                  {s.errors.map((e) => (
                    <li key={String(e.test)} class="fail">
                      Test {String(e.test)}: {String(e.verdict)}
                      {e.hidden ? ' (hidden)' : ` — ${String(e.message)}`}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
          <BattleChat client={client} battleId={matched.battleId} />
        </aside>
      </div>
    </div>
  );
}
