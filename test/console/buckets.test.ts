// The arithmetic behind the console's charts (src/console/buckets.ts): a range of UTC days ending
// today, each series the sum of its report counters (a counter a day lacks is 0), and a round y axis.
import { describe, expect, it } from 'vitest';
import { niceMax, RANGES, reportRange, SERIES, seriesOf, valueOf, type ReportDay } from '../../src/console/buckets.js';

const week = RANGES.find((r) => r.id === '7d')!;
const series = (id: string) => SERIES.find((s) => s.id === id)!;

describe('report ranges', () => {
  it('end with the UTC day of now and cover the range in days', () => {
    expect(reportRange(Date.parse('2026-11-27T23:59:59Z'), week)).toEqual({
      date_from: '2026-11-21',
      date_to: '2026-11-27',
    });
    expect(reportRange(Date.parse('2026-03-01T00:00:00Z'), week)).toEqual({
      date_from: '2026-02-23',
      date_to: '2026-03-01',
    });
  });
});

describe('series', () => {
  const days: ReportDay[] = [
    { date: '2026-11-26', sent: 5, delivered: 4, bounced_hard: 1, bounced_soft: 2, opened: 3 },
    { date: '2026-11-27', sent: 7, bounced_soft: 1 },
  ];

  it('add up their counters per day, a missing counter counting 0', () => {
    expect(valueOf(days[0], series('bounces'))).toBe(3);
    expect(valueOf(days[1], series('opens'))).toBe(0);
    expect(seriesOf(days, series('sent'))).toEqual({
      points: [
        { date: '2026-11-26', value: 5 },
        { date: '2026-11-27', value: 7 },
      ],
      total: 12,
    });
    expect(seriesOf(days, series('bounces')).total).toBe(4);
  });

  it('are the six of a report: sent, delivered, opens, clicks, bounces, complaints', () => {
    expect(SERIES.map((s) => s.id)).toEqual(['sent', 'delivered', 'opens', 'clicks', 'bounces', 'complaints']);
  });
});

describe('niceMax', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 20, 450, 1001].map(niceMax)).toEqual([1, 1, 5, 10, 20, 20, 500, 2000]);
  });
});
