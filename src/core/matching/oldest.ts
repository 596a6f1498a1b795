// Which stored profile a matching query finds (spec 03): the oldest answering any of its keys,
// or, for a tags combination, the oldest answering all of them.
import type { MatchQuery } from './modes.js';

/** The row number of the oldest profile answering `query`, given the row numbers per key (ascending). */
export function oldestMatch(
  query: Pick<MatchQuery, 'keys' | 'all' | 'impossible'>,
  hits: Map<string, number[]>,
): number | undefined {
  if (query.impossible || query.keys.length === 0) return undefined;
  if (query.all) {
    const sets = query.keys.map((k) => new Set(hits.get(k.key) ?? []));
    return (hits.get(query.keys[0].key) ?? []).find((seq) => sets.every((s) => s.has(seq)));
  }
  let oldest: number | undefined;
  for (const k of query.keys) {
    const first = hits.get(k.key)?.[0];
    if (first !== undefined && (oldest === undefined || first < oldest)) oldest = first;
  }
  return oldest;
}
