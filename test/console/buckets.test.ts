// The counting behind the console's chart (src/console/buckets.ts): windows aligned on bucket
// boundaries, sent at sent_at, failed at sent_at or the due time, everything else and anything
// outside the window left out; a round y axis.
import { describe, expect, it } from 'vitest';
import { bucketize, niceMax, RANGES, windowStart } from '../../src/console/buckets.js';

const hour = RANGES.find((r) => r.id === '1h')!;
const day = RANGES.find((r) => r.id === '24h')!;
const now = Date.parse('2026-11-27T10:30:20Z');
const at = (iso: string) => ({ status: 'sent', sent_at: iso, due_at: iso });

describe('bucketize', () => {
  it('ends the window with the bucket holding now', () => {
    expect(new Date(windowStart(now, hour)).toISOString()).toBe('2026-11-27T09:31:00.000Z');
    expect(new Date(windowStart(now, day)).toISOString()).toBe('2026-11-26T11:00:00.000Z');
    const buckets = bucketize([], now, hour);
    expect(buckets).toHaveLength(60);
    expect(new Date(buckets.at(-1)!.start).toISOString()).toBe('2026-11-27T10:30:00.000Z');
  });

  it('counts sent and failed messages in their bucket, and nothing else', () => {
    const buckets = bucketize(
      [
        at('2026-11-27T10:30:05Z'),
        at('2026-11-27T10:30:59Z'),
        at('2026-11-27T09:31:00Z'),
        at('2026-11-27T09:30:59Z'), // before the window
        { status: 'failed', sent_at: null, due_at: '2026-11-27T10:00:10Z' },
        { status: 'skipped', sent_at: null, due_at: '2026-11-27T10:00:10Z' },
        { status: 'scheduled', sent_at: null, due_at: '2026-11-27T10:10:00Z' },
        { status: 'sent', sent_at: 'garbage', due_at: 'garbage' },
      ],
      now,
      hour,
    );
    expect(buckets[59]).toMatchObject({ sent: 2, failed: 0 });
    expect(buckets[0]).toMatchObject({ sent: 1, failed: 0 });
    expect(buckets[29]).toMatchObject({ sent: 0, failed: 1 });
    expect(buckets.reduce((n, b) => n + b.sent + b.failed, 0)).toBe(4);
  });

  it('rounds the axis to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 39, 120, 5000].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 50, 200, 5000]);
  });
});
