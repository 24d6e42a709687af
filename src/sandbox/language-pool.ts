// The warm workers of one language and the bounded queue of requests waiting
// for one of them. Workers boot one at a time (so the first is ready as soon
// as possible on a small machine) and a dead worker is replaced at once.
import {
  SandboxBusyError,
  SandboxCancelledError,
  SandboxClosedError,
  SandboxUnavailableError,
} from './errors.js';
import { WorkerProcess } from './worker-process.js';
import type { Language, SandboxLogger, SandboxStatus } from './types.js';

interface Waiter {
  resolve(worker: WorkerProcess): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | null;
  enqueuedAt: number;
}

export interface LanguagePoolOptions {
  language: Language;
  size: number;
  queueLimit: number;
  queueTimeoutMs: number;
  startupTimeoutMs: number;
  spawn(onExit: (worker: WorkerProcess, reason: string) => void): WorkerProcess;
  logger: SandboxLogger | undefined;
}

/** Consecutive start-up failures after which waiting requests are failed. */
const MAX_BOOT_FAILURES = 3;
const MAX_BOOT_BACKOFF_MS = 30_000;

export class LanguagePool {
  private readonly workers = new Set<WorkerProcess>();
  private readonly leased = new Set<WorkerProcess>();
  private readonly queue: Waiter[] = [];
  private readonly readyWaiters: { resolve(): void; reject(err: Error): void }[] = [];
  private booting = 0;
  private bootFailures = 0;
  private nextBootAt = 0;
  private bootTimer: NodeJS.Timeout | null = null;
  private everReady = false;
  private startedAt = 0;
  private restarts = 0;
  private closed = false;

  constructor(private readonly options: LanguagePoolOptions) {}

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
      queued: this.queue.length,
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
   * Takes an idle worker, waiting in the queue if there is none. Aborting `signal`
   * while the request waits takes it out of the queue (a run already on a worker
   * goes on to its end).
   */
  acquire(signal?: AbortSignal): Promise<WorkerProcess> {
    if (this.closed) return Promise.reject(new SandboxClosedError());
    if (signal?.aborted) return Promise.reject(new SandboxCancelledError());
    if (this.options.size === 0) {
      return Promise.reject(
        new SandboxUnavailableError(`no ${this.options.language} workers are configured`),
      );
    }
    if (this.unavailable()) return Promise.reject(this.unavailableError());
    const idle = this.queue.length === 0 ? this.idleWorker() : undefined;
    if (idle) {
      this.leased.add(idle);
      return Promise.resolve(idle);
    }
    if (this.queue.length >= this.options.queueLimit) {
      return Promise.reject(
        new SandboxBusyError(`the ${this.options.language} sandbox queue is full`),
      );
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i === -1) return;
        this.queue.splice(i, 1);
        if (waiter.timer) clearTimeout(waiter.timer);
        reject(new SandboxCancelledError());
      };
      const waiter: Waiter = {
        resolve: (worker) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(worker);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        timer: null,
        enqueuedAt: Date.now(),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.armQueueTimer(waiter);
    });
  }

  release(worker: WorkerProcess): void {
    this.leased.delete(worker);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.bootTimer) clearTimeout(this.bootTimer);
    for (const waiter of this.queue.splice(0)) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(new SandboxClosedError());
    }
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

  private unavailable(): boolean {
    return this.bootFailures >= MAX_BOOT_FAILURES && !this.isAnyReady();
  }

  private isAnyReady(): boolean {
    for (const w of this.workers) if (w.state === 'idle' || w.state === 'busy') return true;
    return false;
  }

  private unavailableError(): SandboxUnavailableError {
    return new SandboxUnavailableError(`${this.options.language} sandbox workers fail to start`);
  }

  private armQueueTimer(waiter: Waiter): void {
    // Until the first worker of the language is warm, requests wait for start-up instead.
    const startupLeft = this.everReady
      ? 0
      : this.startedAt + this.options.startupTimeoutMs - Date.now();
    const queueLeft = waiter.enqueuedAt + this.options.queueTimeoutMs - Date.now();
    waiter.timer = setTimeout(
      () => {
        waiter.timer = null;
        if (!this.everReady && Date.now() < this.startedAt + this.options.startupTimeoutMs) {
          return this.armQueueTimer(waiter);
        }
        const i = this.queue.indexOf(waiter);
        if (i === -1) return;
        this.queue.splice(i, 1);
        waiter.reject(
          this.everReady
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
    while (this.queue.length > 0) {
      const idle = this.idleWorker();
      if (!idle) return;
      const waiter = this.queue.shift()!;
      if (waiter.timer) clearTimeout(waiter.timer);
      this.leased.add(idle);
      waiter.resolve(idle);
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
        if (this.isFull()) for (const w of this.readyWaiters.splice(0)) w.resolve();
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
          for (const w of this.queue.splice(0)) {
            if (w.timer) clearTimeout(w.timer);
            w.reject(error);
          }
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
