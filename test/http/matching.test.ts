// Spec 03 "Matching" and spec 02 "where an item's matching value comes from": every mode, the
// oldest-match rule, the matching value written on create, and the profiles/* methods.
import { importedAll } from '../helpers/subscriptions.js';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH,
  batch,
  call,
  count,
  getProfile,
  itemErrors,
  messagesOf,
  READ_TOKEN,
  resultIds,
  rows,
  snapshot,
  startApi,
  WRITE_TOKEN,
  xmlValues,
} from '../helpers/api.js';
import type { Harness, Response } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

let n = 0;
const uniq = (tag: string) => `${tag}.${++n}@example.com`;
/** A phone number nobody else uses: +7 900 2xx xx xx. */
const phone = () => `+7900${String(2_000_000 + ++n).padStart(7, '0')}`;
let crm = 500_000;

/** Creates a profile in database 1 whatever its email or phones are (custom matching on a fresh CRM_ID). */
async function seed(data: Record<string, unknown>): Promise<string> {
  const res = await call(h, 'profiles/import', {
    db_id: 1,
    matching: 'custom',
    field_name: 'CRM_ID',
    data: { CRM_ID: ++crm, ...data },
  });
  expect(res.status, res.body).toBe(200);
  h.clock.advance(1000);
  return res.json.profile_id as string;
}

const emailSub = (email: string, resource = 21) => ({ channel: 'email', resource_id: resource, email });
const smsSub = (phoneNumber: string) => ({ channel: 'sms', resource_id: 21, phone: phoneNumber });
const pushSub = (provider: string, token: string) => ({
  channel: 'push',
  resource_id: 21,
  provider,
  subscription_id: token,
});

/** import_batch on database 1 (no trigger launch), one item; returns the response. */
function importOne(root: Record<string, unknown>, item: Record<string, unknown>): Promise<Response> {
  return call(h, 'profiles/import_batch', { db_id: 1, ...root, data: [item] });
}

function storedFields(id: string): Record<string, unknown> {
  const [row] = rows<{ fields: string }>(h, 'SELECT fields FROM profiles WHERE id = ?', id);
  return JSON.parse(row.fields) as Record<string, unknown>;
}

async function matchedId(
  root: Record<string, unknown>,
  item: Record<string, unknown>,
): Promise<{ id: string; created: boolean }> {
  const before = count(h, 'profiles');
  const res = await importOne(root, item);
  expect(res.status, res.body).toBe(200);
  expect(itemErrors(res)).toEqual([]);
  const [id] = resultIds(res);
  return { id, created: count(h, 'profiles') === before + 1 };
}

describe('email modes', () => {
  it('email: the profile field, case-insensitively', async () => {
    const email = uniq('Field');
    const p = await seed({ email });
    expect(await matchedId({}, { data: { email: email.toUpperCase(), _fname: 'Upper' } })).toEqual({
      id: p,
      created: false,
    });
    // The stored address keeps the new spelling (the item set it), and matching still finds it.
    expect(await matchedId({ email: email.toLowerCase() }, { data: { _lname: 'Lower' } })).toEqual({
      id: p,
      created: false,
    });
    expect(await getProfile(h, { email })).toMatchObject({ id: p, _fname: 'Upper', _lname: 'Lower' });
  });

  it('email: the addresses of email subscriptions too', async () => {
    const address = uniq('sub');
    const p = await seed({ subscriptions: [emailSub(address)] });
    expect(storedFields(p)).not.toHaveProperty('email');
    expect(await matchedId({}, { email: address.toUpperCase(), data: { _fname: 'ViaSub' } })).toEqual({
      id: p,
      created: false,
    });
    expect(await matchedId({}, { data: { subscriptions: [emailSub(address)] } })).toEqual({ id: p, created: false });
    expect(
      rows(h, 'SELECT count(*) AS n FROM subscriptions s JOIN profiles p ON p.seq = s.profile_seq WHERE p.id = ?', p),
    ).toEqual([{ n: 1 }]);
  });

  it('email with resource_id: subscriptions on that resource only', async () => {
    const address = uniq('res');
    const p = await seed({ subscriptions: [emailSub(address, 22)] });
    expect(await matchedId({ resource_id: 22 }, { email: address, data: {} })).toEqual({ id: p, created: false });
    const other = await matchedId({ resource_id: 21 }, { email: address, data: {} });
    expect(other.created).toBe(true);
    expect(other.id).not.toBe(p);
    // The new profile got the address as its email field; both now answer, the older wins.
    expect(storedFields(other.id)).toMatchObject({ email: address });
    expect(await matchedId({}, { email: address, data: {} })).toEqual({ id: p, created: false });
  });

  it('email_profile: the profile field only', async () => {
    const address = uniq('eprof');
    const viaSub = await seed({ subscriptions: [emailSub(address)] });
    const created = await matchedId({ matching: 'email_profile' }, { email: address, data: {} });
    expect(created.created).toBe(true);
    expect(created.id).not.toBe(viaSub);
    expect(storedFields(created.id)).toMatchObject({ email: address });
    expect(await matchedId({ matching: 'email_profile' }, { email: address, data: { _fname: 'Again' } })).toEqual({
      id: created.id,
      created: false,
    });
  });

  it('email_sub: subscriptions only, and it writes no email field on create', async () => {
    const address = uniq('esub');
    const viaField = await seed({ email: address });
    const created = await matchedId({ matching: 'email_sub', email: address }, { data: { _fname: 'SubOnly' } });
    expect(created.created).toBe(true);
    expect(created.id).not.toBe(viaField);
    expect(storedFields(created.id)).toEqual({ _fname: 'SubOnly' });

    const subbed = await seed({ subscriptions: [emailSub(address, 22)] });
    expect(await matchedId({ matching: 'email_sub', email: address }, { data: {} })).toEqual({
      id: subbed,
      created: false,
    });
    expect(await matchedId({ matching: 'email_sub', email: address, resource_id: 22 }, { data: {} })).toEqual({
      id: subbed,
      created: false,
    });
    expect((await matchedId({ matching: 'email_sub', email: address, resource_id: 21 }, { data: {} })).created).toBe(
      true,
    );
  });

  it('an email that is not an address is an item error', async () => {
    const res = await importOne({}, { email: 'not-an-email', data: {} });
    expect(itemErrors(res)).toEqual([
      {
        index: 0,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[0]: incorrect email "not-an-email" for matching email',
      },
    ]);
  });

  it('no matching value at all is an item error naming the mode', async () => {
    const before = snapshot(h);
    const res = await batch(h, { data: [{ data: { _fname: 'Nobody' } }, { data: { _fname: 'Nobody' } }] });
    expect(res.json.error).toBe(0);
    expect(resultIds(res)).toEqual([]);
    expect(itemErrors(res).map((e) => e.error_debug)).toEqual([
      'data[0]: matching email needs an email: give it in the item, in its data or as a root parameter',
      'data[1]: matching email needs an email: give it in the item, in its data or as a root parameter',
    ]);
    const phoneRes = await importOne({ matching: 'phone' }, { data: { email: uniq('x') } });
    expect(itemErrors(phoneRes)[0].error_debug).toMatch(/^data\[0\]: matching phone needs a phone/);
    expect(snapshot(h)).toEqual(before);
  });
});

describe('phone modes', () => {
  it('phone: the phones field, after E.164 normalisation', async () => {
    const number = phone();
    const p = await seed({ phones: [number] });
    const spaced = `${number.slice(0, 2)} (${number.slice(2, 5)}) ${number.slice(5, 8)}-${number.slice(8, 10)}-${number.slice(10)}`;
    expect(await matchedId({ matching: 'phone' }, { phone: spaced, data: { _fname: 'Spaced' } })).toEqual({
      id: p,
      created: false,
    });
    expect(await matchedId({ matching: 'phone', phone: `00${number.slice(1)}` }, { data: {} })).toEqual({
      id: p,
      created: false,
    });
  });

  it('phone: SMS subscriptions too, restricted by resource_id', async () => {
    const number = phone();
    const p = await seed({ subscriptions: [smsSub(number)] });
    expect(storedFields(p)).not.toHaveProperty('phones');
    expect(await matchedId({ matching: 'phone' }, { data: { subscriptions: [smsSub(number)] } })).toEqual({
      id: p,
      created: false,
    });
    expect(await matchedId({ matching: 'phone', resource_id: 21, phone: number }, { data: {} })).toEqual({
      id: p,
      created: false,
    });
    const other = await matchedId({ matching: 'phone', resource_id: 22, phone: number }, { data: {} });
    expect(other.created).toBe(true);
    // On create the phone is appended to phones.
    expect(storedFields(other.id)).toEqual({ phones: [number] });
  });

  it('phone_sub: SMS subscriptions only, nothing written on create', async () => {
    const number = phone();
    const viaField = await seed({ phones: number });
    const created = await matchedId({ matching: 'phone_sub', phone: number }, { data: { _fname: 'P' } });
    expect(created.created).toBe(true);
    expect(created.id).not.toBe(viaField);
    expect(storedFields(created.id)).toEqual({ _fname: 'P' });
    const subbed = await seed({ subscriptions: [smsSub(number)] });
    expect(await matchedId({ matching: 'phone_sub', phone: number }, { data: {} })).toEqual({
      id: subbed,
      created: false,
    });
  });

  it('an invalid phone for matching is an item error', async () => {
    const res = await importOne({ matching: 'phone' }, { phone: '8 900 000 00 00', data: {} });
    expect(itemErrors(res)[0]).toEqual({
      index: 0,
      error: 400,
      error_text: 'Invalid request',
      error_debug: 'data[0]: incorrect phone "8 900 000 00 00" for matching phone',
    });
  });
});

describe('email_phone modes', () => {
  it('email_phone: profile email or phones, the oldest profile matching either wins', async () => {
    const number = phone();
    const email = uniq('ep');
    const older = await seed({ phones: [number] });
    const newer = await seed({ email });
    expect(await matchedId({ matching: 'email_phone', email }, { data: {} })).toEqual({ id: newer, created: false });
    expect(await matchedId({ matching: 'email_phone' }, { email: uniq('ep2'), phone: number, data: {} })).toEqual({
      id: older,
      created: false,
    });
    expect(await matchedId({ matching: 'email_phone' }, { data: { email, phones: number } })).toEqual({
      id: older,
      created: false,
    });
    // That update gave the older profile the email as well: it now answers both.
    expect(await matchedId({ matching: 'email_phone', email }, { data: {} })).toEqual({ id: older, created: false });
  });

  it('email_phone: on create both values are written', async () => {
    const number = phone();
    const email = uniq('epc');
    const created = await matchedId({ matching: 'email_phone', email, phone: number }, { data: { _fname: 'Both' } });
    expect(created.created).toBe(true);
    expect(storedFields(created.id)).toEqual({ email, phones: [number], _fname: 'Both' });
  });

  it('email_phone_sub: email or SMS subscriptions, never the fields', async () => {
    const number = phone();
    const email = uniq('eps');
    const bySub = await seed({ subscriptions: [emailSub(email)] });
    const bySms = await seed({ subscriptions: [smsSub(number)] });
    expect(await matchedId({ matching: 'email_phone_sub' }, { email, phone: number, data: {} })).toEqual({
      id: bySub,
      created: false,
    });
    expect(await matchedId({ matching: 'email_phone_sub' }, { phone: number, data: {} })).toEqual({
      id: bySms,
      created: false,
    });
    const fieldOnly = uniq('epsf');
    await seed({ email: fieldOnly });
    const created = await matchedId({ matching: 'email_phone_sub', email: fieldOnly }, { data: {} });
    expect(created.created).toBe(true);
    expect(storedFields(created.id)).toEqual({});
  });

  it('needs at least one of the two', async () => {
    const res = await importOne({ matching: 'email_phone_sub' }, { data: { _fname: 'x' } });
    expect(itemErrors(res)[0].error_debug).toBe(
      'data[0]: matching email_phone_sub needs an email or a phone: give it in the item, in its data or as a root parameter',
    );
  });
});

describe('profile_id', () => {
  it('updates the profile with that id, from the item, its data or the root', async () => {
    const p = await seed({ email: uniq('pid') });
    expect(await matchedId({ matching: 'profile_id' }, { profile_id: p, data: { _fname: 'ByItem' } })).toEqual({
      id: p,
      created: false,
    });
    expect(await matchedId({ matching: 'profile_id' }, { data: { profile_id: p, _lname: 'ByData' } })).toEqual({
      id: p,
      created: false,
    });
    expect(
      await matchedId({ matching: 'profile_id', profile_id: p.toUpperCase() }, { data: { _bdate: '2000-01-02' } }),
    ).toEqual({ id: p, created: false });
    expect(storedFields(p)).toMatchObject({ _fname: 'ByItem', _lname: 'ByData', _bdate: '2000-01-02T00:00:00.000Z' });
    expect(storedFields(p)).not.toHaveProperty('profile_id');
  });

  it('never creates: unknown or malformed ids are per-item 404s, nothing written for them', async () => {
    const p = await seed({ email: uniq('pid') });
    const before = snapshot(h);
    const res = await batch(h, {
      matching: 'profile_id',
      data: [
        { profile_id: 'abcdefghijklmnqrstuvwxyz', data: { _fname: 'X' } },
        { profile_id: p, data: { _fname: 'Found' } },
        { profile_id: 'ffffffffffffffffffffffff', data: { _fname: 'X' } },
        { profile_id: `${p}0`, data: { _fname: 'X' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(resultIds(res)).toEqual([p]);
    expect(itemErrors(res)).toEqual([
      { index: 0, error: 404, error_text: 'Not found', error_debug: 'data[0]: Profile not found' },
      { index: 2, error: 404, error_text: 'Not found', error_debug: 'data[2]: Profile not found' },
      { index: 3, error: 404, error_text: 'Not found', error_debug: 'data[3]: Profile not found' },
    ]);
    const after = snapshot(h);
    expect(after.profiles).toBe(before.profiles);
    expect(after.messages).toBe(before.messages + 1);
    expect(messagesOf(h, p)).toHaveLength(1);
  });

  it('single-profile methods answer 404 for an unknown profile id', async () => {
    const before = snapshot(h);
    const res = await call(h, 'campaigns/triggers/import_and_start', {
      trigger_id: 96,
      matching: 'profile_id',
      profile_id: 'abcdefghijklmnqrstuvwxyz',
      data: { _fname: 'X' },
    });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 404, error_debug: 'Profile not found', error_text: 'Not found' });
    const get = await call(h, 'profiles/get', {
      db_id: 1,
      matching: 'profile_id',
      profile_id: '0123456789abcdef01234567',
    });
    expect(get.status).toBe(404);
    expect(snapshot(h)).toEqual(before);
  });
});

describe('push_sub', () => {
  it('finds the push subscription, providers compared case-insensitively', async () => {
    const token = `tok-${++n}`;
    const p = await seed({ subscriptions: [pushSub('Chrome', token)] });
    expect(
      await matchedId(
        { matching: 'push_sub', provider: 'chrome', subscription_id: token },
        { data: { _fname: 'Root' } },
      ),
    ).toEqual({ id: p, created: false });
    expect(await matchedId({ matching: 'push_sub' }, { provider: 'CHROME', subscription_id: token, data: {} })).toEqual(
      { id: p, created: false },
    );
    expect(await matchedId({ matching: 'push_sub' }, { data: { subscriptions: [pushSub('cHrOmE', token)] } })).toEqual({
      id: p,
      created: false,
    });
    // The same subscription was updated, not duplicated.
    const get = await getProfile(h, { matching: 'push_sub', provider: 'CHROME', subscription_id: token });
    expect(get?.id).toBe(p);
    expect(importedAll(get?.subscriptions)).toEqual([
      {
        channel: 'push',
        resource_id: 21,
        provider: 'cHrOmE',
        subscription_id: token,
        status: 0,
        priority: 0,
        custom_fields: {},
        cats: [],
      },
    ]);
    // Device tokens are compared exactly.
    expect(
      (
        await matchedId(
          { matching: 'push_sub', provider: 'chrome', subscription_id: token.toUpperCase() },
          { data: {} },
        )
      ).created,
    ).toBe(true);
  });

  it('needs both a provider and a subscription_id', async () => {
    const res = await importOne({ matching: 'push_sub', provider: 'ios-apns' }, { data: {} });
    expect(itemErrors(res)[0].error_debug).toBe(
      'data[0]: matching push_sub needs a provider and a subscription_id: give it in the item, in its data or as a root parameter',
    );
  });
});

describe('custom', () => {
  it('an int field, with the value coerced from text; written on create', async () => {
    const created = await matchedId(
      { matching: 'custom', field_name: 'CRM_ID', field_value: '900001' },
      { data: { _fname: 'Int' } },
    );
    expect(created.created).toBe(true);
    expect(storedFields(created.id)).toEqual({ CRM_ID: 900001, _fname: 'Int' });
    expect(await matchedId({ matching: 'custom', field_name: 'CRM_ID' }, { field_value: 900001, data: {} })).toEqual({
      id: created.id,
      created: false,
    });
    expect(
      await matchedId({ matching: 'custom', field_name: 'CRM_ID' }, { data: { CRM_ID: '900001', _lname: 'Data' } }),
    ).toEqual({ id: created.id, created: false });
    const bad = await importOne({ matching: 'custom', field_name: 'CRM_ID', field_value: 'abc' }, { data: {} });
    expect(itemErrors(bad)[0].error_debug).toBe(
      'data[0]: field_value: expected an integer, got "abc" for field \'CRM_ID\'',
    );
  });

  it('a string field, with numbers taken as their text', async () => {
    const created = await matchedId({ matching: 'custom', field_name: 'Custom_ID', field_value: 4242 }, { data: {} });
    expect(created.created).toBe(true);
    expect(storedFields(created.id)).toEqual({ Custom_ID: '4242' });
    expect(await matchedId({ matching: 'custom', field_name: 'Custom_ID', field_value: '4242' }, { data: {} })).toEqual(
      { id: created.id, created: false },
    );
    // Field values are compared exactly (case-sensitive).
    await seed({ Custom_ID: 'Alpha-1' });
    expect(
      (await matchedId({ matching: 'custom', field_name: 'Custom_ID', field_value: 'alpha-1' }, { data: {} })).created,
    ).toBe(true);
  });

  it('a tags field: "a, b" needs both tags; on create the tags are added', async () => {
    const t = `t${++n}`;
    const [a, b, c, z] = [`${t}a`, `${t}b`, `${t}c`, `${t}z`];
    const both = await seed({ interests: [a, b, c] });
    const onlyA = await seed({ interests: [a] });
    const m = { matching: 'custom', field_name: 'interests' };
    expect(await matchedId({ ...m, field_value: `${a}, ${b}` }, { data: {} })).toEqual({ id: both, created: false });
    expect(await matchedId({ ...m, field_value: ` ${c} ,${a} ` }, { data: {} })).toEqual({ id: both, created: false });
    expect(await matchedId({ ...m, field_value: a }, { data: {} })).toEqual({ id: both, created: false });
    const created = await matchedId({ ...m, field_value: `${b}, ${z}` }, { data: { _fname: 'Tags' } });
    expect(created.created).toBe(true);
    expect(created.id).not.toBe(onlyA);
    expect(storedFields(created.id)).toEqual({ interests: [b, z], _fname: 'Tags' });
    expect(await getProfile(h, { ...m, field_value: `${z}, ${b}` })).toMatchObject({ id: created.id });
  });
});

describe('where the matching value comes from', () => {
  it('the item key beats the data, the data beats the root parameter', async () => {
    const [fromItem, fromData, fromRoot] = [uniq('item'), uniq('data'), uniq('root')];
    const pItem = await seed({ email: fromItem });
    const pData = await seed({ email: fromData });
    const pRoot = await seed({ email: fromRoot });
    const res = await batch(h, {
      email: fromRoot,
      data: [
        { data: { email: fromData, _fname: 'one' } },
        { data: { _fname: 'two' } },
        { data: { _fname: 'three', subscriptions: [emailSub(fromData)] } },
        { email: fromItem, data: { email: fromData, _fname: 'four' } },
      ],
    });
    expect(resultIds(res)).toEqual([pData, pRoot, pData, pItem]);
    // The last item matched by its key and then set the email its data gives.
    expect(storedFields(pItem)).toMatchObject({ email: fromData, _fname: 'four' });
    expect(storedFields(pData)).toMatchObject({ email: fromData, _fname: 'three' });
    expect(storedFields(pRoot)).toMatchObject({ email: fromRoot, _fname: 'two' });
  });

  it('custom: item field_value, then data[field_name], then the root field_value', async () => {
    const [a, b, c] = [++crm, ++crm, ++crm];
    const pa = await seed({ Custom_ID: `v${a}` });
    const pb = await seed({ Custom_ID: `v${b}` });
    const pc = await seed({ Custom_ID: `v${c}` });
    const res = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'custom',
      field_name: 'Custom_ID',
      field_value: `v${c}`,
      data: [
        { data: { Custom_ID: `v${b}` } },
        { data: {} },
        { field_value: `v${a}`, data: { Custom_ID: `v${b}`, _fname: 'key' } },
      ],
    });
    expect(resultIds(res)).toEqual([pb, pc, pa]);
    expect(storedFields(pa)).toMatchObject({ Custom_ID: `v${b}`, _fname: 'key' });
  });

  it('on create, the data wins over the matching value', async () => {
    const [key, inData] = [uniq('key'), uniq('indata')];
    const created = await matchedId({}, { email: key, data: { email: inData } });
    expect(created.created).toBe(true);
    expect(storedFields(created.id)).toEqual({ email: inData });
    const number = phone();
    const other = phone();
    const viaPhone = await matchedId({ matching: 'phone', phone: number }, { data: { phones: [other] } });
    expect(viaPhone.created).toBe(true);
    expect(storedFields(viaPhone.id)).toEqual({ phones: [other] });
  });

  it('the matching value on create makes the next import find the profile', async () => {
    const email = uniq('next');
    const first = await matchedId({ email }, { data: { _fname: 'First' } });
    expect(first.created).toBe(true);
    expect(storedFields(first.id)).toEqual({ email, _fname: 'First' });
    expect(await matchedId({ email }, { data: { _fname: 'Second' } })).toEqual({ id: first.id, created: false });
  });
});

describe('several matches: the oldest profile wins', () => {
  it('by the field, by a subscription, and within a batch', async () => {
    const email = uniq('dup');
    const first = await seed({ email });
    const second = await seed({ email });
    expect(await matchedId({}, { email, data: { _fname: 'A' } })).toEqual({ id: first, created: false });
    expect(await getProfile(h, { email })).toMatchObject({ id: first, _fname: 'A' });
    expect(storedFields(second)).not.toHaveProperty('_fname');

    const address = uniq('dupsub');
    const bySub = await seed({ subscriptions: [emailSub(address)] });
    await seed({ email: address });
    expect(await matchedId({}, { email: address, data: {} })).toEqual({ id: bySub, created: false });

    // Within one batch the first item creates the profile and the second updates it.
    const fresh = uniq('fresh');
    const res = await batch(h, {
      data: [{ data: { email: fresh, _fname: 'One' } }, { data: { email: fresh.toUpperCase(), _lname: 'Two' } }],
    });
    const [x, y] = resultIds(res);
    expect(y).toBe(x);
    expect(await getProfile(h, { email: fresh })).toMatchObject({
      id: x,
      _fname: 'One',
      _lname: 'Two',
      email: fresh.toUpperCase(),
    });
    expect(messagesOf(h, x)).toHaveLength(2);
  });

  it('delete removes the oldest; the next one is found afterwards', async () => {
    const email = uniq('deldup');
    const first = await seed({ email });
    const second = await seed({ email });
    expect((await call(h, 'profiles/delete', { db_id: 1, email })).status).toBe(200);
    expect((await getProfile(h, { email }))?.id).toBe(second);
    expect(rows(h, 'SELECT id FROM profiles WHERE id = ?', first)).toEqual([]);
  });

  it('databases are separate', async () => {
    const email = uniq('db2');
    const inDb2 = await call(h, 'profiles/import', { db_id: 2, email, data: { _fname: 'Db2' } });
    expect(inDb2.status).toBe(200);
    const inDb1 = await matchedId({}, { email, data: {} });
    expect(inDb1.created).toBe(true);
    expect(inDb1.id).not.toBe(inDb2.json.profile_id);
    expect((await call(h, 'profiles/get', { db_id: 2, email })).json.data).toMatchObject({
      id: inDb2.json.profile_id,
      db_id: 2,
      _fname: 'Db2',
    });
  });
});

describe('profiles/* methods', () => {
  it('profiles/import creates then updates the same profile', async () => {
    const email = uniq('imp');
    const first = await call(h, 'profiles/import', { db_id: 1, data: { email, _fname: 'A' } });
    expect(first.status).toBe(200);
    expect(Object.keys(first.json)).toEqual(['error', 'error_text', 'profile_id']);
    const second = await call(h, 'profiles/import', { db_id: 1, data: { email, _lname: 'B' } });
    expect(second.json.profile_id).toBe(first.json.profile_id);
    expect(await getProfile(h, { email })).toMatchObject({ _fname: 'A', _lname: 'B' });
    // No trigger was launched.
    expect(messagesOf(h, first.json.profile_id as string)).toEqual([]);
  });

  it('profiles/import_batch: result and errors as the trigger batch, no messages', async () => {
    const before = snapshot(h);
    const [a, b] = [uniq('ib'), uniq('ib')];
    const res = await call(h, 'profiles/import_batch', {
      db_id: 1,
      data: [{ data: { email: a } }, { data: { email: 'broken' } }, { data: { email: b } }],
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['error', 'error_text', 'result', 'errors']);
    expect(resultIds(res)).toHaveLength(2);
    expect(itemErrors(res)).toEqual([
      {
        index: 1,
        error: 400,
        error_text: 'Invalid request',
        error_debug: 'data[1].data.email: incorrect email "broken"',
      },
    ]);
    const after = snapshot(h);
    expect(after.profiles).toBe(before.profiles + 2);
    expect(after.messages).toBe(before.messages);
  });

  it('profiles/update updates and never creates', async () => {
    const email = uniq('upd');
    const p = await seed({ email });
    const res = await call(h, 'profiles/update', { db_id: 1, email, data: { _fname: 'Updated' } });
    expect(res.status).toBe(200);
    expect(res.json.profile_id).toBe(p);
    expect(storedFields(p)).toMatchObject({ _fname: 'Updated' });
    const before = snapshot(h);
    const missing = await call(h, 'profiles/update', { db_id: 1, email: uniq('nobody'), data: { _fname: 'Ghost' } });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: 404, error_debug: 'Profile not found', error_text: 'Not found' });
    expect(snapshot(h)).toEqual(before);
  });

  it('profiles/get: one flat object, read-only fields first, subscriptions last', async () => {
    const email = uniq('Get');
    const p = await seed({
      email,
      _fname: 'Gina',
      interests: ['x'],
      subscriptions: [emailSub(email), smsSub('+79007654321')],
    });
    const res = await call(h, 'profiles/get', { db_id: 1, email });
    expect(res.status).toBe(200);
    const data = res.json.data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual([
      'id',
      'db_id',
      '_createtime',
      '_updatetime',
      '_md5',
      '_emaildomain',
      'CRM_ID',
      'email',
      '_fname',
      'interests',
      'subscriptions',
    ]);
    expect(data).toMatchObject({
      id: p,
      db_id: 1,
      _md5: createHash('md5').update(email.toLowerCase()).digest('hex'),
      _emaildomain: 'example.com',
      email,
      _fname: 'Gina',
      interests: ['x'],
    });
    expect(data._createtime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(data.subscriptions).toEqual([
      {
        channel: 'email',
        resource_id: 21,
        email,
        email_data: { email, domain: 'example.com', md5: createHash('md5').update(email.toLowerCase()).digest('hex') },
        is_delete: false,
        status: 0,
        priority: 0,
        custom_fields: {},
        cats: [],
      },
      {
        channel: 'sms',
        resource_id: 21,
        phone: '+79007654321',
        sms_data: { phone: '+79007654321' },
        is_delete: false,
        status: 0,
        priority: 0,
        custom_fields: {},
        cats: [],
      },
    ]);
    const xml = await call(h, 'profiles/get', { db_id: 1, email, format: 'xml' });
    expect(xml.body).toMatch(
      new RegExp(
        `^<xml><error>0</error><error_text>Successful operation</error_text><data><id>${p}</id><db_id>1</db_id>`,
      ),
    );
    expect(xml.body).toContain('<interests>x</interests>');
    expect(xml.body).toContain('<subscriptions><channel>email</channel><resource_id>21</resource_id>');
    expect(xml.body).toContain(
      '<status>0</status><priority>0</priority><custom_fields></custom_fields><cats/></subscriptions>',
    );
  });

  it('profiles/get: not found, and a missing matching value', async () => {
    const res = await call(h, 'profiles/get', { db_id: 1, email: uniq('absent') });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 404, error_debug: 'Profile not found', error_text: 'Not found' });
    const noValue = await call(h, 'profiles/get', { db_id: 1 });
    expect(noValue.status).toBe(400);
    expect(noValue.json.error_debug).toBe(
      'matching email needs an email: give it in the item, in its data or as a root parameter',
    );
    const xml = await h.post(
      'profiles/get',
      `<xml><token>${READ_TOKEN}</token><db_id>1</db_id><email>${uniq('absent')}</email></xml>`,
    );
    expect(xml.status).toBe(404);
    expect(xml.body).toBe(
      '<xml><error>404</error><error_debug>Profile not found</error_debug><error_text>Not found</error_text></xml>',
    );
  });

  it('profiles/delete removes the profile and cancels its scheduled messages', async () => {
    const email = uniq('del');
    const launched = await batch(h, { data: [{ data: { email, subscriptions: [emailSub(email)] } }] });
    const [id] = resultIds(launched);
    expect(messagesOf(h, id).map((m) => m.status)).toEqual(['scheduled']);
    const res = await call(h, 'profiles/delete', { db_id: 1, email });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ error: 0, error_text: 'Successful operation', data: { profile_id: id } });
    expect(rows(h, 'SELECT count(*) AS n FROM profiles WHERE id = ?', id)).toEqual([{ n: 0 }]);
    expect(rows(h, "SELECT count(*) AS n FROM profile_values WHERE field = 'email' AND value = ?", email)).toEqual([
      { n: 0 },
    ]);
    expect(count(h, 'subscriptions', 'address = ?', email)).toBe(0);
    expect(messagesOf(h, id).map((m) => [m.status, m.skip_reason])).toEqual([['cancelled', 'profile deleted']]);
    expect(await getProfile(h, { email })).toBeUndefined();
    const again = await call(h, 'profiles/delete', { db_id: 1, email });
    expect(again.status).toBe(404);
    expect(again.json.error_debug).toBe('Profile not found');
    // A re-import creates a new profile.
    const reimport = await batch(h, { data: [{ data: { email } }] });
    expect(resultIds(reimport)[0]).not.toBe(id);
  });

  it('profiles/delete in XML, by custom matching', async () => {
    const p = await seed({ Custom_ID: 'to-delete' });
    const res = await h.post(
      'profiles/delete',
      `<xml><token>${WRITE_TOKEN}</token><db_id>1</db_id><matching>custom</matching><field_name>Custom_ID</field_name><field_value>to-delete</field_value></xml>`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe(
      `<xml><error>0</error><error_text>Successful operation</error_text><data><profile_id>${p}</profile_id></data></xml>`,
    );
    expect(rows(h, 'SELECT id FROM profiles WHERE id = ?', p)).toEqual([]);
  });

  it('XML items: the seed shape (fields directly in <data>) and the wrapper shape', async () => {
    const [a, b] = [uniq('xa'), uniq('xb')];
    const pa = await seed({ email: a });
    const res = await h.post(
      BATCH,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id>` +
        `<data><email>${a}</email><fname>Direct</fname></data>` +
        `<data><email>${b}</email><data><_fname>Wrapped</_fname></data></data></xml>`,
    );
    expect(res.status).toBe(200);
    const ids = xmlValues(res.body, 'profile_id');
    expect(ids[0]).toBe(pa);
    expect(await getProfile(h, { email: a })).toMatchObject({ _fname: 'Direct' });
    expect(await getProfile(h, { email: b })).toMatchObject({ id: ids[1], _fname: 'Wrapped', email: b });
  });
});
