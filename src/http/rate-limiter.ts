// Per-token rate limits (spec 01, Limits and rate): a token bucket per token hash, `burst`
// requests deep, refilled at `perSecond`. The buckets live in the process that answers the API
// (the engine thread), so with several API processes each enforces the limit on its own share.

export interface RateLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets idle this long are full again: they are dropped when the map grows. */
const MAX_BUCKETS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one request from the token's bucket: undefined when allowed, else the seconds to wait (Retry-After). */
  take(key: string, limit: RateLimit, now: number): number | undefined {
    const capacity = Math.max(1, limit.burst);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(now);
      bucket = { tokens: capacity, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
  }

  private prune(now: number): void {
    // A bucket untouched for a minute has refilled for any limit of at least burst/60 per second.
    for (const [key, b] of this.buckets) if (now - b.at > 60_000) this.buckets.delete(key);
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
  }
}
