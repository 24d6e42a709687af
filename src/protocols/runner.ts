// Wire types of the runner protocol (spec 002, /appws and /devws; docs/protocols/runner.md).
// Every message, both ways, is the envelope `{action, data?}`; a refusal is
// `{action: 'error', error, details?}` (details only on /devws). Shared by the server
// (src/apps/runner) and the SDK (src/client): types only.

export type RunnerLanguage = 'python' | 'javascript';
export type RunMode = 'standalone' | 'cluster';

// --- client → server ---------------------------------------------------------------

export interface RunCodeRequest {
  language: RunnerLanguage;
  code: string;
  /** The spec always sends it; a missing mode means standalone. */
  mode?: RunMode;
  /** Beyond the spec: text for the program's standard input. */
  stdin?: string;
  /** Beyond the spec: CPU deadline in ms (server bounds apply). */
  timeoutMs?: number;
}

export interface TaskSpec {
  id: string;
  action: string;
  params?: unknown;
}

export interface StartTasksRequest {
  tasks: TaskSpec[];
}

/** A player of startGame: a name, or a name with the id it should have. */
export type PlayerSpec = string | { id?: number; name: string };

/** startGame's data; left out (or null): the default players. */
export type StartGameRequest = { players?: PlayerSpec[] } | null | undefined;

export interface UpdateScoreRequest {
  playerId: number;
  change: number;
}

export interface RunnerClientData {
  runCode: RunCodeRequest;
  startTasks: StartTasksRequest;
  startGame: StartGameRequest;
  updateScore: UpdateScoreRequest;
  /** Beyond the spec: the current leaderboard, to the sender only (data ignored). */
  getLeaderboard: unknown;
}

export type RunnerClientAction = keyof RunnerClientData;

/** `data` may be left out where the action takes none (startGame, getLeaderboard). */
export type RunnerClientMessage = {
  [A in RunnerClientAction]: undefined extends RunnerClientData[A]
    ? { action: A; data?: RunnerClientData[A] }
    : { action: A; data: RunnerClientData[A] };
}[RunnerClientAction];

// --- server → client ---------------------------------------------------------------

export interface RunOutput {
  output: string;
  error: string | null;
  executionTime: number;
  memoryUsed: number;
  /** /devws only: how the run went (verdict, streams, timings). */
  details?: Record<string, unknown>;
}

export type TaskStatus = 'running' | 'completed' | 'failed';

export interface TaskUpdate {
  taskId: string;
  status: TaskStatus;
  progress: number;
  /** only on the final update */
  result?: unknown;
}

export interface LeaderboardEntry {
  id: number;
  name: string;
  score: number;
}

export interface RunnerServerData {
  output: RunOutput;
  taskUpdate: TaskUpdate;
  leaderboardUpdate: LeaderboardEntry[];
}

export type RunnerServerAction = keyof RunnerServerData;

export type RunnerServerMessage = {
  [A in RunnerServerAction]: { action: A; data: RunnerServerData[A] };
}[RunnerServerAction];

export interface RunnerErrorMessage {
  action: 'error';
  error: string;
  /** /devws only. */
  details?: Record<string, unknown>;
}
