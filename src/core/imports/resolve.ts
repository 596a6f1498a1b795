// Step one of an import chunk: find every stored profile the chunk can touch, set-wise. One lookup
// round answers every match key of every item; where several writers run at once, the keys of
// items that may create a profile are claimed and those another transaction had claimed are
// looked up again; the oldest candidate of each item is loaded in one round. The working set then
// answers each item in order, loading a stored profile it still lacks one at a time (rare).
import { creationKey, type MatchKey, type MatchQuery } from '../matching/modes.js';
import { fromStored, valueRows, type ProfileState } from '../profiles/profile-state.js';
import type { StoredProfile } from '../profiles/store-port.js';
import type { DecodedItem } from './items.js';
import type { ImportPlan } from './plan.js';
import type { ImportTx } from './store-port.js';
import { initialCandidates, keyKindsOf, WorkingSet } from './working-set.js';

/**
 * One lookup round for every key of the chunk. Where several writers run at once, the keys of
 * items that may create a profile are then claimed (waiting for any other creator of the same
 * value to commit), and those another transaction had claimed before are looked up again (it may
 * have created the profile since the first round), so one matching value never yields two profiles.
 */
async function lookup(
  tx: ImportTx,
  plan: ImportPlan,
  live: DecodedItem[],
  singleWriter: boolean,
): Promise<Map<string, number[]>> {
  const keys = new Map<string, MatchKey>();
  for (const item of live) for (const k of item.query.keys) keys.set(k.key, k);
  if (keys.size === 0) return new Map();
  const stored = await tx.findMatches(plan.db.id, [...keys.values()]);
  if (singleWriter || !plan.createAllowed) return stored;
  const creating = new Map<string, MatchKey>();
  const claims = new Set<string>();
  for (const item of live) {
    if (!item.query.canCreate || item.query.keys.some((k) => stored.has(k.key))) continue;
    for (const k of item.query.keys) {
      creating.set(k.key, k);
      claims.add(creationKey(k));
    }
  }
  if (creating.size === 0) return stored;
  const claimedBefore = await tx.lockMatchKeys(plan.db.id, [...claims]);
  const again = [...creating.values()].filter((k) => claimedBefore.has(creationKey(k)));
  if (again.length === 0) return stored;
  for (const [key, seqs] of await tx.findMatches(plan.db.id, again)) stored.set(key, seqs);
  return stored;
}

/** The stored profiles of a chunk, found and indexed by match key, and how to find one more. */
export class ResolvedChunk {
  private constructor(
    private readonly tx: ImportTx,
    private readonly plan: ImportPlan,
    readonly ws: WorkingSet,
  ) {}

  static async of(tx: ImportTx, plan: ImportPlan, items: DecodedItem[], singleWriter: boolean): Promise<ResolvedChunk> {
    const live = items.filter((i) => !i.query.impossible);
    const stored = await lookup(tx, plan, live, singleWriter);
    const chunk = new ResolvedChunk(tx, plan, new WorkingSet(plan.db, stored, keyKindsOf(live.map((i) => i.query))));
    const first = initialCandidates(
      live.map((i) => i.query),
      stored,
    );
    if (first.length > 0) chunk.add(await tx.loadProfiles(plan.db.id, first));
    return chunk;
  }

  private add(profiles: StoredProfile[]): void {
    for (const p of profiles) {
      const state = fromStored(p);
      state.storedRows = valueRows(state.fields, this.plan.db);
      this.ws.index(state, state.storedRows);
    }
  }

  /** The oldest profile answering `query` as the chunk stands (earlier items applied), if any. */
  async find(query: MatchQuery): Promise<ProfileState | undefined> {
    if (query.impossible) return undefined;
    for (;;) {
      const found = this.ws.find(query);
      if (!found || !('load' in found)) return found?.profile;
      this.add(await this.tx.loadProfiles(this.plan.db.id, [found.load]));
    }
  }
}
