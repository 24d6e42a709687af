// One connection's tasks: at most `concurrency` run at once, the rest wait in arrival
// order. Each task reports `running` (progress 0) when it starts, `running` again as
// its progress grows (never back, always below 1), then `completed` (progress 1) or
// `failed` (progress where it stopped). cancel() drops the waiting tasks and silences
// the running ones (the connection is gone).
import type { TaskSpec, TaskStatus } from './protocol.js';

export interface TaskOutcome {
  status: 'completed' | 'failed';
  result: unknown;
  /** debugging detail, added to the result on /devws only */
  details?: object;
}

export interface TaskContext {
  /** a fraction in [0, 1); values not above the last reported one are ignored */
  progress(fraction: number): void;
  /** aborted when the connection closes */
  signal: AbortSignal;
}

export interface TaskQueueOptions {
  concurrency: number;
  /** waiting + running tasks allowed at once */
  maxPending: number;
  execute(task: TaskSpec, context: TaskContext): Promise<TaskOutcome>;
  emit(taskId: string, status: TaskStatus, progress: number, outcome?: TaskOutcome): void;
}

export class TaskQueue {
  private readonly waiting: TaskSpec[] = [];
  /** ids of the tasks waiting or running */
  private readonly active = new Set<string>();
  private running = 0;
  private readonly abort = new AbortController();

  constructor(private readonly options: TaskQueueOptions) {}

  get pending(): number {
    return this.active.size;
  }

  /** Queues every task, or none: returns why not (a client error text), else null. */
  add(tasks: TaskSpec[]): string | null {
    if (this.abort.signal.aborted) return 'Connection closing';
    const ids = new Set<string>();
    for (const task of tasks) {
      if (ids.has(task.id) || this.active.has(task.id)) return `Duplicate task id: ${task.id}`;
      ids.add(task.id);
    }
    if (this.active.size + tasks.length > this.options.maxPending)
      return `Too many tasks: at most ${this.options.maxPending} waiting or running per connection`;
    for (const task of tasks) {
      this.active.add(task.id);
      this.waiting.push(task);
    }
    this.pump();
    return null;
  }

  /** Aborted when the connection closes: queued sandbox requests use it to drop out. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  cancel(): void {
    this.abort.abort();
    this.waiting.length = 0;
    this.active.clear();
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      this.running++;
      void this.run(task).finally(() => {
        this.running--;
        this.active.delete(task.id);
        this.pump();
      });
    }
  }

  private async run(task: TaskSpec): Promise<void> {
    const { signal } = this.abort;
    let last = 0;
    const emit = (status: TaskStatus, progress: number, outcome?: TaskOutcome) => {
      if (!signal.aborted) this.options.emit(task.id, status, progress, outcome);
    };
    emit('running', 0);
    const context: TaskContext = {
      signal,
      progress(fraction) {
        if (!(fraction > last) || fraction >= 1) return;
        last = fraction;
        emit('running', fraction);
      },
    };
    let outcome: TaskOutcome;
    try {
      outcome = await this.options.execute(task, context);
    } catch (error) {
      if (signal.aborted) return;
      outcome = {
        status: 'failed',
        result: { error: 'Internal error' },
        details: { message: (error as Error).message },
      };
    }
    emit(outcome.status, outcome.status === 'completed' ? 1 : last, outcome);
  }
}
