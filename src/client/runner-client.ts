// The runner protocol (spec 002, /appws, or /devws with debugging detail): run code,
// background tasks with progress, a live leaderboard.
//
// runCode has no request id on the wire; the server answers every runCode of a
// connection exactly once, in request order (an `output`, or an `error` for a refused
// run). So `runCode()` resolves with the next `output` in line. An `error` is taken as
// the answer of the oldest runCode in flight unless it is one of the errors that answer
// other actions (see OTHER_ERRORS). Rate-limited messages get no answer slot: a dropped
// runCode then times out (RequestTimeoutError). The SDK also sends an `id` with each
// runCode (the server ignores unknown fields); a server that echoes it is matched exactly.
import { ProtocolClient, type ClientOptions } from './client-base.js';
import { RingsideClientError } from './errors.js';
import { newRequestId, PendingRequests } from './pending-requests.js';
import type {
  LeaderboardEntry,
  PlayerSpec,
  RunCodeRequest,
  RunnerClientMessage,
  RunnerErrorMessage as WireErrorMessage,
  RunOutput,
  TaskSpec as Task,
  TaskUpdate,
} from '../protocols/runner.js';

// The wire types are the server's own (src/protocols/runner.ts); type-only imports, so
// the compiled SDK loads nothing from outside src/client.
export type {
  LeaderboardEntry,
  RunCodeRequest,
  RunOutput,
  TaskSpec as Task,
  TaskUpdate,
} from '../protocols/runner.js';

/** A refusal as the 'error' event hands it over (the wire's `{action: 'error', …}`). */
export type RunnerErrorMessage = Omit<WireErrorMessage, 'action'>;

export interface RunnerEvents {
  output: [output: RunOutput];
  taskUpdate: [update: TaskUpdate];
  leaderboardUpdate: [entries: LeaderboardEntry[]];
  /** An error not taken as the answer of a runCode. */
  error: [error: RunnerErrorMessage];
}

/** The server refused a request ({action: 'error'}). */
export class RunnerRequestError extends RingsideClientError {
  constructor(
    readonly error: string,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(`runner refused the request: ${error}`);
  }
}

export interface RunnerClientOptions extends ClientOptions {
  /** Use /devws (errors and outputs carry debugging details). Default false: /appws. */
  dev?: boolean;
  /**
   * A shared game to join by name (`?game=`): everyone in it sees one leaderboard, and
   * only its first member may restart it. Without it the connection plays its own game.
   */
  game?: string;
}

/** Errors that answer something other than runCode (their text says so). */
const OTHER_ERRORS = [
  /^Rate limited$/,
  /^Invalid JSON$/,
  /^Invalid message/,
  /^Binary messages/,
  /^Unknown action/,
  /^Unknown player/,
  /^Invalid data for (?!runCode\b)/,
  /^Too many tasks/,
  /^Duplicate task id/,
  /^Connection closing/,
];

export class RunnerClient extends ProtocolClient<RunnerEvents> {
  private readonly runs: PendingRequests;
  private readonly tasks = new Map<
    string,
    { resolve: (u: TaskUpdate) => void; reject: (e: Error) => void }
  >();

  constructor(options: RunnerClientOptions = {}) {
    const path = options.dev ? '/devws' : '/appws';
    super(options, options.game ? `${path}?game=${encodeURIComponent(options.game)}` : path, {
      // No ping action in the spec: getLeaderboard is the cheapest request with an answer.
      heartbeat: { message: JSON.stringify({ action: 'getLeaderboard' }) },
    });
    this.runs = new PendingRequests(this.socket);
    // Standings may have changed while offline: ask again if anyone is listening.
    this.socket.addOpenHook((info) => {
      if (info.reconnected && this.listenerCount('leaderboardUpdate') > 0) {
        this.sendJson({ action: 'getLeaderboard' });
      }
    });
    this.socket.on('close', (info) => {
      // The server cancels a connection's tasks when it closes.
      for (const [taskId, waiter] of [...this.tasks]) {
        this.tasks.delete(taskId);
        waiter.reject(
          new RunnerRequestError(
            `task ${taskId} cancelled: connection closed (${info.code})`,
            undefined,
          ),
        );
      }
    });
    this.autoConnect();
  }

  /** Runs code in the server's sandbox; resolves with its output (see the top comment). */
  runCode(request: RunCodeRequest): Promise<RunOutput> {
    const id = newRequestId();
    return this.runs.start<RunOutput>(id, 'runCode', id, this.requestTimeoutMs, (onSent) =>
      this.sendJson(
        // `id` is beyond the wire type: the server ignores it (see the top comment).
        {
          ...({
            action: 'runCode',
            data: { mode: 'standalone', ...request },
          } satisfies RunnerClientMessage),
          id,
        },
        onSent,
      ),
    );
  }

  /** Starts background tasks; their progress arrives as 'taskUpdate' events. */
  startTasks(tasks: Task[]): 'sent' | 'queued' {
    return this.sendJson({ action: 'startTasks', data: { tasks } } satisfies RunnerClientMessage);
  }

  /** Resolves with the task's final update (completed or failed). Call before it can end. */
  taskResult(taskId: string): Promise<TaskUpdate> {
    return new Promise((resolve, reject) => this.tasks.set(taskId, { resolve, reject }));
  }

  /** Starts a game (optionally with players); everyone gets 'leaderboardUpdate'. */
  startGame(players?: PlayerSpec[]): 'sent' | 'queued' {
    return this.sendJson(
      players
        ? ({ action: 'startGame', data: { players } } satisfies RunnerClientMessage)
        : { action: 'startGame' },
    );
  }

  updateScore(playerId: number, change: number): 'sent' | 'queued' {
    return this.sendJson({
      action: 'updateScore',
      data: { playerId, change },
    } satisfies RunnerClientMessage);
  }

  /** The current standings (the next leaderboardUpdate, which is always the whole board). */
  getLeaderboard(): Promise<LeaderboardEntry[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(
          new RunnerRequestError(`no leaderboard within ${this.requestTimeoutMs} ms`, undefined),
        );
      }, this.requestTimeoutMs);
      const off = this.on('leaderboardUpdate', (entries) => {
        clearTimeout(timer);
        off();
        resolve(entries);
      });
      try {
        this.sendJson({ action: 'getLeaderboard' });
      } catch (error) {
        clearTimeout(timer);
        off();
        reject(error as Error);
      }
    });
  }

  protected onMessage(message: Record<string, unknown>): void {
    const id = typeof message.id === 'string' ? message.id : undefined;
    switch (message.action) {
      case 'output': {
        const key = id && this.runs.has(id) ? id : this.runs.oldestSent();
        if (key) this.runs.resolve(key, message.data);
        this.emit('output', message.data as RunOutput);
        return;
      }
      case 'error': {
        const error = {
          error: String(message.error),
          details: message.details as Record<string, unknown> | undefined,
        };
        const key =
          id && this.runs.has(id)
            ? id
            : OTHER_ERRORS.some((re) => re.test(error.error))
              ? undefined
              : this.runs.oldestSent();
        if (key) this.runs.reject(key, new RunnerRequestError(error.error, error.details));
        else this.emit('error', error);
        return;
      }
      case 'taskUpdate': {
        const update = message.data as TaskUpdate;
        this.emit('taskUpdate', update);
        if (update.status !== 'running') {
          const waiter = this.tasks.get(update.taskId);
          this.tasks.delete(update.taskId);
          waiter?.resolve(update);
        }
        return;
      }
      case 'leaderboardUpdate':
        this.emit('leaderboardUpdate', message.data as LeaderboardEntry[]);
        return;
    }
  }
}
