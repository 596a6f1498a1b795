// The profiles a batch touches, indexed by match key in their current state. Matching an item
// looks here and at the storage's answers for profiles not loaded yet, so a batch behaves
// exactly as its items sent one by one (spec 02, Equivalence) with one lookup round.
import type { DatabaseDef } from '../catalog/types.js';
import { matchKeys, valueRows, type KeyKinds, type ProfileState, type ValueRow } from '../profiles/profile-state.js';
import type { Channel } from '../catalog/types.js';
import type { MatchQuery } from '../matching/modes.js';
import { oldestMatch } from '../matching/oldest.js';

export type FindResult = { profile: ProfileState } | { load: number } | undefined;

/** Orders of new profiles start above any storage row number. */
const NEW_ORDER_BASE = 2 ** 52;

/** Most keys belong to one profile: a bare entry saves a Set per key. */
type Holders = ProfileState | ProfileState[];

function holdersHas(h: Holders | undefined, p: ProfileState): boolean {
  return h === p || (Array.isArray(h) && h.includes(p));
}

const NONE: readonly ProfileState[] = [];

/** The holders as a list (no generator: this runs once per key per item). */
function holdersOf(h: Holders | undefined): readonly ProfileState[] {
  return h === undefined ? NONE : Array.isArray(h) ? h : [h];
}

export function keyKindsOf(queries: MatchQuery[]): KeyKinds {
  const fields = new Set<string>();
  const channels = new Set<Channel>();
  let ids = false;
  for (const q of queries) {
    for (const k of q.keys) {
      if (k.kind === 'field') fields.add(k.field);
      else if (k.kind === 'sub') channels.add(k.channel);
      else ids = true;
    }
  }
  return { ids, fields, channels };
}

const sameKeys = (a: string[], b: string[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);

export class WorkingSet {
  private readonly byKey = new Map<string, Holders>();
  private readonly keysOf = new Map<ProfileState, string[]>();
  private readonly bySeq = new Map<number, ProfileState>();
  private created = 0;

  constructor(
    private readonly db: DatabaseDef,
    /** For each key, storage row numbers ascending, as found before the batch ran. */
    private readonly stored: Map<string, number[]>,
    private readonly kinds: KeyKinds,
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

  /** Adds a profile or re-indexes it after a change (its value rows are kept on it). */
  index(profile: ProfileState, rows: ValueRow[] = valueRows(profile.fields, this.db)): void {
    profile.rows = rows;
    if (profile.seq !== undefined) this.bySeq.set(profile.seq, profile);
    const keys = matchKeys(profile, rows, this.kinds);
    const old = this.keysOf.get(profile);
    if (old && sameKeys(old, keys)) return;
    if (old) for (const k of old) this.unlink(k, profile);
    this.keysOf.set(profile, keys);
    for (const k of keys) this.link(k, profile);
  }

  private link(key: string, p: ProfileState): void {
    const h = this.byKey.get(key);
    if (h === undefined) this.byKey.set(key, p);
    else if (Array.isArray(h)) {
      if (!h.includes(p)) h.push(p);
    } else if (h !== p) this.byKey.set(key, [h, p]);
  }

  private unlink(key: string, p: ProfileState): void {
    const h = this.byKey.get(key);
    if (h === p) this.byKey.delete(key);
    else if (Array.isArray(h)) {
      const i = h.indexOf(p);
      if (i >= 0) h.splice(i, 1);
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
        for (const p of holdersOf(this.byKey.get(k.key)))
          if (!bestProfile || p.order < bestProfile.order) bestProfile = p;
      }
      return bestProfile;
    }
    const [firstKey, ...rest] = query.keys;
    for (const p of holdersOf(this.byKey.get(firstKey.key))) {
      if (rest.every((k) => holdersHas(this.byKey.get(k.key), p)) && (!bestProfile || p.order < bestProfile.order))
        bestProfile = p;
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
    const seq = oldestMatch(q, stored);
    if (seq !== undefined) out.add(seq);
  }
  return [...out];
}
