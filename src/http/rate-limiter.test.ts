import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('lets a burst through, then refills at the rate', () => {
    const r = new RateLimiter();
    const limit = { perSecond: 2, burst: 3 };
    expect([r.take('t', limit, 0), r.take('t', limit, 0), r.take('t', limit, 0)]).toEqual([undefined, undefined, undefined]);
    expect(r.take('t', limit, 0)).toBe(1);
    expect(r.take('t', limit, 499)).toBe(1);
    expect(r.take('t', limit, 500)).toBeUndefined();
    expect(r.take('t', limit, 500)).toBe(1);
  });

  it('answers Retry-After in whole seconds, at least 1', () => {
    const r = new RateLimiter();
    const slow = { perSecond: 0.1, burst: 1 };
    expect(r.take('s', slow, 0)).toBeUndefined();
    expect(r.take('s', slow, 0)).toBe(10);
    expect(r.take('s', slow, 5000)).toBe(5);
  });

  it('keeps one bucket per token', () => {
    const r = new RateLimiter();
    const limit = { perSecond: 1, burst: 1 };
    expect(r.take('a', limit, 0)).toBeUndefined();
    expect(r.take('b', limit, 0)).toBeUndefined();
    expect(r.take('a', limit, 0)).toBe(1);
  });
});
