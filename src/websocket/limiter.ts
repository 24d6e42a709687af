// Bounds how many jobs of one kind run at once (zlib work here); the rest wait in order.

export class Limiter {
  private running = 0;
  private readonly waiting: Array<(release: () => void) => void> = [];

  constructor(private readonly concurrency: number) {}

  /** Runs `job` when a slot is free; the job calls `release` exactly once when done. */
  run(job: (release: () => void) => void): void {
    if (this.running < this.concurrency) {
      this.running++;
      job(this.makeRelease());
    } else {
      this.waiting.push(job);
    }
  }

  private makeRelease(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(this.makeRelease());
      else this.running--;
    };
  }
}
