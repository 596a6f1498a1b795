// The report counters (spec 07): kept per trigger and UTC day as events happen, in the
// transaction of the event — the message written, its outcome recorded, an open or a click —
// so a report reads a few counter rows, never the messages. Stores call `tally` where they write.
import type { MessageStatus } from '../triggers/store-port.js';
import type { FeedbackKind } from './store-port.js';

export const COUNTERS = [
  'scheduled',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'skipped',
  'suppressed',
  'bounced_hard',
  'bounced_soft',
  'complained',
  'opened',
  'opened_unique',
  'clicked',
  'clicked_unique',
  'unsubscribed',
] as const;
export type CounterName = (typeof COUNTERS)[number];

/** The skip reason of a message to an address, domain or phone on a stop list. */
export const SUPPRESSED_REASON = 'suppressed';

const DAY_MS = 86_400_000;
/** The UTC day of a time (epoch ms), as counters key it. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
export const dayStart = (day: number): number => day * DAY_MS;

/** One counter row's increment. */
export interface CounterBump {
  accountId: number;
  triggerId: number;
  day: number;
  name: CounterName;
  n: number;
}

/** What new feedback on a message counts (a DSN saying delivered counts a delivery). */
export const FEEDBACK_COUNTERS: Record<FeedbackKind, CounterName[]> = {
  hard: ['bounced_hard'],
  soft: ['bounced_soft'],
  complaint: ['complained'],
  delivered: ['delivered'],
};

/** What a message written with a status counts (scheduled, or skipped at launch). */
export function insertedCounters(status: MessageStatus, skipReason: string | null): CounterName[] {
  if (status === 'scheduled') return ['scheduled'];
  if (status === 'skipped') return skipReason === SUPPRESSED_REASON ? ['skipped', 'suppressed'] : ['skipped'];
  return [];
}

/** What an applied outcome counts; `extra` are the counters it carries itself (a bounce, a complaint). */
export function outcomeCounters(
  kind: string,
  reason: string | null,
  extra: readonly CounterName[] = [],
): CounterName[] {
  const own: CounterName[] =
    kind === 'sent' || kind === 'delivered' || kind === 'undelivered' || kind === 'failed'
      ? [kind]
      : kind === 'skipped'
        ? insertedCounters('skipped', reason)
        : [];
  return [...own, ...extra];
}

/** Sums increments by row, so a batch writes each counter row once. */
export class CounterTally {
  private readonly rows = new Map<string, CounterBump>();

  add(accountId: number, triggerId: number, at: number, names: readonly CounterName[], n = 1): void {
    const day = dayOf(at);
    for (const name of names) {
      const key = `${accountId}|${triggerId}|${day}|${name}`;
      const row = this.rows.get(key);
      if (row) row.n += n;
      else this.rows.set(key, { accountId, triggerId, day, name, n });
    }
  }

  bumps(): CounterBump[] {
    return [...this.rows.values()];
  }
}

/** Counter totals by name, every name present (0 when never counted). */
export function zeroCounters(): Record<CounterName, number> {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<CounterName, number>;
}
