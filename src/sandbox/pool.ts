// SandboxPool: the public entry point. Warm worker processes per language,
// bounded queues, request validation, and the mapping from what workers
// report to RunResult / JudgeResult.
import { SandboxClosedError, SandboxUnavailableError } from './errors.js';
import { buildJudgeResult } from './judge.js';
import { LanguagePool } from './language-pool.js';
import { normalizeJudge, normalizeRun } from './requests.js';
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
  type JudgeRequest,
  type JudgeResult,
  type Language,
  type RunRequest,
  type RunResult,
  type SandboxDefaults,
  type SandboxInfo,
  type SandboxLimits,
  type SandboxPoolOptions,
} from './types.js';
import type { JudgeOutcome, RunOutcome } from './worker/messages.js';

const MiB = 1024 * 1024;
const BOOT_TIMEOUT_MS = 120_000;

export class SandboxPool {
  private readonly defaults: SandboxDefaults;
  private readonly limits: SandboxLimits;
  private readonly pools: Record<Language, LanguagePool>;
  private readonly graceMs: number;
  private files: RuntimeFiles | null = null;
  private prefix: string[] = [];
  private starting: Promise<void> | null = null;
  private closed = false;
  private nextJobId = 1;

  constructor(private readonly options: SandboxPoolOptions = {}) {
    this.defaults = { ...DEFAULTS, ...options.defaults };
    this.limits = { ...LIMITS, ...options.limits };
    this.limits.maxMemoryLimitMb = Math.max(
      this.limits.maxMemoryLimitMb,
      this.defaults.memoryLimitMb,
    );
    this.graceMs = options.graceMs ?? 1000;
    const make = (language: Language, size: number) =>
      new LanguagePool({
        language,
        size,
        queueLimit: options.queueLimit ?? 200,
        queueTimeoutMs: options.queueTimeoutMs ?? 10_000,
        startupTimeoutMs: options.startupTimeoutMs ?? 60_000,
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
      this.pools.python.start();
      this.pools.javascript.start();
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

  info(): SandboxInfo {
    return {
      networkNamespace: this.prefix.length > 0,
      languages: [this.pools.python.status(), this.pools.javascript.status()],
    };
  }

  async run(request: RunRequest): Promise<RunResult> {
    const req = normalizeRun(request, this.defaults, this.limits);
    const pool = await this.poolFor(req.language);
    const worker = await pool.acquire(request.signal);
    try {
      const outcome = (await worker.runJob({
        type: 'run',
        id: this.nextJobId++,
        code: req.code,
        stdin: req.stdin,
        timeoutMs: req.timeoutMs,
        memoryLimitBytes: req.memoryLimitBytes,
        outputLimitBytes: req.outputLimitBytes,
      })) as RunOutcome;
      if (this.closed) throw new SandboxClosedError();
      return {
        verdict: outcome.status,
        stdout: capOutput(outcome.stdout, req.outputLimitBytes),
        stderr: capOutput(outcome.stderr, req.outputLimitBytes),
        error: outcome.error === null ? null : capOutput(outcome.error, req.outputLimitBytes),
        executionTime: outcome.executionTime,
        memoryUsed: Math.min(outcome.memoryUsed, req.memoryLimitBytes / MiB),
        truncated: outcome.truncated,
      };
    } finally {
      pool.release(worker);
    }
  }

  async judge(request: JudgeRequest): Promise<JudgeResult> {
    const req = normalizeJudge(request, this.defaults, this.limits);
    const pool = await this.poolFor(req.language);
    const worker = await pool.acquire(request.signal);
    try {
      const outcome = (await worker.runJob({
        type: 'judge',
        id: this.nextJobId++,
        code: req.code,
        functionName: req.functionName,
        inputs: req.inputs,
        timeoutMs: req.timeoutMs,
        memoryLimitBytes: req.memoryLimitBytes,
        outputLimitBytes: req.outputLimitBytes,
      })) as JudgeOutcome;
      if (this.closed) throw new SandboxClosedError();
      for (const test of outcome.tests) {
        test.stdout = capOutput(test.stdout, req.outputLimitBytes);
        if (test.error !== null) test.error = capOutput(test.error, req.outputLimitBytes);
      }
      outcome.memoryUsed = Math.min(outcome.memoryUsed, req.memoryLimitBytes / MiB);
      return buildJudgeResult(req.tests, outcome);
    } finally {
      pool.release(worker);
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
      bootTimeoutMs: BOOT_TIMEOUT_MS,
      graceMs: this.graceMs,
      onExit,
    });
  }
}

/**
 * Workers already cap their output; this re-applies the cap in the parent so
 * that even a compromised worker cannot hand back more.
 */
function capOutput(text: string, limitBytes: number): string {
  const slack = TRUNCATION_MARKER(limitBytes).length;
  if (text.length <= limitBytes + slack && Buffer.byteLength(text, 'utf8') <= limitBytes + slack)
    return text;
  return (
    Buffer.from(text, 'utf8').subarray(0, limitBytes).toString('utf8') +
    TRUNCATION_MARKER(limitBytes)
  );
}
