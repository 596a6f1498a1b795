// Sends over time, counted in fixed buckets (pure: no DOM, tested in test/console/buckets.test.ts).
// A message counts at its sent_at; a failed one without sent_at at its due time.

export interface TimeRange {
  id: string;
  label: string;
  spanMs: number;
  bucketMs: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

export const RANGES: readonly TimeRange[] = [
  { id: '1h', label: 'Last hour, per minute', spanMs: HOUR, bucketMs: MIN },
  { id: '24h', label: 'Last 24 hours, per hour', spanMs: 24 * HOUR, bucketMs: HOUR },
  { id: '7d', label: 'Last 7 days, per 6 hours', spanMs: 7 * 24 * HOUR, bucketMs: 6 * HOUR },
];

export interface Bucket {
  start: number;
  sent: number;
  failed: number;
}

export interface Counted {
  status: string;
  sent_at: string | null;
  due_at: string;
}

/** The first instant of the window that ends with the bucket holding `now`. */
export function windowStart(now: number, range: TimeRange): number {
  const end = Math.floor(now / range.bucketMs) * range.bucketMs + range.bucketMs;
  return end - range.spanMs;
}

export function bucketize(messages: readonly Counted[], now: number, range: TimeRange): Bucket[] {
  const start = windowStart(now, range);
  const buckets: Bucket[] = Array.from({ length: Math.round(range.spanMs / range.bucketMs) }, (_, i) => ({
    start: start + i * range.bucketMs,
    sent: 0,
    failed: 0,
  }));
  for (const m of messages) {
    // A message its provider reported on (delivered or not) was sent.
    const kind =
      m.status === 'failed'
        ? 'failed'
        : m.status === 'sent' || m.status === 'delivered' || m.status === 'undelivered'
          ? 'sent'
          : undefined;
    if (!kind) continue;
    const t = Date.parse(m.sent_at ?? m.due_at);
    const i = Math.floor((t - start) / range.bucketMs);
    if (!Number.isFinite(i) || i < 0 || i >= buckets.length) continue;
    buckets[i][kind]++;
  }
  return buckets;
}

/** A round upper bound for the y axis: 1, 2, 5 × 10^n at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}
