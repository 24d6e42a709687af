// The runner (spec 002): code run on the server (output, time, memory), background tasks
// with live progress bars, and the one live leaderboard everyone connected sees.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  RunnerClient,
  RunnerRequestError,
  type LeaderboardEntry,
  type RunOutput,
  type TaskUpdate,
} from '@client/index.js';
import { CodeEditor } from '../battle/code-editor';
import { RECONNECT, watchSocket } from '../lib/connection';
import { useTitle } from '../lib/title';
import { notify } from '../lib/toasts';

const STARTERS: Record<'python' | 'javascript', string> = {
  python: 'print(sum(range(10)))\n',
  javascript: 'console.log([1, 2, 3].map((x) => x * 2));\n',
};

/** The shared game of the runner page (spec 002's leaderboard, one for everyone here). */
const RUNNER_GAME = 'lobby';

export function RunnerPage() {
  useTitle('Runner');
  const clientRef = useRef<RunnerClient | null>(null);
  const [language, setLanguage] = useState<'python' | 'javascript'>('python');
  const code = useRef(STARTERS.python);
  const [output, setOutput] = useState<RunOutput | null>(null);
  const [running, setRunning] = useState(false);
  const [tasks, setTasks] = useState<Map<string, TaskUpdate>>(new Map());
  const [board, setBoard] = useState<LeaderboardEntry[]>([]);
  const batch = useRef(0);

  useEffect(() => {
    // Everyone on this page plays one shared game (its first member may restart it).
    const client = new RunnerClient({ ...RECONNECT, game: RUNNER_GAME });
    clientRef.current = client;
    const unwatch = watchSocket(client.socket);
    const offs = [
      client.on('taskUpdate', (update) =>
        setTasks((now) => new Map(now).set(update.taskId, update)),
      ),
      client.on('leaderboardUpdate', setBoard),
      client.on('error', (error) => notify(error.error, 'error')),
      // The leaderboard is not sent on connect: ask after every (re)connection.
      client.socket.on('open', () => void client.getLeaderboard().then(setBoard, () => {})),
    ];
    return () => {
      for (const off of offs) off();
      unwatch();
      client.close();
    };
  }, []);

  const run = async () => {
    const client = clientRef.current;
    if (!client) return;
    setRunning(true);
    try {
      setOutput(await client.runCode({ language, code: code.current }));
    } catch (error) {
      notify(error instanceof RunnerRequestError ? error.error : (error as Error).message, 'error');
    } finally {
      setRunning(false);
    }
  };

  const startTasks = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const count = Math.min(10, Math.max(1, Number(form.get('count')) || 1));
    const ms = Math.min(60_000, Math.max(0, Number(form.get('ms')) || 0));
    const n = ++batch.current;
    clientRef.current?.startTasks(
      Array.from({ length: count }, (_, i) => ({
        id: `batch${n}-task${i + 1}`,
        action: 'sleep',
        params: { ms },
      })),
    );
  };

  const language_ = (next: 'python' | 'javascript') => {
    setLanguage(next);
    code.current = STARTERS[next];
  };

  return (
    <section class="page runner">
      <h1>Runner</h1>
      <div class="runner-grid">
        <section aria-labelledby="run-heading">
          <h2 id="run-heading">Run code on the server</h2>
          <div class="row">
            <label class="inline">
              Language
              <select
                value={language}
                onChange={(e) =>
                  language_((e.currentTarget as HTMLSelectElement).value as 'python')
                }
              >
                <option value="python">Python</option>
                <option value="javascript">JavaScript</option>
              </select>
            </label>
            <button type="button" onClick={() => void run()} disabled={running}>
              {running ? 'Running…' : 'Run'}
            </button>
          </div>
          <CodeEditor
            initial={STARTERS[language]}
            language={language}
            onChange={(c) => (code.current = c)}
          />
          <div class="output" data-testid="run-output" aria-live="polite">
            {output ? (
              <>
                <p class="muted">
                  {output.executionTime.toFixed(2)} ms · {output.memoryUsed.toFixed(1)} MiB
                </p>
                <pre>{output.output}</pre>
                {output.error && <pre class="error">{output.error}</pre>}
              </>
            ) : (
              <p class="muted">Output appears here.</p>
            )}
          </div>
        </section>
        <section aria-labelledby="tasks-heading">
          <h2 id="tasks-heading">Tasks</h2>
          <form class="row" onSubmit={startTasks}>
            <label class="inline">
              How many
              <input name="count" type="number" min={1} max={10} value={2} class="short" />
            </label>
            <label class="inline">
              Each (ms)
              <input
                name="ms"
                type="number"
                min={0}
                max={60000}
                step={100}
                value={3000}
                class="short"
              />
            </label>
            <button type="submit">Start</button>
          </form>
          <ul class="tasks" data-testid="tasks">
            {[...tasks.values()].map((task) => (
              <li key={task.taskId}>
                <label>
                  {task.taskId}: {task.status}
                  <progress max={1} value={task.progress ?? 0} data-progress={task.progress ?? 0}>
                    {Math.round((task.progress ?? 0) * 100)}%
                  </progress>
                </label>
              </li>
            ))}
          </ul>
          <h2>Leaderboard</h2>
          <table class="table" data-testid="runner-leaderboard">
            <thead>
              <tr>
                <th scope="col">Player</th>
                <th scope="col">Score</th>
                <th scope="col">
                  <span class="sr-only">Change</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {board.map((entry) => (
                <tr key={entry.id}>
                  <th scope="row">{entry.name}</th>
                  <td>{entry.score}</td>
                  <td class="row">
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`${entry.name} +10`}
                      onClick={() => clientRef.current?.updateScore(entry.id, 10)}
                    >
                      +10
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`${entry.name} −10`}
                      onClick={() => clientRef.current?.updateScore(entry.id, -10)}
                    >
                      −10
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" class="secondary" onClick={() => clientRef.current?.startGame()}>
            New game
          </button>
        </section>
      </div>
    </section>
  );
}
