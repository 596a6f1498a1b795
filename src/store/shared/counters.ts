// Counter rows (name, n) as the record the core reads, the names in report order.
import { COUNTERS, type CounterName } from '../../core/delivery/counters.js';

export function counterRecord(rows: { name: string; n: number | string }[]): Partial<Record<CounterName, number>> {
  const out: Partial<Record<CounterName, number>> = {};
  for (const r of rows) if ((COUNTERS as readonly string[]).includes(r.name)) out[r.name as CounterName] = Number(r.n);
  return out;
}

/** One day's counters as the store aggregated them (a JSON object name → n) as the record the core reads. */
export function counterObject(json: string | Record<string, number | string>): Partial<Record<CounterName, number>> {
  const obj = typeof json === 'string' ? (JSON.parse(json) as Record<string, number | string>) : json;
  const out: Partial<Record<CounterName, number>> = {};
  for (const name of COUNTERS) if (obj[name] !== undefined) out[name] = Number(obj[name]);
  return out;
}
