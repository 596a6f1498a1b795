import { describe, expect, it } from 'vitest';
import type { DatabaseDef } from '../catalog/types.js';
import { fieldKey, subscriptionKey } from '../matching/keys.js';
import type { MatchKey, MatchQuery } from '../matching/modes.js';
import type { ProfileState } from '../profiles/profile-state.js';
import { initialCandidates, keyKindsOf, WorkingSet } from './working-set.js';

const db: DatabaseDef = { id: 1, accountId: 1, name: 'd', description: '', fields: [{ name: 'tags', type: 'tags' }] };

const emailK = (v: string): MatchKey => ({ kind: 'field', field: 'email', value: v, key: fieldKey('email', v) });
const tagK = (v: string): MatchKey => ({ kind: 'field', field: 'tags', value: v, key: fieldKey('tags', v) });
const subK = (v: string): MatchKey => ({
  kind: 'sub',
  channel: 'email',
  resourceId: '*',
  address: v,
  key: subscriptionKey('email', '*', v),
});
const query = (keys: MatchKey[], all = false): MatchQuery => ({
  keys,
  all,
  matched: [],
  createOps: [],
  canCreate: true,
  impossible: false,
});

function profile(
  seq: number | undefined,
  order: number,
  fields: Record<string, unknown>,
  subs: string[] = [],
): ProfileState {
  return {
    seq,
    order,
    id: `p${order}`,
    accountId: 1,
    dbId: 1,
    createdAt: 0,
    updatedAt: 0,
    fields,
    subscriptions: subs.map((address) => ({
      resourceId: 21,
      channel: 'email' as const,
      address,
      status: 0,
      priority: 0,
      createdAt: 0,
      updatedAt: 0,
      stored: true,
      dirty: false,
    })),
    stored: seq !== undefined,
    dirty: false,
    storedRows: [],
  };
}

describe('WorkingSet', () => {
  it('finds the oldest profile answering any key, in memory', () => {
    const q = query([emailK('a@x.test'), subK('a@x.test')]);
    const ws = new WorkingSet(db, new Map(), keyKindsOf([q]));
    const older = profile(3, 3, {}, ['a@x.test']);
    const newer = profile(7, 7, { email: 'a@x.test' });
    ws.index(newer);
    ws.index(older);
    expect(ws.find(q)).toEqual({ profile: older });
  });

  it('asks to load a stored profile that is older than any in memory, and not once it is loaded', () => {
    const q = query([emailK('a@x.test')]);
    const stored = new Map([[fieldKey('email', 'a@x.test'), [2, 9]]]);
    const ws = new WorkingSet(db, stored, keyKindsOf([q]));
    ws.index(profile(9, 9, { email: 'a@x.test' }));
    expect(ws.find(q)).toEqual({ load: 2 });
    const two = profile(2, 2, { email: 'a@x.test' });
    ws.index(two);
    expect(ws.find(q)).toEqual({ profile: two });
  });

  it('follows a profile whose value changed: the old key no longer finds it, the new one does', () => {
    const qa = query([emailK('a@x.test')]);
    const qb = query([emailK('b@x.test')]);
    const ws = new WorkingSet(db, new Map(), keyKindsOf([qa, qb]));
    const p = profile(4, 4, { email: 'a@x.test' });
    ws.index(p);
    p.fields.email = 'b@x.test';
    ws.index(p);
    expect(ws.find(qa)).toBeUndefined();
    expect(ws.find(qb)).toEqual({ profile: p });
  });

  it('answers a tags combination only with a profile holding every tag', () => {
    const q = query([tagK('a'), tagK('b')], true);
    const ws = new WorkingSet(db, new Map(), keyKindsOf([q]));
    ws.index(profile(1, 1, { tags: ['a'] }));
    const both = profile(5, 5, { tags: ['b', 'a'] });
    ws.index(both);
    expect(ws.find(q)).toEqual({ profile: both });
    // Stored: the oldest row holding every key, skipping those already in memory.
    const stored = new Map([
      [fieldKey('tags', 'a'), [1, 3, 5]],
      [fieldKey('tags', 'b'), [3, 5]],
    ]);
    const ws2 = new WorkingSet(db, stored, keyKindsOf([q]));
    expect(ws2.find(q)).toEqual({ load: 3 });
  });

  it('orders new profiles after every stored one, in creation order', () => {
    const ws = new WorkingSet(db, new Map(), keyKindsOf([]));
    const first = ws.nextNewOrder();
    const second = ws.nextNewOrder();
    expect(first).toBeGreaterThan(Number.MAX_SAFE_INTEGER / 4);
    expect(second).toBe(first + 1);
  });
});

describe('initialCandidates', () => {
  it('is the oldest stored profile of each query, once each', () => {
    const qa = query([emailK('a@x.test'), subK('a@x.test')]);
    const qb = query([emailK('b@x.test')]);
    const stored = new Map([
      [fieldKey('email', 'a@x.test'), [8]],
      [subscriptionKey('email', '*', 'a@x.test'), [4, 8]],
      [fieldKey('email', 'b@x.test'), [4]],
    ]);
    expect(initialCandidates([qa, qb, qb], stored).sort()).toEqual([4]);
  });
});
