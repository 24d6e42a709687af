// Login attempts per (IP, username) in a fixed one-minute window. Past the limit, login
// answers 429 until the window ends.
import { WindowLimiter } from './window-limiter.js';

export class LoginLimiter {
  private readonly windows: WindowLimiter;

  constructor(attempts: number, windowMs = 60_000, maxKeys = 100_000) {
    this.windows = new WindowLimiter(attempts, windowMs, maxKeys);
  }

  /** Counts one attempt; returns the seconds to wait when over the limit, else 0. */
  hit(ip: string, username: string, now = Date.now()): number {
    return this.windows.hit(`${ip}\n${username.toLowerCase()}`, now);
  }
}
