// The parent's handle on one sandbox worker process: start-up, one job at a
// time over IPC, and the backstop that kills a worker whose guest did not stop
// by itself (the job is then answered with a time-limit verdict).
import { spawn, type ChildProcess } from 'node:child_process';
import { parseWorkerMessage } from './worker-messages-check.js';
import { processCpuMs } from './proc-cpu.js';
import { WALL_FACTOR } from './worker/run-guard.js';
import type { WorkerCommand } from './worker-command.js';
import type {
  JudgeJob,
  JudgeOutcome,
  Language,
  RunJob,
  RunOutcome,
  RunStatus,
  TestOutcome,
  WorkerMessage,
} from './worker/messages.js';

export type WorkerState = 'starting' | 'idle' | 'busy' | 'retiring' | 'dead';

const STDERR_TAIL_BYTES = 8192;
/** How often the backstop looks at a worker's CPU time once its deadline has passed. */
const CPU_POLL_MS = 250;
/** A retiring worker that has not exited by then is killed. */
const RETIRE_TIMEOUT_MS = 2000;

interface PendingJob {
  job: RunJob | JudgeJob;
  startedAt: number;
  tests: TestOutcome[];
  /** a judged submission finished loading (top-level code ran, function found) */
  loaded: boolean;
  timer: NodeJS.Timeout | null;
  resolve(outcome: RunOutcome | JudgeOutcome): void;
}

export interface WorkerProcessOptions {
  language: Language;
  command: WorkerCommand;
  bootTimeoutMs: number;
  graceMs: number;
  onExit(worker: WorkerProcess, reason: string): void;
}

let nextWorkerId = 1;

export class WorkerProcess {
  readonly id = nextWorkerId++;
  readonly language: Language;
  state: WorkerState = 'starting';
  bootMs = 0;
  jobsDone = 0;
  /** when the worker last became idle (it wipes its state right after a job, so older is readier) */
  idleSince = 0;
  /** why the worker died, once it has */
  deathReason: string | null = null;
  readonly ready: Promise<void>;

  private readonly child: ChildProcess;
  private stderrTail = '';
  private pending: PendingJob | null = null;
  private readonly options: WorkerProcessOptions;
  private markReady!: () => void;
  private failBoot!: (err: Error) => void;

  constructor(options: WorkerProcessOptions) {
    this.options = options;
    this.language = options.language;
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failBoot = reject;
    });
    this.ready.catch(() => {});
    const started = Date.now();
    this.child = spawn(options.command.command, options.command.args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Nothing of the server's environment (secrets, NODE_OPTIONS) reaches a worker.
      env: {},
      serialization: 'json',
    });
    const bootTimer = setTimeout(
      () => this.kill(`did not start within ${options.bootTimeoutMs} ms`),
      options.bootTimeoutMs,
    );
    this.ready.then(
      () => clearTimeout(bootTimer),
      () => clearTimeout(bootTimer),
    );
    const keepTail = (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    };
    this.child.stdout?.on('data', keepTail);
    this.child.stderr?.on('data', keepTail);
    this.child.on('message', (raw) => this.onMessage(raw, started));
    this.child.on('error', (err) => this.onDeath(`could not start: ${err.message}`));
    this.child.on('exit', (code, signal) =>
      this.onDeath(this.deathReason ?? `exited (${signal ?? `code ${code}`})`),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines the worker wrote to stdout/stderr, for diagnostics. */
  get output(): string {
    return this.stderrTail;
  }

  /** Runs one job; never rejects: a dead or killed worker yields a synthesized outcome. */
  runJob(job: RunJob | JudgeJob): Promise<RunOutcome | JudgeOutcome> {
    if (this.state !== 'idle') throw new Error(`worker ${this.id} is ${this.state}`);
    this.state = 'busy';
    return new Promise((resolve) => {
      this.pending = {
        job,
        startedAt: performance.now(),
        tests: [],
        loaded: false,
        timer: null,
        resolve,
      };
      this.armBackstop();
      this.child.send(job, (err) => {
        if (err) this.kill(`could not send a job: ${err.message}`);
      });
    });
  }

  kill(reason: string): void {
    if (this.state === 'dead') return;
    this.deathReason ??= reason;
    this.child.kill('SIGKILL');
    // 'exit' follows and finishes the bookkeeping in onDeath.
  }

  /**
   * The worker stops its guest itself at the deadline; this is the backstop for
   * a guest that never reaches an interrupt check. Each phase (a run; loading,
   * then each test of a judging) is killed once the worker has used
   * `timeout + grace` of CPU (read from /proc), or at the latest at the
   * wall-clock cap (`timeout x ${WALL_FACTOR}`) plus the grace period.
   */
  private armBackstop(): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.timer) clearTimeout(pending.timer);
    const { timeoutMs } = pending.job;
    const { graceMs } = this.options;
    const phaseStart = performance.now();
    const cpuAtStart = processCpuMs(this.pid);
    const hardCap = timeoutMs * WALL_FACTOR + graceMs;
    const check = () => {
      if (this.pending !== pending) return;
      const wall = performance.now() - phaseStart;
      const cpu = cpuAtStart === null ? null : processCpuMs(this.pid);
      const overCpu = cpu !== null && cpu - cpuAtStart! >= timeoutMs + graceMs;
      if (wall >= hardCap || overCpu) {
        this.finishPending(this.synthesize('timeout', 'Time limit exceeded'));
        this.kill('did not stop at its deadline');
        return;
      }
      const next = cpu === null ? hardCap - wall : Math.min(CPU_POLL_MS, hardCap - wall);
      pending.timer = setTimeout(check, Math.max(1, next));
    };
    pending.timer = setTimeout(check, timeoutMs + graceMs);
  }

  private onMessage(raw: unknown, started: number): void {
    const message = parseWorkerMessage(raw);
    if (!message) return this.kill('sent a malformed message');
    switch (message.type) {
      case 'ready':
        if (this.state !== 'starting') return this.kill('sent ready twice');
        this.bootMs = Date.now() - started;
        this.state = 'idle';
        this.idleSince = performance.now();
        this.markReady();
        return;
      case 'fatal':
        this.deathReason = `fatal: ${message.message}`;
        return;
      case 'progress':
        if (!this.acceptsJobMessage(message, 'judge'))
          return this.kill('sent an unexpected message');
        if (message.test) this.pending!.tests.push(message.test);
        else this.pending!.loaded = true;
        this.armBackstop();
        return;
      case 'result':
      case 'judged':
        if (!this.acceptsJobMessage(message, message.type === 'result' ? 'run' : 'judge')) {
          return this.kill('sent an unexpected message');
        }
        this.jobsDone++;
        this.finishPending(message.outcome);
        if (message.retire) {
          // The worker exits by itself; it must not get another job meanwhile.
          this.state = 'retiring';
          setTimeout(() => this.kill('did not exit when retiring'), RETIRE_TIMEOUT_MS).unref();
        } else {
          this.state = 'idle';
          this.idleSince = performance.now();
        }
        return;
    }
  }

  private acceptsJobMessage(
    message: WorkerMessage & { id: number },
    kind: 'run' | 'judge',
  ): boolean {
    return (
      this.state === 'busy' && this.pending?.job.id === message.id && this.pending.job.type === kind
    );
  }

  private finishPending(outcome: RunOutcome | JudgeOutcome): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    if (pending.timer) clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  /** The answer for a job whose worker died or was killed before answering. */
  private synthesize(status: RunStatus, error: string): RunOutcome | JudgeOutcome {
    const pending = this.pending!;
    if (pending.job.type === 'run') {
      return {
        status,
        stdout: '',
        stderr: '',
        error,
        executionTime: Math.round(performance.now() - pending.startedAt),
        memoryUsed: 0,
        truncated: false,
      };
    }
    if (!pending.loaded) {
      return { loadStatus: status, loadError: error, tests: [], memoryUsed: 0, truncated: false };
    }
    const tests = [...pending.tests];
    const total = pending.job.inputs.length;
    // The test in progress gets the verdict.
    if (tests.length < total)
      tests.push({ status, actual: null, error, stdout: '', executionTime: 0 });
    while (tests.length < total) {
      tests.push({ status: 'skipped', actual: null, error: null, stdout: '', executionTime: 0 });
    }
    return { loadStatus: 'ok', loadError: null, tests, memoryUsed: 0, truncated: false };
  }

  private onDeath(reason: string): void {
    if (this.state === 'dead') return;
    const wasStarting = this.state === 'starting';
    this.state = 'dead';
    this.deathReason = reason;
    if (this.pending) {
      this.finishPending(
        this.synthesize('runtime_error', 'the sandbox worker crashed while running this code'),
      );
    }
    if (wasStarting) this.failBoot(new Error(`sandbox worker ${reason}`));
    this.options.onExit(this, reason);
  }
}
