// An item applied to its profile in memory: subscriptions upserted by identity, a write only where
// something changed (an unchanged entry keeps its update time), and what became subscribed — the
// subscriptions the `subscribe` event triggers of the item fire for.
import { describe, expect, it } from 'vitest';
import type { ProfileState, SubscriptionState } from '../profiles/profile-state.js';
import { SUBSCRIBED, UNSUBSCRIBED, type SubscriptionInput } from '../profiles/subscriptions.js';
import { applyItem } from './apply.js';
import type { DecodedItem } from './items.js';

const stored = (address: string, over: Partial<SubscriptionState> = {}): SubscriptionState => ({
  resourceId: 21,
  channel: 'email',
  address,
  email: address,
  status: SUBSCRIBED,
  priority: 0,
  createdAt: 1,
  updatedAt: 1,
  stored: true,
  dirty: false,
  ...over,
});

const profile = (subscriptions: SubscriptionState[]): ProfileState => ({
  seq: 1,
  order: 1,
  id: 'p1',
  accountId: 1,
  dbId: 1,
  createdAt: 1,
  updatedAt: 1,
  fields: {},
  subscriptions,
  stored: true,
  dirty: false,
  storedRows: [],
});

const item = (subscriptions?: SubscriptionInput[]) =>
  ({
    index: 0,
    ops: [],
    data: { ops: [], sets: new Map(), ...(subscriptions ? { subscriptions } : {}) },
  }) as unknown as DecodedItem;

const entry = (address: string, over: Partial<SubscriptionInput> = {}): SubscriptionInput => ({
  channel: 'email',
  resourceId: 21,
  address,
  email: address,
  ...over,
});

describe('applying an item', () => {
  it('a new subscription is added, subscribed unless it says otherwise; a subscribed one is what became subscribed', () => {
    const p = profile([]);
    const became = applyItem(p, item([entry('a@b.co'), entry('c@d.co', { status: UNSUBSCRIBED, priority: 3 })]), 5);
    expect(became.map((s) => s.address)).toEqual(['a@b.co']);
    expect(p.subscriptions.map((s) => [s.address, s.status, s.priority, s.stored, s.dirty, s.createdAt])).toEqual([
      ['a@b.co', SUBSCRIBED, 0, false, true, 5],
      ['c@d.co', UNSUBSCRIBED, 3, false, true, 5],
    ]);
    expect(p).toMatchObject({ dirty: true, updatedAt: 5 });
  });

  it('an unsubscribed subscription subscribed again became subscribed; one already subscribed did not', () => {
    const p = profile([stored('a@b.co', { status: UNSUBSCRIBED }), stored('c@d.co')]);
    const became = applyItem(p, item([entry('a@b.co', { status: SUBSCRIBED }), entry('c@d.co', { priority: 9 })]), 5);
    expect(became.map((s) => s.address)).toEqual(['a@b.co']);
    expect(p.subscriptions.map((s) => [s.address, s.status, s.priority, s.dirty, s.updatedAt])).toEqual([
      ['a@b.co', SUBSCRIBED, 0, true, 5],
      ['c@d.co', SUBSCRIBED, 9, true, 5],
    ]);
  });

  it('an entry that changes nothing is no write; the same cats and custom fields are no change, others are', () => {
    const p = profile([
      stored('a@b.co', { cats: ['news'], customFields: { tier: 1 } }),
      stored('c@d.co', { cats: ['news'] }),
      stored('e@f.co', { customFields: { tier: 1 } }),
      stored('g@h.co'),
    ]);
    const became = applyItem(
      p,
      item([
        entry('a@b.co', { status: SUBSCRIBED, cats: ['news'], customFields: { tier: 1 } }),
        entry('c@d.co', { cats: ['news', 'sales'] }),
        entry('e@f.co', { customFields: { tier: 2 } }),
        entry('g@h.co', { email: 'G@h.co' }),
      ]),
      5,
    );
    expect(became).toEqual([]);
    expect(p.subscriptions.map((s) => [s.address, s.dirty, s.updatedAt])).toEqual([
      ['a@b.co', false, 1],
      ['c@d.co', true, 5],
      ['e@f.co', true, 5],
      ['g@h.co', true, 5],
    ]);
    expect(p.subscriptions[1].cats).toEqual(['news', 'sales']);
    expect(p.subscriptions[2].customFields).toEqual({ tier: 2 });
    expect(p.subscriptions[3].email).toBe('G@h.co');
  });

  it('subscriptions are told apart by resource, channel and address', () => {
    const p = profile([stored('a@b.co')]);
    applyItem(p, item([entry('a@b.co', { resourceId: 22 }), entry('a@b.co', { channel: 'email', priority: 4 })]), 5);
    expect(p.subscriptions.map((s) => [s.resourceId, s.address, s.priority])).toEqual([
      [21, 'a@b.co', 4],
      [22, 'a@b.co', 0],
    ]);
  });

  it('an item without subscriptions leaves them and becomes nothing', () => {
    const p = profile([stored('a@b.co')]);
    expect(applyItem(p, item(), 5)).toEqual([]);
    expect(p.subscriptions[0]).toMatchObject({ dirty: false, updatedAt: 1 });
  });
});
