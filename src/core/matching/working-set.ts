// The profiles a batch touches, indexed by match key in their current state. Matching an item
// looks here and at the storage's answers for profiles not loaded yet, so a batch behaves
// exactly as its items sent one by one (spec 02, Equivalence) with one lookup round.
import type { DatabaseDef } from '../catalog/types.js';
import { matchKeys, valueRows, type ProfileState } from '../profiles/profile-state.js';
import type { MatchQuery } from './modes.js';

export type FindResult = { profile: ProfileState } | { load: number } | undefined;

/** Orders of new profiles start above any storage row number. */
const NEW_ORDER_BASE = 2 ** 52;

export class WorkingSet {
  private readonly byKey = new Map<string, Set<ProfileState>>();
  private readonly keysOf = new Map<ProfileState, string[]>();
  private readonly bySeq = new Map<number, ProfileState>();
  private created = 0;

  constructor(
    private readonly db: DatabaseDef,
    /** For each key, storage row numbers ascending, as found before the batch ran. */
    private readonly stored: Map<string, number[]>,
  ) {}

  nextNewOrder(): number {
    return NEW_ORDER_BASE + this.created++;
  }

  has(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  get profiles(): Iterable<ProfileState> {
    return this.keysOf.keys();
  }

  /** Adds a profile or re-indexes it after a change. */
  index(profile: ProfileState): void {
    if (profile.seq !== undefined) this.bySeq.set(profile.seq, profile);
    const old = this.keysOf.get(profile);
    if (old) for (const k of old) this.byKey.get(k)?.delete(profile);
    const keys = matchKeys(profile, valueRows(profile.fields, this.db));
    this.keysOf.set(profile, keys);
    for (const k of keys) {
      let set = this.byKey.get(k);
      if (!set) this.byKey.set(k, (set = new Set()));
      set.add(profile);
    }
  }

  /** The oldest profile answering the query, or the storage row to load first. */
  find(query: MatchQuery): FindResult {
    const inMemory = this.bestInMemory(query);
    const stored = this.bestStoredNotLoaded(query);
    if (stored !== undefined && (inMemory === undefined || stored < inMemory.order)) return { load: stored };
    return inMemory ? { profile: inMemory } : undefined;
  }

  private bestInMemory(query: MatchQuery): ProfileState | undefined {
    let bestProfile: ProfileState | undefined;
    if (!query.all) {
      for (const k of query.keys) {
        for (const p of this.byKey.get(k.key) ?? []) if (!bestProfile || p.order < bestProfile.order) bestProfile = p;
      }
      return bestProfile;
    }
    const [firstKey, ...rest] = query.keys;
    for (const p of this.byKey.get(firstKey.key) ?? []) {
      if (rest.every((k) => this.byKey.get(k.key)?.has(p)) && (!bestProfile || p.order < bestProfile.order)) bestProfile = p;
    }
    return bestProfile;
  }

  private bestStoredNotLoaded(query: MatchQuery): number | undefined {
    let bestSeq: number | undefined;
    if (!query.all) {
      for (const k of query.keys) {
        for (const seq of this.stored.get(k.key) ?? []) {
          if (this.bySeq.has(seq)) continue;
          if (bestSeq === undefined || seq < bestSeq) bestSeq = seq;
          break;
        }
      }
      return bestSeq;
    }
    const lists = query.keys.map((k) => new Set(this.stored.get(k.key) ?? []));
    for (const seq of this.stored.get(query.keys[0].key) ?? []) {
      if (this.bySeq.has(seq) || !lists.every((l) => l.has(seq))) continue;
      return seq;
    }
    return undefined;
  }
}

/** For each query, the oldest stored profile that could answer it: loaded up front in one round. */
export function initialCandidates(queries: MatchQuery[], stored: Map<string, number[]>): number[] {
  const out = new Set<number>();
  for (const q of queries) {
    if (q.impossible) continue;
    if (!q.all) {
      let bestSeq: number | undefined;
      for (const k of q.keys) {
        const first = stored.get(k.key)?.[0];
        if (first !== undefined && (bestSeq === undefined || first < bestSeq)) bestSeq = first;
      }
      if (bestSeq !== undefined) out.add(bestSeq);
      continue;
    }
    const lists = q.keys.map((k) => new Set(stored.get(k.key) ?? []));
    const hit = (stored.get(q.keys[0].key) ?? []).find((seq) => lists.every((l) => l.has(seq)));
    if (hit !== undefined) out.add(hit);
  }
  return [...out];
}
