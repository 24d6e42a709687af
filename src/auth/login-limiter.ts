// Login attempts per (IP, username) in a fixed one-minute window, in memory. Past the
// limit, login answers 429 until the window ends. Bounded: expired entries are swept
// whenever the table grows past a size, and it never holds more than maxKeys entries.
export class LoginLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly attempts: number,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one attempt; returns the seconds to wait when over the limit, else 0. */
  hit(ip: string, username: string, now = Date.now()): number {
    const key = `${ip}\n${username.toLowerCase()}`;
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (this.windows.size >= 10_000) this.sweep(now);
      if (this.windows.size >= this.maxKeys) return Math.ceil(this.windowMs / 1000);
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return window.count > this.attempts ? Math.max(1, Math.ceil((window.resetAt - now) / 1000)) : 0;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
