// Work started by a timer or after a reply (pairing, an invitation's expiry, the end of a
// battle): its failure is logged, and shutdown waits for what is still running.
import type { Logger } from 'pino';

export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.logger.error({ err: error }, 'arena: battle task failed');
    });
    this.running.add(tracked);
    void tracked.then(() => this.running.delete(tracked));
  }

  async idle(): Promise<void> {
    await Promise.all(this.running);
  }
}
