// A token bucket per connection: `burst` requests at once, then `perSecond`.
export interface RequestRate {
  burst: number;
  perSecond: number;
}

/** The arena's default: a burst of 100 requests, then 20 a second. */
export const DEFAULT_REQUEST_RATE: RequestRate = { burst: 100, perSecond: 20 };

export class RequestBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: RequestRate,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = rate.burst;
    this.last = now();
  }

  /** True when the request may go ahead. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.rate.burst,
      this.tokens + ((now - this.last) / 1000) * this.rate.perSecond,
    );
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** ms until the next request would be allowed. */
  retryAfterMs(): number {
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate.perSecond) * 1000);
  }
}
