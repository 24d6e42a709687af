// The warm workers of one language and the requests waiting for one of them, in
// a FairQueue (turns per owner and tenant, judge jobs first). Workers boot one at a
// time (so the first is ready as soon as possible on a small machine) and a dead
// worker is replaced at once.
import {
  SandboxBusyError,
  SandboxCancelledError,
  SandboxClosedError,
  SandboxUnavailableError,
} from './errors.js';
import { onAbort as listenForAbort } from './abort-listeners.js';
import { FairQueue, type QueuedJob, type ResolvedOwner } from './fair-queue.js';
import { WorkerProcess } from './worker-process.js';
import type { JobClass, Language, SandboxFairness, SandboxLogger, SandboxStatus } from './types.js';

interface Waiter extends QueuedJob {
  assign(worker: WorkerProcess): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | null;
  enqueuedAt: number;
}

/** A worker handed to one request; give it back with release(). */
export interface Lease {
  worker: WorkerProcess;
  job: QueuedJob;
}

export interface LanguagePoolOptions {
  language: Language;
  size: number;
  queueLimit: number;
  queueTimeoutMs: number;
  startupTimeoutMs: number;
  fairness: SandboxFairness;
  spawn(onExit: (worker: WorkerProcess, reason: string) => void): WorkerProcess;
  logger: SandboxLogger | undefined;
}

/** Consecutive start-up failures after which waiting requests are failed. */
const MAX_BOOT_FAILURES = 3;
const MAX_BOOT_BACKOFF_MS = 30_000;

export class LanguagePool {
  private readonly workers = new Set<WorkerProcess>();
  private readonly leased = new Set<WorkerProcess>();
  private readonly queue: FairQueue<Waiter>;
  private readonly readyWaiters: { resolve(): void; reject(err: Error): void }[] = [];
  private booting = 0;
  private bootFailures = 0;
  private nextBootAt = 0;
  private bootTimer: NodeJS.Timeout | null = null;
  private everReady = false;
  /** every configured worker has been warm at once */
  everFull = false;
  private startedAt = 0;
  private bootStartedAt = 0;
  private restarts = 0;
  private closed = false;

  constructor(private readonly options: LanguagePoolOptions) {
    this.queue = new FairQueue({
      ...options.fairness,
      queueLimit: options.queueLimit,
      workers: options.size,
    });
  }

  start(): void {
    this.startedAt = Date.now();
    this.fill();
  }

  get size(): number {
    return this.options.size;
  }

  status(): SandboxStatus {
    let ready = 0;
    let busy = 0;
    for (const w of this.workers) {
      if (w.state === 'idle' || w.state === 'busy') ready++;
      if (w.state === 'busy' || this.leased.has(w)) busy++;
    }
    return {
      language: this.options.language,
      workers: this.options.size,
      ready,
      busy,
      starting: this.booting,
      queued: this.queue.queued(),
      queuedByClass: { run: this.queue.queued('run'), judge: this.queue.queued('judge') },
      judgeWorkers: this.queue.reservedForJudge,
      restarts: this.restarts,
      pids: [...this.workers].flatMap((w) =>
        w.pid !== undefined && w.state !== 'dead' ? [w.pid] : [],
      ),
    };
  }

  /** Resolves once every worker of this language is warm. */
  whenFull(): Promise<void> {
    if (this.isFull()) return Promise.resolve();
    if (this.unavailable()) return Promise.reject(this.unavailableError());
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /**
   * Queues the request with its owner and class and resolves with a worker when it is
   * its turn. Refused at once when the owner, its address or the class queue is at its
   * cap. Aborting `signal` while the request waits takes it out of the queue (a run
   * already on a worker goes on to its end).
   */
  acquire(owner: ResolvedOwner, jobClass: JobClass, signal?: AbortSignal): Promise<Lease> {
    if (this.closed) return Promise.reject(new SandboxClosedError());
    if (signal?.aborted) return Promise.reject(new SandboxCancelledError());
    if (this.options.size === 0) {
      return Promise.reject(
        new SandboxUnavailableError(`no ${this.options.language} workers are configured`),
      );
    }
    if (this.unavailable()) return Promise.reject(this.unavailableError());
    return new Promise((resolve, reject) => {
      let settled = false;
      let unlisten = (): void => {};
      const waiter: Waiter = {
        owner,
        jobClass,
        seq: 0,
        timer: null,
        enqueuedAt: Date.now(),
        assign: (worker) => {
          settled = true;
          if (waiter.timer) clearTimeout(waiter.timer);
          unlisten();
          resolve({ worker, job: waiter });
        },
        reject: (error) => {
          settled = true;
          if (waiter.timer) clearTimeout(waiter.timer);
          unlisten();
          reject(error);
        },
        evict: (error) => waiter.reject(error),
      };
      try {
        this.queue.enqueue(waiter, this.options.language);
      } catch (error) {
        return reject(error as Error);
      }
      this.dispatch();
      if (settled) return;
      if (signal) {
        unlisten = listenForAbort(signal, () => {
          if (!settled && this.queue.remove(waiter)) waiter.reject(new SandboxCancelledError());
        });
      }
      this.armQueueTimer(waiter);
    });
  }

  release(lease: Lease): void {
    this.leased.delete(lease.worker);
    this.queue.finished(lease.job as Waiter);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.bootTimer) clearTimeout(this.bootTimer);
    for (const waiter of this.queue.drain()) waiter.reject(new SandboxClosedError());
    for (const w of this.readyWaiters.splice(0)) w.reject(new SandboxClosedError());
    const exits = [...this.workers].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.state === 'dead') return resolve();
          const check = setInterval(() => {
            if (w.state === 'dead') {
              clearInterval(check);
              resolve();
            }
          }, 10);
          w.kill('pool closed');
        }),
    );
    await Promise.all(exits);
  }

  /** The worker idle the longest: it has had the most time to reset after its last job. */
  private idleWorker(): WorkerProcess | undefined {
    let best: WorkerProcess | undefined;
    for (const w of this.workers) {
      if (w.state !== 'idle' || this.leased.has(w)) continue;
      if (!best || w.idleSince < best.idleSince) best = w;
    }
    return best;
  }

  private isFull(): boolean {
    let warm = 0;
    for (const w of this.workers) if (w.state === 'idle' || w.state === 'busy') warm++;
    return warm >= this.options.size;
  }

  unavailable(): boolean {
    return this.bootFailures >= MAX_BOOT_FAILURES && !this.isAnyReady();
  }

  private isAnyReady(): boolean {
    for (const w of this.workers) if (w.state === 'idle' || w.state === 'busy') return true;
    return false;
  }

  private unavailableError(): SandboxUnavailableError {
    return new SandboxUnavailableError(`${this.options.language} sandbox workers fail to start`);
  }

  /**
   * Until when waiting requests wait for a worker to start rather than for a busy one:
   * the first start-up, and a replacement while no worker of the language is warm
   * (its only worker was killed); 0 otherwise.
   */
  private startupDeadline(): number {
    if (!this.everReady) return this.startedAt + this.options.startupTimeoutMs;
    if (this.booting > 0 && !this.isAnyReady())
      return this.bootStartedAt + this.options.startupTimeoutMs;
    return 0;
  }

  private armQueueTimer(waiter: Waiter): void {
    const startupLeft = this.startupDeadline() - Date.now();
    const queueLeft = waiter.enqueuedAt + this.options.queueTimeoutMs - Date.now();
    waiter.timer = setTimeout(
      () => {
        waiter.timer = null;
        if (Date.now() < this.startupDeadline()) return this.armQueueTimer(waiter);
        if (!this.queue.remove(waiter)) return;
        waiter.reject(
          this.isAnyReady()
            ? new SandboxBusyError(
                `every ${this.options.language} sandbox worker is busy, try again shortly`,
              )
            : new SandboxUnavailableError(
                `no ${this.options.language} sandbox worker became ready in time`,
              ),
        );
      },
      Math.max(0, startupLeft, queueLeft),
    );
  }

  private dispatch(): void {
    for (;;) {
      const idle = this.idleWorker();
      if (!idle) return;
      const waiter = this.queue.next();
      if (!waiter) return;
      this.leased.add(idle);
      waiter.assign(idle);
    }
  }

  private fill(): void {
    if (this.closed || this.booting > 0 || this.workers.size >= this.options.size) return;
    const wait = this.nextBootAt - Date.now();
    if (wait > 0) {
      this.bootTimer ??= setTimeout(() => {
        this.bootTimer = null;
        this.fill();
      }, wait);
      return;
    }
    this.booting++;
    this.bootStartedAt = Date.now();
    const worker = this.options.spawn((w, reason) => this.onExit(w, reason));
    this.workers.add(worker);
    worker.ready.then(
      () => {
        this.booting--;
        this.everReady = true;
        this.bootFailures = 0;
        // debug: a server logs one line at start and one at stop, not one per worker.
        this.options.logger?.debug?.(
          { language: this.options.language, workerPid: worker.pid, bootMs: worker.bootMs },
          'sandbox worker ready',
        );
        this.dispatch();
        if (this.isFull()) {
          this.everFull = true;
          for (const w of this.readyWaiters.splice(0)) w.resolve();
        }
        this.fill();
      },
      (err: Error) => {
        this.booting--;
        // Shutting down while a worker boots is not a failure worth reporting.
        if (this.closed) return;
        this.bootFailures++;
        this.nextBootAt =
          Date.now() + Math.min(MAX_BOOT_BACKOFF_MS, 500 * 2 ** (this.bootFailures - 1));
        this.options.logger?.error(
          { language: this.options.language, err: err.message, output: worker.output.slice(-2000) },
          'sandbox worker failed to start',
        );
        if (this.unavailable()) {
          const error = this.unavailableError();
          for (const w of this.queue.drain()) w.reject(error);
          for (const w of this.readyWaiters.splice(0)) w.reject(error);
        }
        this.fill();
      },
    );
  }

  private onExit(worker: WorkerProcess, reason: string): void {
    this.workers.delete(worker);
    this.leased.delete(worker);
    if (this.closed) return;
    if (worker.bootMs > 0) {
      this.restarts++;
      this.options.logger?.warn(
        {
          language: this.options.language,
          workerPid: worker.pid,
          reason,
          jobs: worker.jobsDone,
          output: worker.output.slice(-1000),
        },
        'sandbox worker replaced',
      );
    }
    this.fill();
  }
}
