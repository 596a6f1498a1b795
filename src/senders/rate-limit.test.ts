// The per-sender rate limit on Node's timers (faked here, so the test reads the schedule without
// waiting for it): one message every 1/rate seconds, the first at once, no burst saved up while idle.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from './rate-limit.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Calls take() `n` times at once; the fake time at which each one let its caller go. */
async function releases(limiter: RateLimiter, n: number, until: number): Promise<number[]> {
  const at: number[] = [];
  for (let i = 0; i < n; i++) void limiter.take().then(() => at.push(Date.now()));
  await vi.advanceTimersByTimeAsync(until);
  return at;
}

describe('RateLimiter', () => {
  it('lets one caller go every 1/rate seconds, the first at once', async () => {
    const t0 = Date.now();
    expect(await releases(new RateLimiter(4), 4, 1000)).toEqual([t0, t0 + 250, t0 + 500, t0 + 750]);
  });

  it('keeps no credit from an idle time: after a pause the spacing starts again from then', async () => {
    const limiter = new RateLimiter(10);
    const t0 = Date.now();
    expect(await releases(limiter, 2, 100)).toEqual([t0, t0 + 100]);
    await vi.advanceTimersByTimeAsync(5000);
    const t1 = Date.now();
    expect(await releases(limiter, 3, 300)).toEqual([t1, t1 + 100, t1 + 200]);
  });
});
