// Reconnect delays: exponential, capped, with jitter so that many clients dropped by
// the same restart do not all come back in the same millisecond.

export interface BackoffOptions {
  /** Delay before the first reconnect attempt, before jitter (default 500 ms). */
  baseDelayMs: number;
  /** Cap of the exponential part (default 30 000 ms). */
  maxDelayMs: number;
  /** The delay is multiplied by a factor in [1 - jitter, 1 + jitter) (default 0.5). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  jitter: 0.5,
};

/**
 * `min(maxDelay, base * 2^attempt) * (1 - jitter + 2 * jitter * random)`; attempt 0 is
 * the first reconnect. `random` returns a number in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  const factor = 1 - options.jitter + 2 * options.jitter * random();
  return Math.max(0, Math.round(exponential * factor));
}
