// The trigger report (spec 07): counters per UTC day over a time range, read from the counter
// rows kept as events happen (never by scanning messages), so its cost does not grow with the
// number of messages. campaigns/status serves the totals (activation.ts).
import { defineMethod } from '../api/define.js';
import type { ReadCall } from '../api/method.js';
import { invalid } from '../base/errors.js';
import { getTrigger } from '../catalog/lookup.js';
import { COUNTERS, dayOf, dayStart, zeroCounters, type CounterName } from '../delivery/counters.js';
import type { ReportStore } from '../delivery/report-port.js';
import { arrayJson, intJson, obj, strJson, titled } from '../values/json-schema.js';
import { timeSchema } from '../values/paging.js';
import { object, optional, type Decoded } from '../values/schema.js';
import { idField } from './change.js';

/** The longest range a report covers, in days (ten years). */
const MAX_DAYS = 3660;
const DAY_MS = 86_400_000;

const statsParams = object({
  ...idField(['trigger_id', 'campaign_id']),
  date_from: optional(timeSchema),
  date_to: optional(timeSchema),
});

const countersJson = Object.fromEntries(COUNTERS.map((c) => [c, intJson])) as Record<CounterName, typeof intJson>;
export const dayJson = titled(
  'TriggerStatsDay',
  obj({ date: { ...strJson, pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the UTC day' }, ...countersJson }),
);

const isoDay = (day: number): string => new Date(dayStart(day)).toISOString().slice(0, 10);

export async function triggerStats(
  call: ReadCall<Pick<ReportStore, 'counterDays'>>,
  input: Decoded<typeof statsParams>,
) {
  const trigger = getTrigger(call.catalog, input.id);
  const now = call.env.clock.now();
  const to = dayOf(input.date_to ?? now);
  const from = dayOf(input.date_from ?? now - 29 * DAY_MS);
  if (from > to) throw invalid('date_from is after date_to');
  if (to - from + 1 > MAX_DAYS) throw invalid(`a report covers at most ${MAX_DAYS} days`);
  const days = new Map(
    (await call.read.counterDays(call.catalog.accountId, trigger.id, from, to)).map((d) => [d.day, d.counters]),
  );
  const data = [];
  // Every day of the range, days without events at zero: a chart needs no gaps filled.
  for (let day = from; day <= to; day++) data.push({ date: isoDay(day), ...zeroCounters(), ...days.get(day) });
  return { data };
}

export const reportMethods = [
  defineMethod({
    name: 'campaigns/triggers/stats',
    summary:
      "A trigger campaign's counters per UTC day over a time range (date_from, date_to; default the last 30 days)",
    write: false,
    params: statsParams,
    payload: obj({ data: arrayJson(dayJson) }),
    handle: triggerStats,
  }),
];
