// The trigger report (spec 07): counters per UTC day over a time range, read from the counter
// rows kept as events happen (never by scanning messages), so its cost does not grow with the
// number of messages. campaigns/status serves the totals (activation.ts); account/stats sums the
// days of every trigger campaign of the account.
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

const rangeFields = { date_from: optional(timeSchema), date_to: optional(timeSchema) };
const statsParams = object({ ...idField(['trigger_id', 'campaign_id']), ...rangeFields });
const accountStatsParams = object(rangeFields);

const countersJson = Object.fromEntries(COUNTERS.map((c) => [c, intJson])) as Record<CounterName, typeof intJson>;
export const dayJson = titled(
  'TriggerStatsDay',
  obj({ date: { ...strJson, pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the UTC day' }, ...countersJson }),
);

const isoDay = (day: number): string => new Date(dayStart(day)).toISOString().slice(0, 10);

/** The UTC days of a report's range: date_from to date_to, the last 30 days by default. */
function dayRange(now: number, input: { date_from?: number; date_to?: number }): { from: number; to: number } {
  const to = dayOf(input.date_to ?? now);
  const from = dayOf(input.date_from ?? now - 29 * DAY_MS);
  if (from > to) throw invalid('date_from is after date_to');
  if (to - from + 1 > MAX_DAYS) throw invalid(`a report covers at most ${MAX_DAYS} days`);
  return { from, to };
}

type DayCounters = { day: number; counters: Partial<Record<CounterName, number>> };

/** Every day of the range, days without events at zero (a chart needs no gaps filled), `rows` summed per day. */
function daysOf(from: number, to: number, rows: readonly DayCounters[]) {
  const data: ({ date: string } & Record<CounterName, number>)[] = [];
  for (let day = from; day <= to; day++) data.push({ date: isoDay(day), ...zeroCounters() });
  for (const row of rows) {
    const entry = data[row.day - from];
    if (!entry) continue;
    for (const [name, n] of Object.entries(row.counters) as [CounterName, number][]) entry[name] += n;
  }
  return data;
}

export async function triggerStats(
  call: ReadCall<Pick<ReportStore, 'counterDays'>>,
  input: Decoded<typeof statsParams>,
) {
  const trigger = getTrigger(call.catalog, input.id);
  const { from, to } = dayRange(call.env.clock.now(), input);
  return { data: daysOf(from, to, await call.read.counterDays(call.catalog.accountId, trigger.id, from, to)) };
}

/** The account's counters per day: the days of each of its trigger campaigns, summed (counters only, never messages). */
export async function accountStats(
  call: ReadCall<Pick<ReportStore, 'counterDays'>>,
  input: Decoded<typeof accountStatsParams>,
) {
  const { from, to } = dayRange(call.env.clock.now(), input);
  const rows: DayCounters[] = [];
  for (const id of call.catalog.triggers.keys())
    rows.push(...(await call.read.counterDays(call.catalog.accountId, id, from, to)));
  return { data: daysOf(from, to, rows) };
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
  defineMethod({
    name: 'account/stats',
    summary:
      "The account's counters per UTC day over a time range, summed over its trigger campaigns (date_from, date_to; default the last 30 days)",
    write: false,
    params: accountStatsParams,
    payload: obj({ data: arrayJson(dayJson) }),
    handle: accountStats,
  }),
];
