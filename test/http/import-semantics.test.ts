// Spec 02–04 import semantics through the HTTP API: field validation and normalisation, custom
// field types, functional updates, subscriptions, per-item isolation, geo detection, the
// subscription that receives the message, delays, and what a launch stores.
import { imported } from '../helpers/subscriptions.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH,
  batch,
  call,
  count,
  getProfile,
  itemErrors,
  messagesOf,
  resultIds,
  rows,
  snapshot,
  startApi,
  WRITE_TOKEN,
  xmlValues,
} from '../helpers/api.js';
import type { Harness, Response } from '../helpers/harness.js';
import { DATE_ENCODINGS } from '../../src/core/values/formats.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

let n = 0;
const uniq = (tag: string) => `${tag}.${++n}@example.com`;
const emailSub = (email: string, extra: Record<string, unknown> = {}) => ({
  channel: 'email',
  resource_id: 21,
  email,
  ...extra,
});

type Sub = { resource_id: number; channel: string };
/** Subscriptions in a fixed order (resource, then channel): the API does not promise one. */
const sortSubs = (subs: unknown) =>
  [...(subs as (Sub & Record<string, unknown>)[])]
    .map(imported)
    .sort(
      (a, b) => (a as Sub).resource_id - (b as Sub).resource_id || (a as Sub).channel.localeCompare((b as Sub).channel),
    );

/** One item through import_and_start_batch (trigger 96) by email; returns the response and the profile. */
async function importOne(
  data: Record<string, unknown>,
  root: Record<string, unknown> = {},
): Promise<{ res: Response; profile?: Record<string, unknown> }> {
  const email = typeof data.email === 'string' ? data.email.trim() : uniq('imp');
  const res = await batch(h, { ...root, data: [{ data: { email, ...data } }] });
  expect(res.status, res.body).toBe(200);
  const [id] = resultIds(res);
  return { res, ...(id ? { profile: await getProfile(h, { matching: 'profile_id', profile_id: id }) } : {}) };
}

/** The item error of a one-item batch. */
async function itemError(data: Record<string, unknown>, root: Record<string, unknown> = {}): Promise<string> {
  const before = count(h, 'profiles');
  const { res } = await importOne(data, root);
  expect(resultIds(res)).toEqual([]);
  expect(count(h, 'profiles')).toBe(before);
  const [err] = itemErrors(res);
  expect(err.index).toBe(0);
  expect(err.error).toBe(400);
  return err.error_debug;
}

describe('system fields', () => {
  it('email: validated and stored trimmed', async () => {
    const { profile } = await importOne({ email: `  ${uniq('Trim')}  ` });
    expect(profile?.email).toMatch(/^Trim\.\d+@example\.com$/);
    expect(await itemError({ email: 'john@' })).toBe('data[0].data.email: incorrect email "john@"');
    expect(await itemError({ email: 'john@localhost' })).toBe('data[0].data.email: incorrect email "john@localhost"');
    expect(await itemError({ email: 'two words@example.com' })).toBe(
      'data[0].data.email: incorrect email "two words@example.com"',
    );
  });

  it('phones: a string or an array, normalised to E.164, without duplicates', async () => {
    expect((await importOne({ phones: '+7 (900) 000-00-00' })).profile?.phones).toEqual(['+79000000000']);
    expect(
      (await importOne({ phones: ['+7 (900) 000-00-01', '0079000000001', '+7-900-000-00-02', '+44 20 7946 0958'] }))
        .profile?.phones,
    ).toEqual(['+79000000001', '+79000000002', '+442079460958']);
    expect(await itemError({ phones: '8 900 000 00 00' })).toBe(
      'data[0].data.phones: incorrect phone "8 900 000 00 00"',
    );
    expect(await itemError({ phones: ['+79000000003', 'call me'] })).toBe(
      'data[0].data.phones: incorrect phone "call me"',
    );
    expect(await itemError({ phones: '+7 900' })).toBe('data[0].data.phones: incorrect phone "+7 900"');
    expect(await itemError({ phones: '+999 1234 5678' })).toMatch(/^data\[0\]\.data\.phones: incorrect phone/);
  });

  it('phones: a plain value replaces the whole array', async () => {
    const email = uniq('phones');
    await importOne({ email, phones: ['+79000000011', '+79000000012'] });
    const { profile } = await importOne({ email, phones: '+79000000013' });
    expect(profile?.phones).toEqual(['+79000000013']);
  });

  it('IP addresses: v4 and v6, anything else "incorrect ip"', async () => {
    const { profile } = await importOne({ _ip: ' 203.0.113.7 ', _regip: '2001:db8::1' });
    expect(profile).toMatchObject({ _ip: '203.0.113.7', _regip: '2001:db8::1' });
    expect(await itemError({ _ip: '300.1.1.1' })).toBe('data[0].data._ip: incorrect ip "300.1.1.1"');
    expect(await itemError({ _regip: 'localhost' })).toBe('data[0].data._regip: incorrect ip "localhost"');
  });

  it("_bdate: YYYY-MM-DD or RFC 3339, answered as an RFC 3339 date-time (Altcraft's Get profile data page)", async () => {
    expect((await importOne({ _bdate: '1990-05-17' })).profile?._bdate).toBe('1990-05-17T00:00:00.000Z');
    expect((await importOne({ _bdate: '1990-05-17T23:30:00+03:00' })).profile?._bdate).toBe('1990-05-17T20:30:00.000Z');
    expect(await itemError({ _bdate: '17.05.1990' })).toBe(
      `data[0].data._bdate: incorrect date "17.05.1990", expected ${DATE_ENCODINGS}`,
    );
    expect(await itemError({ _bdate: '1990-02-30' })).toMatch(/^data\[0\]\.data\._bdate: incorrect date/);
  });

  it('_sex: words or 1/2 (numeric strings too), returned as the word; 0 clears', async () => {
    const email = uniq('sex');
    expect((await importOne({ email, _sex: 'male' })).profile?._sex).toBe('male');
    expect((await importOne({ email, _sex: 2 })).profile?._sex).toBe('female');
    expect((await importOne({ email, _sex: '1' })).profile?._sex).toBe('male');
    expect((await importOne({ email, _sex: 'Female' })).profile?._sex).toBe('female');
    const cleared = (await importOne({ email, _sex: 0 })).profile;
    expect(cleared).not.toHaveProperty('_sex');
    expect((await importOne({ email, _sex: '2' })).profile?._sex).toBe('female');
    expect((await importOne({ email, _sex: '0' })).profile).not.toHaveProperty('_sex');
    expect(await itemError({ _sex: 3 })).toBe(
      'data[0].data._sex: incorrect sex 3, expected male, female (or another name of them: M, F, МУЖ, ЖЕН, …), 1, 2 or 0',
    );
    // `m` is one of the names Altcraft's gender identifications page gives; `mx` is none.
    expect((await importOne({ email, _sex: 'm' })).profile?._sex).toBe('male');
    expect(await itemError({ _sex: 'mx' })).toMatch(/^data\[0\]\.data\._sex: incorrect sex "mx"/);
  });

  it('_regdate: RFC 3339, returned in UTC', async () => {
    expect((await importOne({ _regdate: '2024-01-02T03:04:05+03:00' })).profile?._regdate).toBe(
      '2024-01-02T00:04:05.000Z',
    );
    expect((await importOne({ _regdate: '2024-01-02T03:04:05.250Z' })).profile?._regdate).toBe(
      '2024-01-02T03:04:05.250Z',
    );
    expect(await itemError({ _regdate: 'yesterday' })).toBe(
      `data[0].data._regdate: incorrect date "yesterday", expected ${DATE_ENCODINGS}`,
    );
    expect(await itemError({ _regdate: '2024-01-02T25:00:00Z' })).toMatch(/^data\[0\]\.data\._regdate: incorrect date/);
  });

  it('country, time zone, coordinates and plain strings', async () => {
    const { profile } = await importOne({
      _country: 'ru',
      _tz: 'Europe/Moscow',
      _lat: '55.75',
      _lon: 37.61,
      _city: 'Moscow',
      _fname: 'Ivan',
      _vendor: 'x',
      _os: 'Linux',
    });
    expect(profile).toMatchObject({
      _country: 'RU',
      _tz: 'Europe/Moscow',
      _lat: 55.75,
      _lon: 37.61,
      _city: 'Moscow',
      _fname: 'Ivan',
      _vendor: 'x',
      _os: 'Linux',
    });
    expect(await itemError({ _country: 'Russia' })).toMatch(/^data\[0\]\.data\._country: incorrect country "Russia"/);
    expect(await itemError({ _tz: 'Mars/Olympus' })).toMatch(
      /^data\[0\]\.data\._tz: incorrect time zone "Mars\/Olympus"/,
    );
    expect(await itemError({ _lat: 'north' })).toBe('data[0].data._lat: expected a number, got "north"');
  });

  it('XML may drop the leading underscore of system fields; JSON may not', async () => {
    const email = uniq('xmlsys');
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>${email}</email><fname>Anna</fname><lname>Lee</lname><bdate>1991-01-01</bdate><sex>2</sex><phones array='true'>+7 900 000 00 21</phones></data></xml>`,
    );
    expect(res.status).toBe(200);
    expect(await getProfile(h, { email })).toMatchObject({
      _fname: 'Anna',
      _lname: 'Lee',
      _bdate: '1991-01-01T00:00:00.000Z',
      _sex: 'female',
      phones: ['+79000000021'],
    });
    expect(await itemError({ fname: 'Anna' })).toBe("data[0].data: field 'fname' is not defined in database 1");
  });
});

describe('custom fields', () => {
  it('int, float, bool, date, ip: coerced where lossless', async () => {
    const { profile } = await importOne({
      CRM_ID: '123',
      score: '1.5',
      vip: 'true',
      signup: '2024-03-01T10:00:00+02:00',
      last_ip: '198.51.100.1',
    });
    expect(profile).toMatchObject({
      CRM_ID: 123,
      score: 1.5,
      vip: true,
      signup: '2024-03-01T08:00:00.000Z',
      last_ip: '198.51.100.1',
    });
    for (const [value, expected] of [
      [1, true],
      ['0', false],
      [false, false],
      ['1', true],
    ] as const) {
      expect((await importOne({ vip: value })).profile?.vip).toBe(expected);
    }
    expect(await itemError({ score: 'abc' })).toBe('data[0].data.score: expected a number, got "abc"');
    expect(await itemError({ CRM_ID: '12.0' })).toBe('data[0].data.CRM_ID: expected an integer, got "12.0"');
    expect(await itemError({ vip: 'yes' })).toBe('data[0].data.vip: expected a boolean, got "yes"');
    expect(await itemError({ signup: '2024-13-01' })).toBe(
      `data[0].data.signup: incorrect date "2024-13-01", expected ${DATE_ENCODINGS}`,
    );
    expect(await itemError({ last_ip: '1.2.3' })).toBe('data[0].data.last_ip: incorrect ip "1.2.3"');
  });

  it('enum: the word or its 0-based position, returned as the word', async () => {
    expect((await importOne({ level: 'silver' })).profile?.level).toBe('silver');
    expect((await importOne({ level: 2 })).profile?.level).toBe('gold');
    expect((await importOne({ level: '0' })).profile?.level).toBe('bronze');
    expect(await itemError({ level: 'platinum' })).toBe(
      'data[0].data.level: incorrect value "platinum", expected one of bronze, silver, gold or its position',
    );
    expect(await itemError({ level: 3 })).toMatch(/^data\[0\]\.data\.level: incorrect value 3/);
    expect(await itemError({ level: 'Silver' })).toMatch(/^data\[0\]\.data\.level: incorrect value "Silver"/);
  });

  it('tags: unique, in insertion order; one value is a one-element array', async () => {
    expect((await importOne({ interests: ['b', 'a', 'b', 'c', 'a'] })).profile?.interests).toEqual(['b', 'a', 'c']);
    expect((await importOne({ interests: 'solo' })).profile?.interests).toEqual(['solo']);
    expect((await importOne({ interests: [1, 2] })).profile?.interests).toEqual(['1', '2']);
  });

  it('object and arr_object', async () => {
    const { profile } = await importOne({ attrs: { size: 'M', colors: ['red'] }, orders: [{ sku: 1 }, { sku: 2 }] });
    expect(profile).toMatchObject({ attrs: { size: 'M', colors: ['red'] }, orders: [{ sku: 1 }, { sku: 2 }] });
    expect((await importOne({ orders: { sku: 9 } })).profile?.orders).toEqual([{ sku: 9 }]);
    expect(await itemError({ attrs: 'big' })).toBe('data[0].data.attrs: expected an object, got "big"');
    expect(await itemError({ orders: [{ sku: 1 }, 5] })).toBe('data[0].data.orders: expected an object, got 5');
  });

  it('custom fields are indexed for matching right away', async () => {
    await importOne({ Custom_ID: 'idx-1', interests: ['idx-tag'] });
    expect(
      rows(h, "SELECT field, value FROM profile_values WHERE value IN ('idx-1', 'idx-tag') ORDER BY field"),
    ).toEqual([
      { field: 'Custom_ID', value: 'idx-1' },
      { field: 'interests', value: 'idx-tag' },
    ]);
  });
});

describe('functional updates', () => {
  it('set, unset, and null', async () => {
    const email = uniq('fn');
    await importOne({ email, _fname: 'A', _lname: 'B', CRM_ID: 1 });
    const { profile } = await importOne({
      email,
      _fname: { action: 'unset' },
      _lname: null,
      CRM_ID: { action: 'set', value: '7' },
    });
    expect(profile).not.toHaveProperty('_fname');
    expect(profile).not.toHaveProperty('_lname');
    expect(profile?.CRM_ID).toBe(7);
    expect(await itemError({ email: { action: 'unset' } })).toBe("data[0].data.email: field 'email' cannot be unset");
    expect(await itemError({ CRM_ID: { action: 'set', value: 'x' } })).toBe(
      'data[0].data.CRM_ID: expected an integer, got "x"',
    );
  });

  it('unsetting email is refused even when matching by another value', async () => {
    const email = uniq('fn');
    await importOne({ email });
    const res = await call(h, 'profiles/update', { db_id: 1, email, data: { email: null } });
    expect(res.status).toBe(400);
    expect(res.json.error_debug).toBe("data.email: field 'email' cannot be unset");
    expect((await getProfile(h, { email }))?.email).toBe(email);
  });

  it('incr on int and float, negative decrements; other kinds refused', async () => {
    const email = uniq('incr');
    await importOne({ email, CRM_ID: 10, score: 1.25 });
    let p = (await importOne({ email, CRM_ID: { action: 'incr', value: 5 }, score: { action: 'incr', value: '0.5' } }))
      .profile;
    expect(p).toMatchObject({ CRM_ID: 15, score: 1.75 });
    p = (await importOne({ email, CRM_ID: { action: 'incr', value: -20 } })).profile;
    expect(p?.CRM_ID).toBe(-5);
    // incr on an absent field starts from 0.
    p = (await importOne({ email, custom_field: { action: 'incr', value: 3 } })).profile;
    expect(p?.custom_field).toBe(3);
    expect(await itemError({ _fname: { action: 'incr', value: 1 } })).toBe(
      "data[0].data._fname: action incr needs an int or float field, '_fname' is string",
    );
    expect(await itemError({ CRM_ID: { action: 'incr', value: 1.5 } })).toBe(
      'data[0].data.CRM_ID.value: expected an integer, got 1.5',
    );
  });

  it('add and delete on tags (unique) and arr_object', async () => {
    const email = uniq('tags');
    const [a, b, c] = [`fa${n}`, `fb${n}`, `fc${n}`];
    await importOne({ email, interests: [a, b], orders: [{ sku: 1, qty: 1 }] });
    let p = (
      await importOne({
        email,
        interests: { action: 'add', value: [c, a] },
        orders: { action: 'add', value: { sku: 2, qty: 1 } },
      })
    ).profile;
    expect(p?.interests).toEqual([a, b, c]);
    expect(p?.orders).toEqual([
      { sku: 1, qty: 1 },
      { sku: 2, qty: 1 },
    ]);
    expect((await getProfile(h, { matching: 'custom', field_name: 'interests', field_value: c }))?.email).toBe(email);
    p = (
      await importOne({
        email,
        interests: { action: 'delete', value: a },
        orders: { action: 'delete', value: [{ sku: 1 }] },
      })
    ).profile;
    expect(p?.interests).toEqual([b, c]);
    expect(p?.orders).toEqual([{ sku: 2, qty: 1 }]);
    // The value index follows: the deleted tag no longer matches, the others still do.
    expect(await getProfile(h, { matching: 'custom', field_name: 'interests', field_value: a })).toBeUndefined();
    expect(
      (await getProfile(h, { matching: 'custom', field_name: 'interests', field_value: `${c}, ${b}` }))?.email,
    ).toBe(email);
    expect(await itemError({ CRM_ID: { action: 'add', value: [1] } })).toBe(
      "data[0].data.CRM_ID: action add needs a tags or arr_object field, 'CRM_ID' is int",
    );
  });

  it('upsert on object (path) and arr_object (submatch)', async () => {
    const email = uniq('upsert');
    await importOne({ email, attrs: { size: 'M' }, orders: [{ sku: 1, qty: 1 }] });
    const p = (
      await importOne({
        email,
        attrs: { action: 'upsert', submatch: 'dims.width', value: 10 },
        orders: { action: 'upsert', submatch: { sku: 1 }, value: { qty: 5 } },
      })
    ).profile;
    expect(p?.attrs).toEqual({ size: 'M', dims: { width: 10 } });
    expect(p?.orders).toEqual([{ sku: 1, qty: 5 }]);
    const appended = (
      await importOne({ email, orders: { action: 'upsert', submatch: { sku: 3 }, value: { sku: 3, qty: 2 } } })
    ).profile;
    expect(appended?.orders).toEqual([
      { sku: 1, qty: 5 },
      { sku: 3, qty: 2 },
    ]);
    expect(await itemError({ _fname: { action: 'upsert', submatch: 'a', value: 1 } })).toMatch(
      /^data\[0\]\.data\._fname: action upsert needs an object or arr_object field/,
    );
  });
});

describe('subscriptions', () => {
  it('statuses as words or numbers, priority, custom fields and categories', async () => {
    const email = uniq('subs');
    const { profile } = await importOne({
      email,
      subscriptions: [
        emailSub(email, {
          status: 'unsubscribed',
          priority: '2',
          custom_fields: { source: 'web' },
          cats: ['news', 'news', 'promo'],
        }),
        { channel: 'sms', resource_id: 21, phone: '+7 900 000 00 31', status: 3 },
        { channel: 'push', resource_id: 21, provider: 'ios-apns', subscription_id: 'dev-1', status: 'Suspended' },
        { channel: 'email', resource_id: 22, email, status: '6' },
      ],
    });
    expect(sortSubs(profile?.subscriptions)).toEqual([
      {
        channel: 'email',
        resource_id: 21,
        email,
        status: 1,
        priority: 2,
        custom_fields: { source: 'web' },
        cats: ['news', 'promo'],
      },
      {
        channel: 'push',
        resource_id: 21,
        provider: 'ios-apns',
        subscription_id: 'dev-1',
        status: 5,
        priority: 0,
        custom_fields: {},
        cats: [],
      },
      { channel: 'sms', resource_id: 21, phone: '+79000000031', status: 3, priority: 0, custom_fields: {}, cats: [] },
      { channel: 'email', resource_id: 22, email, status: 6, priority: 0, custom_fields: {}, cats: [] },
    ]);
  });

  it('the same (resource, channel, address) updates the subscription; status omitted keeps it', async () => {
    const email = uniq('Ident');
    await importOne({
      email,
      subscriptions: [
        emailSub(email, { status: 'unsubscribed', priority: 4 }),
        { channel: 'sms', resource_id: 21, phone: '+79000000041' },
      ],
    });
    const { profile } = await importOne({
      email,
      subscriptions: [
        emailSub(email.toUpperCase(), { priority: 1 }),
        { channel: 'sms', resource_id: 21, phone: '+7 (900) 000-00-41', status: 'complained' },
        emailSub(email, { resource_id: 22 }),
      ],
    });
    expect(sortSubs(profile?.subscriptions)).toEqual([
      {
        channel: 'email',
        resource_id: 21,
        email: email.toUpperCase(),
        status: 1,
        priority: 1,
        custom_fields: {},
        cats: [],
      },
      { channel: 'sms', resource_id: 21, phone: '+79000000041', status: 2, priority: 0, custom_fields: {}, cats: [] },
      { channel: 'email', resource_id: 22, email, status: 0, priority: 0, custom_fields: {}, cats: [] },
    ]);
    expect(count(h, 'subscriptions', 'lower(address) = lower(?)', email)).toBe(2);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    [
      'an unknown channel',
      { channel: 'fax', resource_id: 21, email: 'a@example.com' },
      'data[0].data.subscriptions[1]: invalid subscription: unknown channel "fax"',
    ],
    [
      'no channel',
      { resource_id: 21, email: 'a@example.com' },
      'data[0].data.subscriptions[1]: invalid subscription: channel is required',
    ],
    [
      'no resource_id',
      { channel: 'email', email: 'a@example.com' },
      'data[0].data.subscriptions[1]: invalid subscription: resource_id is required',
    ],
    [
      'a resource that does not exist',
      { channel: 'email', resource_id: 999, email: 'a@example.com' },
      'data[0].data.subscriptions[1]: invalid subscription: resource 999 does not exist',
    ],
    [
      'another account’s resource',
      { channel: 'email', resource_id: 31, email: 'a@example.com' },
      'data[0].data.subscriptions[1]: invalid subscription: resource 31 does not exist',
    ],
    [
      'a resource not linked to the database',
      { channel: 'email', resource_id: 23, email: 'a@example.com' },
      'data[0].data.subscriptions[1]: invalid subscription: resource 23 is not linked to database 1',
    ],
    [
      'a resource without the channel',
      { channel: 'sms', resource_id: 22, phone: '+79000000051' },
      'data[0].data.subscriptions[1]: invalid subscription: resource 22 has no sms channel',
    ],
    [
      'no email address',
      { channel: 'email', resource_id: 21 },
      'data[0].data.subscriptions[1]: invalid subscription: email is required for an email subscription',
    ],
    [
      'a malformed email',
      { channel: 'email', resource_id: 21, email: 'a@' },
      'data[0].data.subscriptions[1]: invalid subscription: incorrect email "a@"',
    ],
    [
      'no phone',
      { channel: 'sms', resource_id: 21 },
      'data[0].data.subscriptions[1]: invalid subscription: phone is required for an sms subscription',
    ],
    [
      'a phone that is not E.164-normalisable',
      { channel: 'sms', resource_id: 21, phone: '8 900 000 00 51' },
      'data[0].data.subscriptions[1]: invalid subscription: incorrect phone "8 900 000 00 51"',
    ],
    [
      'push without a token',
      { channel: 'push', resource_id: 21, provider: 'ios-apns' },
      'data[0].data.subscriptions[1]: invalid subscription: provider and subscription_id are required for a push subscription',
    ],
    [
      'push without a provider',
      { channel: 'push', resource_id: 21, subscription_id: 'tok' },
      'data[0].data.subscriptions[1]: invalid subscription: provider and subscription_id are required for a push subscription',
    ],
    [
      'an unknown status word',
      { channel: 'email', resource_id: 21, email: 'a@example.com', status: 'bogus' },
      'data[0].data.subscriptions[1].status: invalid subscription: unknown status "bogus"',
    ],
    [
      'an unknown status number',
      { channel: 'email', resource_id: 21, email: 'a@example.com', status: 7 },
      'data[0].data.subscriptions[1].status: invalid subscription: unknown status 7',
    ],
  ];

  it.each(invalid)(
    'invalid (%s): skip_invalid_subscriptions false fails the item naming entry and reason',
    async (_why, entry, debug) => {
      const before = snapshot(h);
      const email = uniq('inv');
      const res = await batch(h, {
        data: [{ data: { email, _fname: 'Bad', subscriptions: [emailSub(email), entry] } }],
      });
      expect(res.status).toBe(200);
      expect(res.json.error).toBe(0);
      expect(res.json.result).toEqual([]);
      expect(itemErrors(res)).toEqual([{ index: 0, error: 400, error_text: 'Invalid request', error_debug: debug }]);
      expect(snapshot(h)).toEqual(before);
    },
  );

  it.each(invalid)(
    'invalid (%s): skip_invalid_subscriptions true drops it and imports the profile',
    async (_why, entry) => {
      const email = uniq('skip');
      const res = await batch(h, {
        skip_invalid_subscriptions: true,
        data: [{ data: { email, _fname: 'Kept', subscriptions: [emailSub(email), entry] } }],
      });
      expect(res.json.errors).toBeUndefined();
      const [id] = resultIds(res);
      const p = await getProfile(h, { matching: 'profile_id', profile_id: id });
      expect(p).toMatchObject({ email, _fname: 'Kept' });
      expect(sortSubs(p?.subscriptions)).toEqual([
        { channel: 'email', resource_id: 21, email, status: 0, priority: 0, custom_fields: {}, cats: [] },
      ]);
      expect(messagesOf(h, id).map((m) => [m.status, m.address])).toEqual([['scheduled', email]]);
    },
  );

  it('in XML, with skip_invalid_subscriptions as text', async () => {
    const email = uniq('xmlinv');
    const body = (flag: string) =>
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><skip_invalid_subscriptions>${flag}</skip_invalid_subscriptions>` +
      `<data><email>${email}</email><subscriptions><channel>email</channel><resource_id>21</resource_id><email>${email}</email></subscriptions>` +
      `<subscriptions><channel>sms</channel><resource_id>22</resource_id><phone>+79000000061</phone></subscriptions></data></xml>`;
    const strict = await h.post(BATCH, body('false'));
    expect(xmlValues(strict.body, 'error_debug')).toEqual([
      'data[0].subscriptions[1]: invalid subscription: resource 22 has no sms channel',
    ]);
    expect(strict.body).toContain('<result/>');
    const lenient = await h.post(BATCH, body('1'));
    expect(xmlValues(lenient.body, 'profile_id')).toHaveLength(1);
    expect((await getProfile(h, { email }))?.subscriptions).toHaveLength(1);
  });
});

describe('per-item isolation', () => {
  it('a failed item writes nothing; the others succeed; errors sorted by index', async () => {
    const [a, b, c] = [uniq('iso'), uniq('iso'), uniq('iso')];
    const before = snapshot(h);
    const res = await batch(h, {
      data: [
        { data: { email: a, _fname: 'A', subscriptions: [emailSub(a)] } },
        { data: { email: b, _fname: 'B', CRM_ID: 'nope', subscriptions: [emailSub(b)] } },
        { data: { email: c, _fname: 'C', subscriptions: [emailSub(c)] } },
        { data: { email: a, _lname: 'NotApplied', subscriptions: [emailSub(a, { status: 'gone' })] } },
      ],
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['error', 'error_text', 'result', 'errors']);
    expect(res.json.error).toBe(0);
    const ids = resultIds(res);
    expect(ids).toHaveLength(2);
    expect(itemErrors(res).map((e) => e.index)).toEqual([1, 3]);
    expect(await getProfile(h, { email: b })).toBeUndefined();
    expect(count(h, 'subscriptions', 'address = ?', b)).toBe(0);
    expect(count(h, 'profile_values', 'value = ?', b)).toBe(0);
    const pa = await getProfile(h, { email: a });
    expect(pa).toMatchObject({ _fname: 'A' });
    expect(pa).not.toHaveProperty('_lname');
    const after = snapshot(h);
    expect(after.profiles - before.profiles).toBe(2);
    expect(after.messages - before.messages).toBe(2);
    expect(after.launches - before.launches).toBe(1);
  });

  it('decode errors (400) and not-found errors (404) are merged in index order', async () => {
    const p = resultIds(await batch(h, { data: [{ data: { email: uniq('mix') } }] }))[0];
    const res = await batch(h, {
      matching: 'profile_id',
      data: [
        { profile_id: 'ffffffffffffffffffffffff', data: {} },
        { profile_id: p, data: { _fname: 'ok' } },
        { profile_id: p, data: { _sex: 'robot' } },
        { profile_id: 'zz', data: {} },
        { data: {} },
      ],
    });
    expect(resultIds(res)).toEqual([p]);
    expect(itemErrors(res).map((e) => [e.index, e.error])).toEqual([
      [0, 404],
      [2, 400],
      [3, 404],
      [4, 400],
    ]);
  });

  it('a batch where every item fails: error 0, result [], errors — and nothing written', async () => {
    const before = snapshot(h);
    const res = await batch(h, { data: [{ data: { email: 'x' } }, { data: { email: uniq('f'), nope: 1 } }] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      error: 0,
      error_text: 'Successful operation',
      result: [],
      errors: [
        { index: 0, error: 400, error_text: 'Invalid request', error_debug: 'data[0].data.email: incorrect email "x"' },
        {
          index: 1,
          error: 400,
          error_text: 'Invalid request',
          error_debug: "data[1].data: field 'nope' is not defined in database 1",
        },
      ],
    });
    const xml = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>x</email></data></xml>`,
    );
    expect(xml.status).toBe(200);
    expect(xml.body).toBe(
      '<xml><error>0</error><error_text>Successful operation</error_text><result/><errors><index>0</index><error>400</error><error_text>Invalid request</error_text><error_debug>data[0].email: incorrect email "x"</error_debug></errors></xml>',
    );
    expect(snapshot(h)).toEqual(before);
  });
});

describe('detect_geo', () => {
  it('fills geo fields from _ip and registration fields from _regip', async () => {
    const { profile } = await importOne({ _ip: '8.8.8.8', _regip: '77.88.8.8' }, { detect_geo: true });
    expect(profile).toMatchObject({ _country: 'US', _region: 'California', _regcountry: 'RU' });
    expect(typeof profile?._city).toBe('string');
    expect(typeof profile?._regcity).toBe('string');
    expect(Math.abs((profile?._lat as number) - 37.4)).toBeLessThan(1);
    expect(Math.abs((profile?._lon as number) + 122.1)).toBeLessThan(1);
    expect(profile).not.toHaveProperty('_postal_code');
  });

  it('registration fields come from _ip when _regip is absent; _regip alone fills only them', async () => {
    const fromIp = (await importOne({ _ip: '77.88.8.8' }, { detect_geo: 1 })).profile;
    expect(fromIp).toMatchObject({ _country: 'RU', _regcountry: 'RU', _region: 'Moscow' });
    expect(fromIp?._regcity).toBe(fromIp?._city);
    const regOnly = (await importOne({ _regip: '8.8.8.8' }, { detect_geo: true })).profile;
    expect(regOnly).toMatchObject({ _regcountry: 'US' });
    expect(regOnly).not.toHaveProperty('_country');
    expect(regOnly).not.toHaveProperty('_city');
  });

  it('never overwrites values given in the item', async () => {
    const { profile } = await importOne(
      { _ip: '8.8.8.8', _country: 'DE', _city: 'Berlin', _lat: 52.5, _regcountry: 'FR' },
      { detect_geo: true },
    );
    expect(profile).toMatchObject({
      _country: 'DE',
      _city: 'Berlin',
      _lat: 52.5,
      _regcountry: 'FR',
      _region: 'California',
    });
  });

  it('private, reserved or loopback addresses fill nothing and are not errors', async () => {
    for (const ip of ['192.168.1.10', '10.0.0.1', '127.0.0.1', '::1', '100.64.0.1']) {
      const { res, profile } = await importOne({ _ip: ip }, { detect_geo: true });
      expect(res.json.errors).toBeUndefined();
      for (const f of ['_city', '_country', '_region', '_lat', '_lon', '_regcity', '_regcountry'])
        expect(profile).not.toHaveProperty(f);
    }
  });

  it('off by default, and in XML', async () => {
    expect((await importOne({ _ip: '8.8.8.8' })).profile).not.toHaveProperty('_country');
    const email = uniq('geoxml');
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><detect_geo>true</detect_geo><data><email>${email}</email><ip>77.88.8.8</ip></data></xml>`,
    );
    expect(res.status).toBe(200);
    expect(await getProfile(h, { email })).toMatchObject({ _ip: '77.88.8.8', _country: 'RU', _regcountry: 'RU' });
  });
});

describe('which subscription receives the message', () => {
  /** A profile with three subscribed email subscriptions of different priorities, found by Custom_ID. */
  async function threeSubs(): Promise<{ key: string; a: string; b: string; c: string }> {
    const key = `cs-${++n}`;
    const [a, b, c] = [uniq('pa'), uniq('pb'), uniq('pc')];
    const res = await call(h, 'profiles/import', {
      db_id: 1,
      matching: 'custom',
      field_name: 'Custom_ID',
      data: {
        Custom_ID: key,
        subscriptions: [emailSub(a, { priority: 5 }), emailSub(b, { priority: 1 }), emailSub(c, { priority: 3 })],
      },
    });
    expect(res.status).toBe(200);
    return { key, a, b, c };
  }
  const byKey = (key: string, root: Record<string, unknown> = {}) =>
    batch(h, { matching: 'custom', field_name: 'Custom_ID', field_value: key, data: [{ data: {} }], ...root });
  const lastMessage = (res: Response) => messagesOf(h, resultIds(res)[0]).at(-1);

  it('the lowest priority', async () => {
    const { key, b } = await threeSubs();
    const m = lastMessage(await byKey(key));
    expect(m).toMatchObject({ status: 'scheduled', address: b, channel: 'email', resource_id: 21, skip_reason: null });
  });

  it('the address the profile was matched by is preferred', async () => {
    const { a } = await threeSubs();
    const res = await batch(h, { data: [{ email: a, data: {} }] });
    expect(messagesOf(h, resultIds(res)[0]).map((m) => m.address)).toEqual([a]);
  });

  it('only subscribed subscriptions are candidates', async () => {
    const { key, b, c } = await threeSubs();
    await byKey(key, { data: [{ data: { subscriptions: [emailSub(b, { status: 'unsubscribed' })] } }] });
    const m = lastMessage(await byKey(key));
    expect(m?.address).toBe(c);
  });

  it('a tie on priority goes to the most recently updated', async () => {
    const key = `tie-${++n}`;
    const [x, y] = [uniq('tx'), uniq('ty')];
    const m = { matching: 'custom', field_name: 'Custom_ID' };
    await call(h, 'profiles/import', {
      db_id: 1,
      ...m,
      data: { Custom_ID: key, subscriptions: [emailSub(y, { priority: 2 })] },
    });
    h.clock.advance(60_000);
    await call(h, 'profiles/import', {
      db_id: 1,
      ...m,
      data: { Custom_ID: key, subscriptions: [emailSub(x, { priority: 2 })] },
    });
    expect(lastMessage(await byKey(key))?.address).toBe(x);
    // Updating y (here its custom fields) makes it the most recent.
    h.clock.advance(60_000);
    await call(h, 'profiles/import', {
      db_id: 1,
      ...m,
      data: { Custom_ID: key, subscriptions: [emailSub(y, { priority: 2, custom_fields: { touched: true } })] },
    });
    expect(lastMessage(await byKey(key))?.address).toBe(y);
  });

  it('subscription_filter picks that address; not_strict decides what happens when it is absent', async () => {
    const { key, b, c } = await threeSubs();
    expect(lastMessage(await byKey(key, { subscription_filter: { email: c.toUpperCase() } }))?.address).toBe(c);
    const strict = lastMessage(await byKey(key, { subscription_filter: { email: 'nobody@example.com' } }));
    expect(strict).toMatchObject({
      status: 'skipped',
      address: null,
      skip_reason: 'subscription_filter: no subscribed email subscription with that address',
    });
    const strictFalse = lastMessage(
      await byKey(key, { subscription_filter: { email: 'nobody@example.com', not_strict: 'false' } }),
    );
    expect(strictFalse?.status).toBe('skipped');
    const lenient = lastMessage(
      await byKey(key, { subscription_filter: { email: 'nobody@example.com', not_strict: true } }),
    );
    expect(lenient).toMatchObject({ status: 'scheduled', address: b });
    // Only the keys of the trigger's channel are read: a phone filter means nothing to an email trigger.
    expect(
      lastMessage(
        await byKey(key, { subscription_filter: { phone: '+79000000099', provider: 'x', subscription_id: 'y' } }),
      )?.address,
    ).toBe(b);
  });

  it('no usable subscription: success, and a skipped message with the reason', async () => {
    const email = uniq('nosub');
    const res = await batch(h, { data: [{ data: { email } }] });
    expect(res.json).toMatchObject({ error: 0, result: [{ profile_id: expect.any(String) }] });
    expect(res.json.errors).toBeUndefined();
    expect(messagesOf(h, resultIds(res)[0])).toMatchObject([
      {
        status: 'skipped',
        address: null,
        channel: 'email',
        resource_id: 21,
        trigger_id: 96,
        skip_reason: 'no subscribed email subscription on resource 21',
        due_at: h.clock.now(),
      },
    ]);
    // A subscription on another resource or channel does not count either.
    const other = await batch(h, {
      trigger_id: 102,
      data: [{ data: { email: uniq('nosub'), subscriptions: [emailSub(uniq('r21'))] } }],
    });
    expect(messagesOf(h, resultIds(other)[0])[0]).toMatchObject({
      status: 'skipped',
      skip_reason: 'no subscribed email subscription on resource 22',
    });
  });

  it('sms and push triggers send to their channel (push: every subscribed device)', async () => {
    const sms = await batch(h, {
      trigger_id: 97,
      matching: 'phone',
      data: [
        {
          data: {
            phones: '+79000000071',
            subscriptions: [{ channel: 'sms', resource_id: 21, phone: '+7 900 000-00-71' }, emailSub(uniq('sms'))],
          },
        },
      ],
    });
    expect(messagesOf(h, resultIds(sms)[0]).map((m) => [m.channel, m.address, m.status])).toEqual([
      ['sms', '+79000000071', 'scheduled'],
    ]);
    const push = await batch(h, {
      trigger_id: 99,
      data: [
        {
          data: {
            email: uniq('push'),
            subscriptions: [
              { channel: 'push', resource_id: 21, provider: 'ios-apns', subscription_id: 'd1' },
              { channel: 'push', resource_id: 21, provider: 'android-firebase', subscription_id: 'd2' },
              { channel: 'push', resource_id: 21, provider: 'Chrome', subscription_id: 'd3', status: 1 },
            ],
          },
        },
      ],
    });
    expect(
      messagesOf(h, resultIds(push)[0])
        .map((m) => m.address)
        .sort(),
    ).toEqual(['android-firebase|d2', 'ios-apns|d1']);
  });
});

describe('delays', () => {
  const dueOf = (res: Response) => messagesOf(h, resultIds(res)[0]).map((m) => m.due_at);
  const item = () => {
    const email = uniq('due');
    return { data: { email, subscriptions: [emailSub(email)] } };
  };

  it('messages are due now + skip_minutes + timeout', async () => {
    h.clock.advance(3_600_000);
    const now = h.clock.now();
    expect(dueOf(await batch(h, { data: [item()] }))).toEqual([now]);
    expect(dueOf(await batch(h, { timeout: { days: 1, hours: 2, minutes: 3 }, data: [item()] }))).toEqual([
      now + 86_400_000 + 7_200_000 + 180_000,
    ]);
    expect(dueOf(await batch(h, { timeout: { minutes: '90' }, data: [item()] }))).toEqual([now + 90 * 60_000]);
    expect(dueOf(await batch(h, { trigger_id: 100, data: [item()] }))).toEqual([now + 30 * 60_000]);
    expect(dueOf(await batch(h, { trigger_id: 100, timeout: { minutes: 15 }, data: [item()] }))).toEqual([
      now + 45 * 60_000,
    ]);
    expect(dueOf(await batch(h, { timeout: {}, data: [item()] }))).toEqual([now]);
  });

  it('in XML', async () => {
    const now = h.clock.now();
    const email = uniq('duexml');
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>100</trigger_id><timeout><hours>1</hours></timeout><data><email>${email}</email><subscriptions><channel>email</channel><resource_id>21</resource_id><email>${email}</email></subscriptions></data></xml>`,
    );
    const [id] = xmlValues(res.body, 'profile_id');
    expect(messagesOf(h, id).map((m) => m.due_at)).toEqual([now + 3_600_000 + 30 * 60_000]);
  });
});

describe('what a launch stores', () => {
  it('content, custom_data and attachments once per request; per-item custom_data on its messages', async () => {
    const before = snapshot(h);
    const items = [0, 1, 2].map(() => {
      const email = uniq('launch');
      return { data: { email, subscriptions: [emailSub(email)] } };
    });
    const res = await batch(h, {
      content: { page: 'home', order: { id: 7 } },
      custom_data: { campaign: 'spring' },
      attach: [
        { name: 'invoice.pdf', data: `data:application/pdf;base64,${Buffer.from('%PDF-1.4 fake').toString('base64')}` },
        {
          name: 'notes.txt',
          data: `data:Text/Plain;charset=utf-8;base64,${Buffer.from('hello, world').toString('base64')}`,
        },
      ],
      data: [items[0], { ...items[1], custom_data: { item: 1 } }, items[2]],
    });
    expect(res.status).toBe(200);
    const ids = resultIds(res);
    const after = snapshot(h);
    expect(after.launches - before.launches).toBe(1);
    expect(after.attachments - before.attachments).toBe(2);
    expect(after.messages - before.messages).toBe(3);

    const msgs = ids.map((id) => messagesOf(h, id)[0]);
    const launchId = msgs[0].launch_id;
    expect(msgs.map((m) => m.launch_id)).toEqual([launchId, launchId, launchId]);
    expect(msgs.map((m) => (m.custom_data === null ? null : JSON.parse(m.custom_data)))).toEqual([
      null,
      { item: 1 },
      null,
    ]);
    const [launch] = rows<{ trigger_id: number; kind: string; content: string; custom_data: string }>(
      h,
      'SELECT * FROM launches WHERE id = ?',
      launchId,
    );
    expect(launch.trigger_id).toBe(96);
    expect(launch.kind).toBe('api');
    expect(JSON.parse(launch.content)).toEqual({ page: 'home', order: { id: 7 } });
    expect(JSON.parse(launch.custom_data)).toEqual({ campaign: 'spring' });
    const files = rows<{ position: number; name: string; mime: string; data: Buffer }>(
      h,
      'SELECT position, name, mime, data FROM attachments WHERE launch_id = ? ORDER BY position',
      launchId,
    );
    expect(files.map((f) => [f.position, f.name, f.mime, f.data.toString()])).toEqual([
      [0, 'invoice.pdf', 'application/pdf', '%PDF-1.4 fake'],
      [1, 'notes.txt', 'text/plain', 'hello, world'],
    ]);

    // Another request is another launch.
    const again = await batch(h, { content: { page: 'b' }, data: [items[0]] });
    expect(messagesOf(h, resultIds(again)[0]).at(-1)?.launch_id).not.toBe(launchId);
  });

  it('attachment names are sanitised: no path, no CR/LF or header characters', async () => {
    const data = `data:text/plain;base64,${Buffer.from('x').toString('base64')}`;
    const names = [
      '../../etc/passwd',
      'C:\\Users\\evil\\run.exe',
      'report\r\nBcc: victim@example.com.txt',
      '"quoted" <name>.pdf',
      '...hidden',
      '/',
      undefined,
    ];
    const email = uniq('names');
    const res = await batch(h, {
      attach: names.map((name) => (name === undefined ? { data } : { name, data })),
      data: [{ data: { email, subscriptions: [emailSub(email)] } }],
    });
    expect(res.status).toBe(200);
    const [msg] = messagesOf(h, resultIds(res)[0]);
    const stored = rows<{ name: string }>(
      h,
      'SELECT name FROM attachments WHERE launch_id = ? ORDER BY position',
      msg.launch_id,
    ).map((r) => r.name);
    expect(stored).toEqual([
      'passwd',
      'run.exe',
      'reportBcc victim@example.com.txt',
      'quoted name.pdf',
      'hidden',
      'attachment',
      'attachment',
    ]);
    for (const name of stored) expect(name).not.toMatch(/[\r\n/\\]/);
  });

  it('a single attach object is a one-element array', async () => {
    const email = uniq('single');
    const res = await batch(h, {
      attach: { name: 'one.txt', data: 'data:text/plain;base64,aGk=' },
      data: [{ data: { email, subscriptions: [emailSub(email)] } }],
    });
    expect(res.status).toBe(200);
    const [msg] = messagesOf(h, resultIds(res)[0]);
    const stored = rows<{ position: number; name: string; mime: string; data: Buffer }>(
      h,
      'SELECT position, name, mime, data FROM attachments WHERE launch_id = ?',
      msg.launch_id,
    );
    expect(stored.map(({ data, ...r }) => ({ ...r, text: Buffer.from(data).toString() }))).toEqual([
      { position: 0, name: 'one.txt', mime: 'text/plain', text: 'hi' },
    ]);
  });

  it('event triggers fire on import unless skip_triggers', async () => {
    const email = uniq('event');
    const sub = { channel: 'email', resource_id: 23, email };
    const fired = await call(h, 'profiles/import', {
      db_id: 2,
      data: { email, subscriptions: [sub] },
      custom_data: { from: 'import' },
    });
    const id = fired.json.profile_id as string;
    expect(messagesOf(h, id).map((m) => [m.trigger_id, m.status, m.address])).toEqual([[101, 'scheduled', email]]);
    const email2 = uniq('event');
    const skipped = await call(h, 'profiles/import', {
      db_id: 2,
      skip_triggers: true,
      data: { email: email2, subscriptions: [{ ...sub, email: email2 }] },
    });
    expect(messagesOf(h, skipped.json.profile_id as string)).toEqual([]);
  });
});
