// The queries the matching modes build (spec 03): which keys an item is looked up by, which
// address it was found by, what a profile it creates is given, and the creation keys that
// serialise two writers creating the same profile (PostgreSQL).
import { describe, expect, it } from 'vitest';
import { ApiError } from '../base/errors.js';
import type { DatabaseDef } from '../catalog/types.js';
import { buildMatchQuery, creationKey, customFieldSpec, type MatchData, type MatchParams } from './modes.js';

const db: DatabaseDef = {
  id: 1,
  accountId: 1,
  name: 'Customers',
  description: '',
  fields: [
    { name: 'Custom_ID', type: 'string' },
    { name: 'Interests', type: 'tags' },
    { name: 'Address', type: 'object' },
  ],
} as DatabaseDef;

const data = (sets: Record<string, unknown>, extra: Partial<MatchData> = {}): MatchData => ({
  sets: new Map(Object.entries(sets)),
  ...extra,
});

/** The 400 text a query is refused with. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof ApiError && err.code === 400) return err.message;
    throw err;
  }
  throw new Error('not refused');
}

describe('matching queries', () => {
  it('email: the field and the subscription, the email given to a profile it creates unless the data sets it', () => {
    const q = buildMatchQuery({ email: ' Ann@Example.com ' }, data({}), { mode: 'email', resourceId: 21 });
    expect(q.keys.map((k) => [k.kind, k.kind === 'sub' ? k.resourceId : undefined])).toEqual([
      ['field', undefined],
      ['sub', 21],
    ]);
    expect(q.matched).toEqual([{ channel: 'email', address: 'ann@example.com' }]);
    // The profile keeps the address as written (trimmed); the keys are lower-cased.
    expect(q.createOps).toEqual([{ field: 'email', action: 'set', value: 'Ann@Example.com' }]);
    expect(buildMatchQuery({}, data({ email: 'ann@example.com' }), { mode: 'email' }).createOps).toEqual([]);
    // Found in the data's email subscription when neither the item nor the data's fields give one.
    const bySub = buildMatchQuery({}, data({}, { subscriptions: [{ channel: 'email', email: 'sub@example.com' }] }), {
      mode: 'email_sub',
    });
    expect(bySub.keys.map((k) => k.kind)).toEqual(['sub']);
    expect(bySub.createOps).toEqual([]);
    expect(refusal(() => buildMatchQuery({}, data({}), { mode: 'email' }))).toMatch(/^matching email needs an email/);
  });

  it('phone: the phones field and the SMS subscription; phone_sub never writes the phones field', () => {
    const q = buildMatchQuery({ phone: '+7 900 123-45-67' }, data({}), { mode: 'phone' });
    expect(q.keys.map((k) => k.kind)).toEqual(['field', 'sub']);
    expect(q.matched).toEqual([{ channel: 'sms', address: '+79001234567' }]);
    expect(q.createOps).toEqual([{ field: 'phones', action: 'add', value: ['+79001234567'] }]);
    const sub = buildMatchQuery({}, data({ phones: ['+79001234567'] }), { mode: 'phone_sub' });
    expect(sub.keys.map((k) => k.kind)).toEqual(['sub']);
    expect(sub.createOps).toEqual([]);
    expect(buildMatchQuery({}, data({ phones: ['+79001234567'] }), { mode: 'phone' }).createOps).toEqual([]);
  });

  it('email_phone: either value, each matched; the _sub form looks at subscriptions only and writes no field', () => {
    const both = buildMatchQuery({ email: 'a@example.com', phone: '+79001234567' }, data({}), { mode: 'email_phone' });
    expect(both.keys.map((k) => [k.kind, k.kind === 'field' ? k.field : k.kind === 'sub' ? k.channel : k.id])).toEqual([
      ['field', 'email'],
      ['field', 'phones'],
    ]);
    expect(both.matched.map((m) => m.channel)).toEqual(['email', 'sms']);
    expect(both.createOps.map((o) => o.field)).toEqual(['email', 'phones']);
    const phoneOnly = buildMatchQuery({ phone: '+79001234567' }, data({ email: 'x@example.com' }), {
      mode: 'email_phone',
    });
    // The data's email is a matching value too.
    expect(phoneOnly.keys.map((k) => (k.kind === 'field' ? k.field : k.kind))).toEqual(['email', 'phones']);
    expect(phoneOnly.createOps.map((o) => o.field)).toEqual(['phones']);
    const subs = buildMatchQuery({ email: 'a@example.com', phone: '+79001234567' }, data({}), {
      mode: 'email_phone_sub',
    });
    expect(subs.keys.map((k) => (k.kind === 'sub' ? k.channel : k.kind))).toEqual(['email', 'sms']);
    expect(subs.matched.map((m) => m.channel)).toEqual(['email', 'sms']);
    expect(subs.createOps).toEqual([]);
    const withPhones = buildMatchQuery({ email: 'a@example.com' }, data({ phones: ['+79001234567'] }), {
      mode: 'email_phone',
    });
    expect(withPhones.createOps.map((o) => o.field)).toEqual(['email']);
    // Without data (profiles/get, start_batch): the values come from the item or the root.
    const bare = buildMatchQuery({ email: 'a@example.com' }, undefined, { mode: 'email_phone', phone: '+79001234567' });
    expect(bare.keys.map((k) => (k.kind === 'field' ? k.field : k.kind))).toEqual(['email', 'phones']);
    expect(bare.createOps.map((o) => o.field)).toEqual(['email', 'phones']);
  });

  it('profile_id: updates only; an id that is not 24 hex digits can match nothing', () => {
    const q = buildMatchQuery({ profile_id: ' 0123456789ABCDEF01234567 ' }, undefined, { mode: 'profile_id' });
    expect(q).toMatchObject({
      canCreate: false,
      impossible: false,
      keys: [{ kind: 'id', id: '0123456789abcdef01234567' }],
    });
    for (const bad of ['0123456789abcdef0123456', 'x0123456789abcdef01234567', '0123456789abcdef01234567x', 'zz'])
      expect(buildMatchQuery({ profile_id: bad }, undefined, { mode: 'profile_id' }).impossible, bad).toBe(true);
    expect(refusal(() => buildMatchQuery({ profile_id: '' }, undefined, { mode: 'profile_id' }))).toMatch(
      /needs a profile_id/,
    );
  });

  it('push_sub: the provider and subscription id, trimmed, from the item, the data or the root', () => {
    const fromItem = buildMatchQuery({ provider: ' fcm ', subscription_id: ' tok ' }, undefined, { mode: 'push_sub' });
    const fromData = buildMatchQuery(
      {},
      data({}, { subscriptions: [{ channel: 'push', provider: 'fcm', subscriptionId: 'tok' }] }),
      { mode: 'push_sub' },
    );
    expect(fromItem.keys).toEqual(fromData.keys);
    expect(fromItem.keys.map((k) => k.kind)).toEqual(['sub']);
    expect(fromItem.matched).toEqual([]);
    expect(refusal(() => buildMatchQuery({ provider: 'fcm' }, undefined, { mode: 'push_sub' }))).toMatch(
      /needs a provider and a subscription_id/,
    );
  });

  it('custom: the field value typed by the field, the tags of a tags field all required', () => {
    const params: MatchParams = { mode: 'custom', fieldSpec: customFieldSpec(db, 'Custom_ID') };
    const q = buildMatchQuery({ field_value: 'C-1' }, data({}), params);
    expect(q.keys.map((k) => k.kind === 'field' && k.field)).toEqual(['Custom_ID']);
    expect(q.all).toBe(false);
    expect(q.createOps).toEqual([{ field: 'Custom_ID', action: 'set', value: 'C-1' }]);
    expect(buildMatchQuery({}, data({ Custom_ID: 'C-1' }), params).createOps).toEqual([]);
    expect(refusal(() => buildMatchQuery({ field_value: '' }, data({}), params))).toBe(
      "matching custom needs a value of field 'Custom_ID' (field_value): give it in the item, in its data or as a root parameter",
    );
    const tags: MatchParams = { mode: 'custom', fieldSpec: customFieldSpec(db, 'Interests') };
    const t = buildMatchQuery({ field_value: 'books, , music,books' }, data({}), tags);
    expect(t.all).toBe(true);
    expect(t.keys).toHaveLength(2);
    expect(t.createOps).toEqual([{ field: 'Interests', action: 'add', value: ['books', 'music'] }]);
    expect(buildMatchQuery({ field_value: ['books', 'music'] }, data({}), tags).keys).toEqual(t.keys);
    expect(buildMatchQuery({}, data({ Interests: ['books'] }), tags).createOps).toEqual([]);
    expect(refusal(() => buildMatchQuery({ field_value: ' , ' }, data({}), tags))).toMatch(
      /needs a value of field 'Interests'/,
    );
    expect(refusal(() => buildMatchQuery({ field_value: 'x'.repeat(16_385) }, data({}), tags))).toBe(
      'field_value: a tag is longer than 16384 characters',
    );
    expect(refusal(() => buildMatchQuery({ field_value: 'x' }, data({}), { mode: 'custom' }))).toBe(
      'field_name is required for matching custom',
    );
  });

  it('custom: field_name must name a custom field that can be matched', () => {
    expect(refusal(() => customFieldSpec(db, undefined))).toBe('field_name is required for matching custom');
    expect(refusal(() => customFieldSpec(db, ''))).toBe('field_name is required for matching custom');
    expect(refusal(() => customFieldSpec(db, 'email'))).toBe(
      "field_name: field 'email' is not a custom field of database 1",
    );
    expect(refusal(() => customFieldSpec(db, 'Address'))).toBe(
      "field_name: field 'Address' of type object cannot be matched",
    );
  });
});

describe('creation keys', () => {
  it('are one per value, whichever index answers it', () => {
    const email = buildMatchQuery({ email: 'ann@example.com' }, data({}), { mode: 'email', resourceId: 21 });
    const [field, sub] = email.keys.map(creationKey);
    expect(field).toBe(sub);
    const anyResource = buildMatchQuery({ email: 'ann@example.com' }, data({}), { mode: 'email_sub' });
    expect(anyResource.keys.map(creationKey)).toEqual([field]);
    const phone = buildMatchQuery({ phone: '+79001234567' }, data({}), { mode: 'phone' }).keys.map(creationKey);
    expect(phone[0]).toBe(phone[1]);
    const push = buildMatchQuery({ provider: 'fcm', subscription_id: 'tok' }, undefined, { mode: 'push_sub' });
    const id = buildMatchQuery({ profile_id: '0123456789abcdef01234567' }, undefined, { mode: 'profile_id' });
    const custom = buildMatchQuery({ field_value: 'ann@example.com' }, data({}), {
      mode: 'custom',
      fieldSpec: customFieldSpec(db, 'Custom_ID'),
    });
    const all = [
      field,
      phone[0],
      ...push.keys.map(creationKey),
      ...id.keys.map(creationKey),
      ...custom.keys.map(creationKey),
    ];
    // Different values, and the same text in different kinds, never share a key.
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((k) => typeof k === 'string' && k.length > 'field:'.length)).toBe(true);
    const other = buildMatchQuery({ email: 'bob@example.com' }, data({}), { mode: 'email' }).keys.map(creationKey);
    expect(other[0]).not.toBe(field);
    // Two profile ids, and a custom value written like a phone, are other values.
    const id2 = buildMatchQuery({ profile_id: '0123456789abcdef01234568' }, undefined, { mode: 'profile_id' });
    expect(creationKey(id2.keys[0]!)).not.toBe(creationKey(id.keys[0]!));
    const phoneLike = buildMatchQuery({ field_value: '+79001234567' }, data({}), {
      mode: 'custom',
      fieldSpec: customFieldSpec(db, 'Custom_ID'),
    });
    expect(creationKey(phoneLike.keys[0]!)).not.toBe(phone[0]);
  });
});
