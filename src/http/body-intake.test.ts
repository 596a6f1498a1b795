// The body budget shared by all requests, the guard a body passes through, and how it is read.
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { BodyBudget, bodyGuard, readBody } from './body-intake.js';
import { BodyOverBudget, BodyTooLarge, BodyTooSlow } from './errors.js';

describe('the body budget', () => {
  it('leases take what fits, all together; a release gives a lease’s bytes back once', () => {
    const budget = new BodyBudget(10);
    const a = budget.lease();
    const b = budget.lease();
    expect(a.take(6)).toBe(true);
    expect(a.held).toBe(6);
    expect(b.take(5)).toBe(false);
    expect(b.held).toBe(0);
    expect(budget.inUse).toBe(6);
    expect(b.take(4)).toBe(true);
    expect(budget.inUse).toBe(10);
    expect(a.take(1)).toBe(false);
    a.release();
    expect(a.held).toBe(0);
    expect(budget.inUse).toBe(4);
    a.release();
    expect(budget.inUse).toBe(4);
    // A released lease takes nothing more.
    expect(a.take(1)).toBe(false);
    expect(budget.inUse).toBe(4);
    expect(b.take(6)).toBe(true);
    expect(b.held).toBe(10);
    b.release();
    expect(budget.inUse).toBe(0);
  });
});

/** The chunks through a guard; the error it failed with, if any, and what its lease holds after. */
async function through(
  chunks: Buffer[],
  opts: Partial<Parameters<typeof bodyGuard>[0]>,
): Promise<{ out: Buffer; error?: Error; held: number }> {
  const lease = opts.lease ?? new BodyBudget(1_000).lease();
  const guard = bodyGuard({ limit: 100, windowMs: 0, minRate: 0, ...opts, lease });
  const out: Buffer[] = [];
  guard.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<Error | undefined>((resolve) => {
    guard.once('error', resolve);
    guard.once('end', () => resolve(undefined));
  });
  for (const c of chunks) guard.write(c);
  guard.end();
  const error = await done;
  return { out: Buffer.concat(out), error, held: lease.held };
}

/** Lets what a destroyed stream emits on the next ticks happen (the timers are fake, the ticks are not). */
const ticks = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => process.nextTick(resolve));
};

describe('the body guard', () => {
  it('passes a body up to its limit through, reserving its bytes as they arrive', async () => {
    const r = await through([Buffer.alloc(60, 1), Buffer.alloc(40, 2)], { limit: 100 });
    expect(r.error).toBeUndefined();
    expect(r.out.length).toBe(100);
    expect(r.held).toBe(100);
  });

  it('fails a body one byte over its limit', async () => {
    const r = await through([Buffer.alloc(60), Buffer.alloc(41)], { limit: 100 });
    expect(r.error).toBeInstanceOf(BodyTooLarge);
    expect(r.error?.message).toBe('body too large');
    expect(r.out.length).toBe(60);
  });

  it('reserves only what a lease does not hold yet (a declared length reserved before), and fails past the budget', async () => {
    const budget = new BodyBudget(100);
    const lease = budget.lease();
    expect(lease.take(50)).toBe(true);
    const within = await through([Buffer.alloc(30), Buffer.alloc(20)], { lease });
    expect(within.error).toBeUndefined();
    expect(lease.held).toBe(50);
    const other = budget.lease();
    expect(other.take(40)).toBe(true);
    const lease2 = budget.lease();
    const past = await through([Buffer.alloc(10), Buffer.alloc(1)], { lease: lease2, limit: 1_000 });
    expect(past.error).toBeInstanceOf(BodyOverBudget);
    expect(past.error?.message).toBe('body over the memory budget');
    expect(lease2.held).toBe(10);
  });

  it('cuts a body that brings less than the minimum rate within a window, not one that keeps it', async () => {
    // The subject is time: Node's timers are faked, each window passed by hand.
    vi.useFakeTimers();
    try {
      // 20 bytes are needed per window of 20 ms at 1,000 bytes/s.
      const slow = bodyGuard({ limit: 1_000, lease: new BodyBudget(1_000).lease(), windowMs: 20, minRate: 1_000 });
      const errors: Error[] = [];
      slow.on('error', (e) => errors.push(e));
      slow.resume();
      slow.write(Buffer.alloc(20));
      vi.advanceTimersByTime(20);
      await ticks();
      expect(errors).toEqual([]);
      slow.write(Buffer.alloc(19));
      vi.advanceTimersByTime(20);
      await ticks();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(BodyTooSlow);
      expect(errors[0].message).toBe('the body arrived slower than 1000 bytes per second');

      // However low the rate, a window must bring at least one byte.
      const steady = bodyGuard({ limit: 10_000, lease: new BodyBudget(10_000).lease(), windowMs: 20, minRate: 1 });
      const errors2: Error[] = [];
      steady.on('error', (e) => errors2.push(e));
      steady.resume();
      for (let i = 0; i < 5; i++) {
        steady.write(Buffer.alloc(1));
        vi.advanceTimersByTime(20);
      }
      await ticks();
      expect(errors2).toEqual([]);
      vi.advanceTimersByTime(20);
      await ticks();
      expect(errors2).toHaveLength(1);

      // No check at all with a window of 0, and none once the body has ended.
      const unchecked = bodyGuard({ limit: 10, lease: new BodyBudget(10).lease(), windowMs: 0, minRate: 1_000 });
      const ended = bodyGuard({ limit: 10, lease: new BodyBudget(10).lease(), windowMs: 20, minRate: 1_000 });
      const errors3: Error[] = [];
      for (const g of [unchecked, ended]) {
        g.on('error', (e) => errors3.push(e));
        g.resume();
      }
      ended.end();
      vi.advanceTimersByTime(100);
      await ticks();
      expect(errors3).toEqual([]);
      expect(vi.getTimerCount()).toBe(0);

      // A body whose stream is destroyed before its end (the client went away) stops its timer too.
      const dropped = bodyGuard({ limit: 10, lease: new BodyBudget(10).lease(), windowMs: 20, minRate: 1 });
      dropped.on('error', () => undefined);
      expect(vi.getTimerCount()).toBe(1);
      dropped.destroy();
      await ticks();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('reading a body', () => {
  it('into a buffer of its declared length, or of the chunks when it has none', async () => {
    const parts = [Buffer.from('ab'), Buffer.from('cde')];
    expect((await readBody(Readable.from(parts), 5)).toString()).toBe('abcde');
    expect((await readBody(Readable.from(parts), undefined)).toString()).toBe('abcde');
    expect((await readBody(Readable.from(parts), 0)).toString()).toBe('abcde');
    // Shorter than declared (the client stopped): what came.
    const short = await readBody(Readable.from(parts), 9);
    expect(short.toString()).toBe('abcde');
    expect(short.length).toBe(5);
    await expect(readBody(Readable.from([Buffer.from('abcdef')]), 3)).rejects.toThrow(/longer than its Content-Length/);
  });

  it('fails with the stream’s error', async () => {
    const s = new PassThrough();
    const read = readBody(s, undefined);
    s.destroy(new BodyTooLarge('body too large'));
    await expect(read).rejects.toBeInstanceOf(BodyTooLarge);
  });
});
