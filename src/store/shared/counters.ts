// Counter rows (name, n) as the record the core reads, the names in report order.
import { COUNTERS, type CounterName } from '../../core/delivery/counters.js';

export function counterRecord(rows: { name: string; n: number | string }[]): Partial<Record<CounterName, number>> {
  const out: Partial<Record<CounterName, number>> = {};
  for (const r of rows) if ((COUNTERS as readonly string[]).includes(r.name)) out[r.name as CounterName] = Number(r.n);
  return out;
}
