// SandboxPool: the public entry point. Warm worker processes per language,
// fair bounded queues, request validation, the mapping from what workers
// report to RunResult / JudgeResult, and one event per request for metrics.
import { SandboxClosedError, SandboxError, SandboxUnavailableError } from './errors.js';
import { buildJudgeResult } from './judge.js';
import { LanguagePool, type Lease } from './language-pool.js';
import { jobClass, normalizeJudge, normalizeRun, resolveOwner } from './requests.js';
import {
  probeNetworkNamespace,
  resolveRuntimeFiles,
  workerCommand,
  type RuntimeFiles,
} from './worker-command.js';
import { WorkerProcess } from './worker-process.js';
import { TRUNCATION_MARKER } from './worker/capped-output.js';
import {
  DEFAULTS,
  LIMITS,
  type JobClass,
  type JudgeRequest,
  type JudgeResult,
  type Language,
  type RunRequest,
  type RunResult,
  type SandboxDefaults,
  type SandboxFairness,
  type SandboxInfo,
  type SandboxJobEvent,
  type SandboxLimits,
  type SandboxPoolOptions,
  type SandboxState,
} from './types.js';
import type { JudgeOutcome, RunJob, JudgeJob, RunOutcome } from './worker/messages.js';

const MiB = 1024 * 1024;
const FAIRNESS_DEFAULTS = { maxJobsPerOwner: 16, maxJobsPerAddress: 64 };

type JobListener = (event: SandboxJobEvent) => void;

export class SandboxPool {
  private readonly defaults: SandboxDefaults;
  private readonly limits: SandboxLimits;
  private readonly pools: Record<Language, LanguagePool>;
  private readonly graceMs: number;
  /** How long a worker may take to start, and how long requests wait for the first one. */
  private readonly startupTimeoutMs: number;
  private files: RuntimeFiles | null = null;
  private prefix: string[] = [];
  private starting: Promise<void> | null = null;
  private closed = false;
  private nextJobId = 1;
  private readonly listeners = new Set<JobListener>();

  constructor(private readonly options: SandboxPoolOptions = {}) {
    this.defaults = { ...DEFAULTS, ...options.defaults };
    this.limits = { ...LIMITS, ...options.limits };
    this.limits.maxMemoryLimitMb = Math.max(
      this.limits.maxMemoryLimitMb,
      this.defaults.memoryLimitMb,
    );
    this.graceMs = options.graceMs ?? 1000;
    this.startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
    const make = (language: Language, size: number) =>
      new LanguagePool({
        language,
        size,
        fairness: fairnessFor(language, size, options.fairness),
        queueLimit: options.queueLimit ?? 200,
        queueTimeoutMs: options.queueTimeoutMs ?? 10_000,
        startupTimeoutMs: this.startupTimeoutMs,
        logger: options.logger,
        spawn: (onExit) => this.spawnWorker(language, onExit),
      });
    this.pools = {
      python: make('python', options.pythonWorkers ?? 2),
      javascript: make('javascript', options.javascriptWorkers ?? 2),
    };
  }

  /** Starts warming every worker in the background and returns at once. */
  start(): void {
    if (this.starting || this.closed) return;
    this.starting = (async () => {
      this.files = resolveRuntimeFiles();
      const mode = this.options.networkIsolation ?? 'auto';
      this.prefix = mode === 'off' ? [] : await probeNetworkNamespace();
      if (mode === 'required' && this.prefix.length === 0) {
        throw new SandboxUnavailableError(
          'network isolation was required but unshare --net is not available',
        );
      }
      if (this.closed) return;
      this.options.logger?.info(
        {
          networkNamespace: this.prefix.length > 0,
          python: this.pools.python.size,
          javascript: this.pools.javascript.size,
        },
        'sandbox pool starting',
      );
      const startedAt = Date.now();
      this.pools.python.start();
      this.pools.javascript.start();
      Promise.all([this.pools.python.whenFull(), this.pools.javascript.whenFull()]).then(
        () => this.options.logger?.info({ warmMs: Date.now() - startedAt }, 'sandbox pool warm'),
        () => {}, // closed, or a language cannot start (logged where it fails)
      );
    })();
    this.starting.catch((err: Error) =>
      this.options.logger?.error({ err: err.message }, 'sandbox pool failed to start'),
    );
  }

  /** Resolves when every configured worker is warm. */
  async ready(): Promise<void> {
    this.start();
    await this.starting;
    await Promise.all([this.pools.python.whenFull(), this.pools.javascript.whenFull()]);
  }

  /** Where the pool is in its life (readiness reports it). */
  state(): SandboxState {
    if (this.closed) return 'closed';
    if (!this.starting) return 'idle';
    const pools = [this.pools.python, this.pools.javascript];
    if (pools.some((p) => p.unavailable())) return 'unavailable';
    return pools.every((p) => p.size === 0 || p.everFull) ? 'ready' : 'warming';
  }

  /** Calls `listener` once per request as it ends (answered or refused); returns an unsubscribe. */
  observe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  info(): SandboxInfo {
    return {
      state: this.state(),
      networkNamespace: this.prefix.length > 0,
      languages: [this.pools.python.status(), this.pools.javascript.status()],
    };
  }

  async run(request: RunRequest): Promise<RunResult> {
    return this.execute(request, 'run', (id) => {
      const req = normalizeRun(request, this.defaults, this.limits);
      const job: RunJob = {
        type: 'run',
        id,
        code: req.code,
        stdin: req.stdin,
        timeoutMs: req.timeoutMs,
        memoryLimitBytes: req.memoryLimitBytes,
        outputLimitBytes: req.outputLimitBytes,
      };
      return {
        job,
        finish: (raw): RunResult => {
          const outcome = raw as RunOutcome;
          return {
            verdict: outcome.status,
            stdout: capOutput(outcome.stdout, req.outputLimitBytes),
            stderr: capOutput(outcome.stderr, req.outputLimitBytes),
            error: outcome.error === null ? null : capOutput(outcome.error, req.outputLimitBytes),
            executionTime: outcome.executionTime,
            memoryUsed: Math.min(outcome.memoryUsed, req.memoryLimitBytes / MiB),
            truncated: outcome.truncated,
          };
        },
      };
    });
  }

  async judge(request: JudgeRequest): Promise<JudgeResult> {
    return this.execute(request, 'judge', (id) => {
      const req = normalizeJudge(request, this.defaults, this.limits);
      const job: JudgeJob = {
        type: 'judge',
        id,
        code: req.code,
        functionName: req.functionName,
        inputs: req.inputs,
        timeoutMs: req.timeoutMs,
        memoryLimitBytes: req.memoryLimitBytes,
        outputLimitBytes: req.outputLimitBytes,
      };
      return {
        job,
        finish: (raw): JudgeResult => {
          const outcome = raw as JudgeOutcome;
          for (const test of outcome.tests) {
            test.stdout = capOutput(test.stdout, req.outputLimitBytes);
            if (test.error !== null) test.error = capOutput(test.error, req.outputLimitBytes);
          }
          outcome.memoryUsed = Math.min(outcome.memoryUsed, req.memoryLimitBytes / MiB);
          return buildJudgeResult(req.tests, outcome);
        },
      };
    });
  }

  /**
   * The path every request takes: validate, wait for a worker in its owner's turn,
   * run, map the outcome; one event for the observers whatever happens.
   */
  private async execute<R extends RunResult | JudgeResult>(
    request: RunRequest | JudgeRequest,
    kind: 'run' | 'judge',
    prepare: (id: number) => {
      job: RunJob | JudgeJob;
      finish(outcome: RunOutcome | JudgeOutcome): R;
    },
  ): Promise<R> {
    const requested = performance.now();
    const language: unknown = (request as { language?: unknown } | null)?.language;
    let cls: JobClass = 'run';
    let waitMs: number | null = null;
    let runMs: number | null = null;
    let outcome = 'bad_request';
    try {
      const { job, finish } = prepare(this.nextJobId++);
      cls = jobClass(request.class);
      const owner = resolveOwner(request.owner);
      const pool = await this.poolFor(request.language);
      const lease: Lease = await pool.acquire(owner, cls, request.signal);
      waitMs = performance.now() - requested;
      try {
        const raw = await lease.worker.runJob(job);
        runMs = performance.now() - requested - waitMs;
        if (this.closed) throw new SandboxClosedError();
        const result = finish(raw);
        outcome = outcomeOf(result);
        return result;
      } finally {
        pool.release(lease);
      }
    } catch (error) {
      outcome = error instanceof SandboxError ? error.code.toLowerCase() : 'internal';
      throw error;
    } finally {
      if (this.listeners.size > 0 && (language === 'python' || language === 'javascript')) {
        const event: SandboxJobEvent = { language, class: cls, kind, outcome, waitMs, runMs };
        for (const listener of this.listeners) {
          try {
            listener(event);
          } catch {
            // An observer's failure is not the request's.
          }
        }
      }
    }
  }

  /** Kills every worker; pending and queued requests fail with SandboxClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.pools.python.close(), this.pools.javascript.close()]);
  }

  private async poolFor(language: Language): Promise<LanguagePool> {
    if (this.closed) throw new SandboxClosedError();
    this.start();
    await this.starting;
    return this.pools[language];
  }

  private spawnWorker(
    language: Language,
    onExit: (w: WorkerProcess, reason: string) => void,
  ): WorkerProcess {
    const command = workerCommand({
      language,
      files: this.files!,
      maxMemoryLimitBytes: this.limits.maxMemoryLimitMb * MiB,
      defaultMemoryLimitBytes: this.defaults.memoryLimitMb * MiB,
      prefix: this.prefix,
    });
    return new WorkerProcess({
      language,
      command,
      bootTimeoutMs: this.startupTimeoutMs,
      graceMs: this.graceMs,
      onExit,
    });
  }
}

/**
 * Workers already cap their output; this re-applies the cap in the parent so
 * that even a compromised worker cannot hand back more.
 */
/** The per-language fairness settings from the pool options and the language's size. */
function fairnessFor(
  language: Language,
  size: number,
  options: SandboxPoolOptions['fairness'],
): SandboxFairness {
  const judge = options?.judgeWorkers;
  const judgeWorkers = typeof judge === 'number' ? judge : judge?.[language];
  return {
    ...FAIRNESS_DEFAULTS,
    ...options,
    // A third of the workers, rounded down: none of 2, one of 3 (see docs/sandbox.md).
    judgeWorkers: judgeWorkers ?? Math.floor(size / 3),
  };
}

/** The metric label of a result: its verdict, snake_case. */
function outcomeOf(result: RunResult | JudgeResult): string {
  return result.verdict.toLowerCase().replaceAll(' ', '_');
}

function capOutput(text: string, limitBytes: number): string {
  const slack = TRUNCATION_MARKER(limitBytes).length;
  if (text.length <= limitBytes + slack && Buffer.byteLength(text, 'utf8') <= limitBytes + slack)
    return text;
  return (
    Buffer.from(text, 'utf8').subarray(0, limitBytes).toString('utf8') +
    TRUNCATION_MARKER(limitBytes)
  );
}
