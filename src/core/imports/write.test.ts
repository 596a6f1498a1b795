// What an updated profile writes: only the value rows that changed (a changed number is an upsert
// of its row, a value gone is a removal) and only its changed subscriptions; a new profile writes
// every row it has.
import { describe, expect, it } from 'vitest';
import type { DatabaseDef } from '../catalog/types.js';
import { valueRows, type ProfileState, type SubscriptionState } from '../profiles/profile-state.js';
import { profileWrite } from './write.js';

const db = {
  id: 1,
  accountId: 1,
  name: 'Customers',
  description: '',
  fields: [
    { name: 'CRM_ID', type: 'int' },
    { name: 'Interests', type: 'tags' },
  ],
} as DatabaseDef;

const sub = (address: string, dirty: boolean): SubscriptionState => ({
  resourceId: 21,
  channel: 'email',
  address,
  email: address,
  status: 0,
  priority: 0,
  createdAt: 1,
  updatedAt: 2,
  stored: true,
  dirty,
});

function stored(before: Record<string, unknown>, after: Record<string, unknown>, subs: SubscriptionState[] = []) {
  const p: ProfileState = {
    seq: 5,
    order: 5,
    id: 'p5',
    accountId: 1,
    dbId: 1,
    createdAt: 1,
    updatedAt: 2,
    fields: after,
    subscriptions: subs,
    stored: true,
    dirty: true,
    storedRows: valueRows(before, db),
  };
  return p;
}

describe('the write of a profile', () => {
  it('of an update that changes no indexed value: no value row', () => {
    const w = profileWrite(
      stored({ email: 'a@b.co', _fname: 'Ann', CRM_ID: 1 }, { email: 'a@b.co', _fname: 'Eva', CRM_ID: 1 }),
      db,
    );
    expect(w).toMatchObject({ seq: 5, id: 'p5', addValues: [], removeValues: [], subscriptions: [] });
    expect(w.fields).toEqual({ email: 'a@b.co', _fname: 'Eva', CRM_ID: 1 });
  });

  it('of a changed number: its row upserted, nothing removed; of a value gone: its row removed', () => {
    const w = profileWrite(
      stored({ email: 'a@b.co', CRM_ID: 1, Interests: ['x', 'y'] }, { email: 'a@b.co', CRM_ID: 2, Interests: ['y'] }),
      db,
    );
    expect(w.addValues).toEqual([{ field: 'CRM_ID', value: '2', num: 2 }]);
    expect(w.removeValues).toEqual([
      { field: 'CRM_ID', value: '1', num: 1 },
      { field: 'Interests', value: 'x', num: null },
    ]);
  });

  it('the rows the working set computed are the ones written', () => {
    const p = stored({ email: 'a@b.co' }, { email: 'c@d.co' });
    p.rows = [{ field: 'email', value: 'kept@rows.co', num: null }];
    expect(profileWrite(p, db).addValues).toEqual([{ field: 'email', value: 'kept@rows.co', num: null }]);
  });

  it('only the changed subscriptions, with their data', () => {
    const w = profileWrite(stored({}, {}, [sub('a@b.co', false), sub('c@d.co', true)]), db);
    expect(w.subscriptions).toEqual([
      {
        resourceId: 21,
        channel: 'email',
        address: 'c@d.co',
        status: 0,
        priority: 0,
        createdAt: 1,
        updatedAt: 2,
        data: { email: 'c@d.co' },
      },
    ]);
  });

  it('of a new profile: every row, nothing to remove', () => {
    const p = stored({}, { email: 'a@b.co', CRM_ID: 3 });
    p.stored = false;
    p.seq = undefined;
    p.storedRows = valueRows({ email: 'a@b.co', CRM_ID: 3 }, db);
    const w = profileWrite(p, db);
    expect(w.seq).toBeUndefined();
    expect(w.addValues).toEqual([
      { field: 'email', value: 'a@b.co', num: null },
      { field: 'CRM_ID', value: '3', num: 3 },
    ]);
    expect(w.removeValues).toEqual([]);
  });
});
