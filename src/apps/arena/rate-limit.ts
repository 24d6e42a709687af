// The arena's request rate per connection (a TokenBucket of the engine): `burst`
// requests at once, then `perSecond`.
export interface RequestRate {
  burst: number;
  perSecond: number;
}

/** The arena's default: a burst of 100 requests, then 20 a second. */
export const DEFAULT_REQUEST_RATE: RequestRate = { burst: 100, perSecond: 20 };
