// The charts' arithmetic (pure: no DOM, tested in test/console/buckets.test.ts): the ranges of UTC
// days a report covers, the series a chart shows (each a sum of the server's report counters),
// and a round y axis. Nothing here counts messages: the numbers are the server's counters.

export interface DayRange {
  id: string;
  label: string;
  days: number;
}

export const RANGES: readonly DayRange[] = [
  { id: '7d', label: 'Last 7 days', days: 7 },
  { id: '30d', label: 'Last 30 days', days: 30 },
  { id: '90d', label: 'Last 90 days', days: 90 },
];

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The report parameters of a range ending with today's UTC day. */
export function reportRange(now: number, range: DayRange): { date_from: string; date_to: string } {
  return { date_from: isoDay(now - (range.days - 1) * DAY_MS), date_to: isoDay(now) };
}

/** One day of a report: its UTC date and the counters the server kept. */
export type ReportDay = { date: string } & Record<string, number | string>;

export interface Series {
  id: string;
  label: string;
  /** The report counters it adds up. */
  counters: readonly string[];
}

export const SERIES: readonly Series[] = [
  { id: 'sent', label: 'Sent', counters: ['sent'] },
  { id: 'delivered', label: 'Delivered', counters: ['delivered'] },
  { id: 'opens', label: 'Opens', counters: ['opened'] },
  { id: 'clicks', label: 'Clicks', counters: ['clicked'] },
  { id: 'bounces', label: 'Bounces', counters: ['bounced_hard', 'bounced_soft'] },
  { id: 'complaints', label: 'Complaints', counters: ['complained'] },
];

/** A series' value on a day (a counter the day lacks is 0). */
export function valueOf(day: ReportDay, series: Series): number {
  return series.counters.reduce((n, c) => n + (typeof day[c] === 'number' ? day[c] : 0), 0);
}

/** A series over the range: its value per day and its sum. */
export function seriesOf(
  days: readonly ReportDay[],
  series: Series,
): { points: { date: string; value: number }[]; total: number } {
  const points = days.map((d) => ({ date: d.date, value: valueOf(d, series) }));
  return { points, total: points.reduce((n, p) => n + p.value, 0) };
}

/** A round upper bound for the y axis: 1, 2, 5 × 10^n at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}
