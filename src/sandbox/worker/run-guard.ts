// Decides when a running guest program must be stopped: its CPU deadline, a
// wall-clock cap for programs that sleep or are starved of CPU, or an explicit
// stop (output limit). Called from the runtimes' interrupt hooks, which fire
// very often, so the common path is one performance.now() comparison.

export type StopReason = 'timeout' | 'output_limit';

/** The wall-clock cap is this many times the CPU deadline. */
export const WALL_FACTOR = 3;
const CPU_CHECK_INTERVAL_MS = 5;

export class RunGuard {
  private wallStart = 0;
  private cpuStartMicros = 0;
  private timeoutMs = Infinity;
  private lastCpuCheck = 0;
  private armed = false;
  reason: StopReason | null = null;

  constructor(private readonly cpuMicros: () => number) {}

  arm(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
    this.wallStart = performance.now();
    this.lastCpuCheck = this.wallStart;
    this.cpuStartMicros = this.cpuMicros();
    this.reason = null;
    this.armed = true;
  }

  /** Restarts the clocks for the next judged test, keeping the limit. */
  rearm(): void {
    if (this.reason === null) this.arm(this.timeoutMs);
  }

  disarm(): void {
    this.armed = false;
  }

  stop(reason: StopReason): void {
    if (this.reason === null) this.reason = reason;
  }

  shouldStop(): boolean {
    if (!this.armed) return false;
    if (this.reason !== null) return true;
    const now = performance.now();
    const wall = now - this.wallStart;
    // A single-threaded program cannot use more CPU than wall time, so CPU is
    // only read once the wall clock has reached the deadline.
    if (wall < this.timeoutMs) return false;
    if (wall >= this.timeoutMs * WALL_FACTOR) {
      this.reason = 'timeout';
      return true;
    }
    if (now - this.lastCpuCheck < CPU_CHECK_INTERVAL_MS) return false;
    this.lastCpuCheck = now;
    if ((this.cpuMicros() - this.cpuStartMicros) / 1000 >= this.timeoutMs) {
      this.reason = 'timeout';
      return true;
    }
    return false;
  }
}
