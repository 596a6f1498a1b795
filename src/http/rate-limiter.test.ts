import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('lets a burst through, then refills at the rate', () => {
    const r = new RateLimiter();
    const limit = { perSecond: 2, burst: 3 };
    expect([r.take('t', limit, 0), r.take('t', limit, 0), r.take('t', limit, 0)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
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

describe('RateLimiter over shared memory', () => {
  it('shares its buckets with every limiter over the same memory (the engine and reader threads)', () => {
    const memory = RateLimiter.sharedMemory();
    const engine = new RateLimiter(memory);
    const reader = new RateLimiter(memory);
    const limit = { perSecond: 1, burst: 2 };
    expect(engine.take('t', limit, 0)).toBeUndefined();
    expect(reader.take('t', limit, 0)).toBeUndefined();
    expect(engine.take('t', limit, 0)).toBe(1);
    expect(reader.take('t', limit, 0)).toBe(1);
    // Limiters of their own do not.
    expect(new RateLimiter().take('t', limit, 0)).toBeUndefined();
  });

  it('keeps working past the number of buckets it holds, forgetting idle ones first', () => {
    const r = new RateLimiter();
    const limit = { perSecond: 1, burst: 1 };
    for (let i = 0; i < 9_999; i++) r.take(`idle-${i}`, limit, 0);
    expect(r.take('busy', limit, 100_000)).toBeUndefined();
    // The table is full: a new token makes room by dropping the idle buckets, not the busy one.
    expect(r.take('new', limit, 100_000)).toBeUndefined();
    expect(r.take('busy', limit, 100_000)).toBe(1);
    expect(r.take('new', limit, 100_000)).toBe(1);
    // Still too many recent ones: it starts over rather than fail.
    for (let i = 0; i < 10_500; i++) expect(r.take(`burst-${i}`, limit, 100_000)).toBeUndefined();
  });
});
