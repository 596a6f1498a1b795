// What existing Altcraft client code sends, accepted as it is (spec 01, 03, 05 revised): batch
// items flat or wrapped in every batch method, every system field of Altcraft's Profile data
// object page, dates as client libraries write them, phones without `+` and national numbers
// through a database's phone region or the server's, repeated and trailing slashes, text/plain
// bodies, charset parameters, format and token in the query string, and GET only where declared.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/core/catalog/cache.js';
import { TaskRunner } from '../../src/core/tasks/runner.js';
import { WIRES } from '../../src/http/codecs/wires.js';
import { defineMethod } from '../../src/core/api/define.js';
import { methods, type ApiMethod } from '../../src/core/methods.js';
import { int, object, optional, required, str } from '../../src/core/values/schema.js';
import { createDispatcher } from '../../src/http/dispatch.js';
import { call, FIXTURE, getProfile, itemErrors, resultIds, startApi, WRITE_TOKEN } from '../helpers/api.js';
import { rows, type Harness, type Response } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi({ env: { HERALD_PHONE_REGION: 'RU' } });
});
afterAll(() => h.close());

let n = 0;
const uniq = (tag: string) => `${tag}.${++n}@example.com`;
const sub = (email: string) => ({ channel: 'email', resource_id: 21, email });

/** profiles/import_batch on database 1 by email. */
const importBatch = (data: unknown[], root: Record<string, unknown> = {}) =>
  call(h, 'profiles/import_batch', { db_id: 1, matching: 'email', data, ...root });

/** The stored profile of a one-item batch answer. */
async function importedProfile(res: Response): Promise<Record<string, unknown>> {
  expect(res.status, res.body).toBe(200);
  expect(itemErrors(res)).toEqual([]);
  const [id] = resultIds(res);
  const profile = await getProfile(h, { matching: 'profile_id', profile_id: id });
  if (!profile) throw new Error('profile not found');
  return profile;
}

/** One field through a flat item of profiles/import_batch: the stored profile, or the item's error_debug. */
async function importField(
  field: string,
  value: unknown,
): Promise<{ profile?: Record<string, unknown>; error?: string }> {
  const res = await importBatch([{ email: uniq('field'), [field]: value }]);
  expect(res.status, res.body).toBe(200);
  const [err] = itemErrors(res);
  if (err) return { error: err.error_debug };
  return { profile: await importedProfile(res) };
}

const runner = () =>
  new TaskRunner(
    {
      store: h.store,
      env: { clock: h.clock, geo: { lookup: () => undefined }, singleWriter: h.store.capabilities.singleWriter },
      catalogs: new CatalogCache(h.store),
      wires: WIRES,
      log: pino({ level: 'silent' }),
    },
    { leaseMs: 60_000, pollMs: 1000, chunkSize: 1000 },
  );

describe('batch items: flat profile objects and the wrapped form', () => {
  const flat = (email: string) => ({ email, _fname: 'Flat', CRM_ID: 7, subscriptions: [sub(email)] });
  const wrapped = (email: string) => ({ data: { email, _fname: 'Wrapped', CRM_ID: 8, subscriptions: [sub(email)] } });

  it("profiles/import_batch takes both forms in one request, as Altcraft's page shows the flat one", async () => {
    const [a, b] = [uniq('flat'), uniq('wrapped')];
    const res = await importBatch([flat(a), wrapped(b)]);
    expect(res.status, res.body).toBe(200);
    expect(itemErrors(res)).toEqual([]);
    const [pa, pb] = await Promise.all(
      resultIds(res).map((id) => getProfile(h, { matching: 'profile_id', profile_id: id })),
    );
    expect(pa).toMatchObject({ email: a, _fname: 'Flat', CRM_ID: 7 });
    expect(pb).toMatchObject({ email: b, _fname: 'Wrapped', CRM_ID: 8 });
    expect((pa?.subscriptions as unknown[]).length).toBe(1);
  });

  it("errors name a flat item's fields at data[i], the wrapped form's at data[i].data", async () => {
    const res = await importBatch([
      { email: uniq('bad'), shoe_size: 42 },
      { data: { email: uniq('bad'), shoe_size: 42 } },
    ]);
    expect(itemErrors(res).map((e) => [e.index, e.error_debug])).toEqual([
      [0, "data[0]: field 'shoe_size' is not defined in database 1"],
      [1, "data[1].data: field 'shoe_size' is not defined in database 1"],
    ]);
  });

  it('the wrapped form keeps its item keys beside data; a profile field beside data makes the item flat', async () => {
    const email = uniq('keys');
    const wrappedWithKey = await importBatch([{ data: { _fname: 'Keyed' }, email }]);
    expect(await importedProfile(wrappedWithKey)).toMatchObject({ email, _fname: 'Keyed' });
    // `_fname` is a profile field: the item is a flat profile, and `data` is not a field of it.
    const mixed = await importBatch([{ data: { email }, _fname: 'x' }]);
    expect(itemErrors(mixed).map((e) => e.error_debug)).toEqual(["data[0]: field 'data' is not defined in database 1"]);
    const nullData = await importBatch([{ data: null }]);
    expect(itemErrors(nullData).map((e) => e.error_debug)).toEqual(['data[0].data: is required']);
  });

  it('which keys beside data make an item flat: a custom field or subscriptions do, an unknown key does not', async () => {
    const email = uniq('beside');
    const notData = "data[0]: field 'data' is not defined in database 1";
    const custom = await importBatch([{ data: { email }, CRM_ID: 5 }]);
    expect(itemErrors(custom).map((e) => e.error_debug)).toEqual([notData]);
    const subs = await importBatch([{ data: { email }, subscriptions: [sub(email)] }]);
    expect(itemErrors(subs).map((e) => e.error_debug)).toEqual([notData]);
    // A key that is no profile field leaves the item wrapped (and is not stored).
    const unknown = await importBatch([{ data: { email, _fname: 'Wrapped' }, note: 'x' }]);
    expect(await importedProfile(unknown)).toMatchObject({ email, _fname: 'Wrapped' });
    expect(await importedProfile(unknown)).not.toHaveProperty('note');
  });

  it("an item's null matching keys are absent, and its custom_data's errors are named", async () => {
    const phone = '+79005550177';
    const created = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'phone',
      data: [{ phones: [phone], _fname: 'NullKeys' }],
    });
    const [id] = resultIds(created);
    const flatNull = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'phone',
      data: [{ phones: [phone], phone: null, _lname: 'Flat' }],
    });
    expect(itemErrors(flatNull)).toEqual([]);
    expect(resultIds(flatNull)).toEqual([id]);
    const wrappedNull = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'phone',
      data: [{ data: { phones: [phone], _lname: 'Wrapped' }, phone: null }],
    });
    expect(itemErrors(wrappedNull)).toEqual([]);
    expect(resultIds(wrappedNull)).toEqual([id]);
    const badCustomData = await call(h, 'campaigns/triggers/import_and_start_batch', {
      trigger_id: 96,
      data: [
        { email: uniq('cd'), custom_data: 'x' },
        { data: { email: uniq('cd') }, custom_data: 7 },
      ],
    });
    expect(itemErrors(badCustomData).map((e) => e.error_debug)).toEqual([
      'data[0].custom_data: expected an object, got "x"',
      'data[1].custom_data: expected an object, got 7',
    ]);
  });

  it('a flat item carries its own custom_data and its matching keys that are not fields (phone)', async () => {
    const phone = '+79005550101';
    const created = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'phone',
      data: [{ phones: [phone], _fname: 'ByPhone' }],
    });
    const [id] = resultIds(created);
    const again = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'phone',
      data: [{ phone: '89005550101', _lname: 'Matched', custom_data: { k: 1 } }],
    });
    expect(itemErrors(again)).toEqual([]);
    expect(resultIds(again)).toEqual([id]);
    expect(await getProfile(h, { matching: 'profile_id', profile_id: id })).toMatchObject({
      _fname: 'ByPhone',
      _lname: 'Matched',
    });
  });

  it('import_and_start_batch takes both forms, flat items with their custom_data', async () => {
    const [a, b] = [uniq('start-flat'), uniq('start-wrapped')];
    const res = await call(h, 'campaigns/triggers/import_and_start_batch', {
      trigger_id: 96,
      data: [
        { ...flat(a), custom_data: { coupon: 'A1' } },
        { ...wrapped(b), custom_data: { coupon: 'B2' } },
      ],
    });
    expect(res.status, res.body).toBe(200);
    expect(itemErrors(res)).toEqual([]);
    const ids = resultIds(res);
    expect(ids).toHaveLength(2);
    const customData = ids.map((id) =>
      h
        .sql<{ custom_data: string | null }>('SELECT custom_data FROM messages WHERE profile_id = ?', id)
        .map((r) => JSON.parse(r.custom_data ?? 'null')),
    );
    expect(customData).toEqual([[{ coupon: 'A1' }], [{ coupon: 'B2' }]]);
  });

  it('import_and_start_batch_task takes both forms', async () => {
    const [a, b] = [uniq('task-flat'), uniq('task-wrapped')];
    const submitted = await call(h, 'campaigns/triggers/import_and_start_batch_task', {
      trigger_id: 96,
      data: [flat(a), wrapped(b), { email: uniq('task-bad'), shoe_size: 1 }],
    });
    expect(submitted.status, submitted.body).toBe(200);
    const taskId = (submitted.json.data as { task_id: string }).task_id;
    expect(await runner().tick()).toBe(true);
    const status = await call(h, 'tasks/status', { task_id: taskId });
    const data = status.json.data as {
      status: string;
      result: { result: { profile_id: string }[]; errors: { index: number; error_debug: string }[] };
    };
    expect(data.status).toBe('completed');
    expect(data.result.result).toHaveLength(2);
    expect(data.result.errors.map((e) => [e.index, e.error_debug])).toEqual([
      [2, "data[2]: field 'shoe_size' is not defined in database 1"],
    ]);
    expect(await getProfile(h, { matching: 'email', email: a })).toMatchObject({ _fname: 'Flat' });
    expect(await getProfile(h, { matching: 'email', email: b })).toMatchObject({ _fname: 'Wrapped' });
  });

  it('XML items: the fields directly or an inner <data>, as before', async () => {
    const [a, b] = [uniq('xml-flat'), uniq('xml-wrapped')];
    const xml = `<xml><token>${WRITE_TOKEN}</token><db_id>1</db_id><matching>email</matching><data><email>${a}</email><fname>X</fname></data><data><data><email>${b}</email></data></data></xml>`;
    const res = await h.post('profiles/import_batch', xml);
    expect(res.status, res.body).toBe(200);
    expect(res.body).not.toContain('<errors>');
    expect(await getProfile(h, { matching: 'email', email: a })).toMatchObject({ _fname: 'X' });
    expect(await getProfile(h, { matching: 'email', email: b })).toBeDefined();
  });
});

describe("the system fields of Altcraft's Profile data object page", () => {
  it("accepts the page's example object with its documented types, _status included", async () => {
    const email = uniq('page');
    const res = await importBatch([
      {
        _regcountry: 'US',
        _regcity: 'New York',
        _regip: '94.231.119.122',
        _regurl: 'www.example.com',
        _regdate: '2019-03-14T22:00:00Z',
        _bdate: '1990-02-22T21:00:00Z',
        _browser: 'Thunderbird',
        _city: 'Ryazan',
        _country: 'RU',
        _fname: 'Olly',
        _ip: '94.231.119.122',
        _lname: 'Lambert',
        _postal_code: 390000,
        _region: 'Ryazan Oblast',
        _vendor: 'form_#31',
        _sex: 0,
        _status: 0,
        _tz: 'Europe/Moscow',
        email,
        phones: ['+79000000000'],
        custom_field: 5,
        subscriptions: [{ channel: 'email', email, priority: 0, resource_id: 21, status: 0 }],
      },
    ]);
    const profile = await importedProfile(res);
    expect(profile).toMatchObject({
      _status: 0,
      _regdate: '2019-03-14T22:00:00.000Z',
      _bdate: '1990-02-22T21:00:00.000Z',
      _postal_code: '390000',
      _tz: 'Europe/Moscow',
      custom_field: 5,
    });
    expect(profile).not.toHaveProperty('_sex');
  });

  it('_status: an int, as a number or numeric text; anything else is an item error', async () => {
    expect((await importField('_status', 1)).profile?._status).toBe(1);
    expect((await importField('_status', '2')).profile?._status).toBe(2);
    expect((await importField('_status', 'subscribed')).error).toBe(
      'data[0]._status: expected an integer, got "subscribed"',
    );
  });

  // Altcraft's "List of gender identifications" page: the values a client may send for each gender;
  // the "Types of fields in the database" page types `_sex` as the string `male` / `female`.
  it('_sex: the values of the gender identifications page, answered as male or female', async () => {
    for (const value of ['male', 'Male', 'MASCULINE', 'M', 'MAN', '♂', 'М', 'МУЖ', 'мужской', 'МУЖЧИНА', 1, '1'])
      expect((await importField('_sex', value)).profile?._sex, String(value)).toBe('male');
    for (const value of ['female', 'FEM', 'FEMININE', 'f', 'WOMAN', 'W', '♀', 'Ж', 'ЖЕН', 'женский', 'ЖЕНЩИНА', 2])
      expect((await importField('_sex', value)).profile?._sex, String(value)).toBe('female');
    expect((await importField('_sex', 0)).profile).not.toHaveProperty('_sex');
    expect((await importField('_sex', 'x')).error).toMatch(/^data\[0\]\._sex: incorrect sex "x", expected /);
  });

  it('_postal_code: a number or text, answered as text (the Types of fields page types it string)', async () => {
    expect((await importField('_postal_code', 390000)).profile?._postal_code).toBe('390000');
    expect((await importField('_postal_code', '010000')).profile?._postal_code).toBe('010000');
    expect((await importField('_postal_code', 'SW1A 1AA')).profile?._postal_code).toBe('SW1A 1AA');
  });

  it('lists _status in databases/fields_get as an int', async () => {
    const res = await call(h, 'databases/fields_get', { id: 1 });
    expect((res.json.data as { name: string }[]).find((f) => f.name === '_status')).toEqual({
      name: '_status',
      type: 'int',
      system: true,
      read_only: false,
    });
  });

  it('read-only fields are still refused', async () => {
    expect((await importField('_createtime', '2024-01-01T00:00:00Z')).error).toBe(
      "data[0]: field '_createtime' is read-only",
    );
  });
});

// Altcraft's Russian import_batch page (and the docs.altcraft.com copy): a subscription's `status` and
// `priority` sent as 0 are applied; to leave them as they are, leave them out or send -1.
describe('subscription status and priority -1: left as they are', () => {
  it('-1 (a number or text) keeps the stored status and priority; a new subscription takes the defaults', async () => {
    const email = uniq('keep');
    const first = await importBatch([{ email, subscriptions: [{ ...sub(email), status: 1, priority: 5 }] }]);
    const stored = await importedProfile(first);
    expect((stored.subscriptions as Record<string, unknown>[])[0]).toMatchObject({ status: 1, priority: 5 });
    const again = await importBatch([{ email, subscriptions: [{ ...sub(email), status: -1, priority: '-1' }] }]);
    const kept = await importedProfile(again);
    expect((kept.subscriptions as Record<string, unknown>[])[0]).toMatchObject({ status: 1, priority: 5 });
    const other = uniq('keep');
    const created = await importedProfile(
      await importBatch([{ email: other, subscriptions: [{ ...sub(other), status: '-1', priority: -1 }] }]),
    );
    expect((created.subscriptions as Record<string, unknown>[])[0]).toMatchObject({ status: 0, priority: 0 });
  });
});

describe('dates as client libraries write them', () => {
  const accepted: [string, unknown, string][] = [
    ['RFC 3339 with Z', '2024-05-01T10:20:30Z', '2024-05-01T10:20:30.000Z'],
    ['an offset', '2024-05-01T13:20:30+03:00', '2024-05-01T10:20:30.000Z'],
    ["Jackson's default (+0000, milliseconds)", '2024-05-01T00:00:00.000+0000', '2024-05-01T00:00:00.000Z'],
    ['an offset of hours only', '2024-05-01T13:20:30+03', '2024-05-01T10:20:30.000Z'],
    ['no offset (a PostgreSQL timestamp), read as UTC', '2024-05-01 10:20:30.123456', '2024-05-01T10:20:30.123Z'],
    ["no seconds (as Altcraft's field types page shows)", '2024-05-01T00:00+03:00', '2024-04-30T21:00:00.000Z'],
    ['a date alone', '2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['epoch milliseconds (a Java Long)', 1714558830000, '2024-05-01T10:20:30.000Z'],
    ['epoch milliseconds as text', '1714558830000', '2024-05-01T10:20:30.000Z'],
    ['epoch seconds', 1714558830, '2024-05-01T10:20:30.000Z'],
  ];
  for (const [what, value, stored] of accepted) {
    it(`accepts ${what} in datetime fields`, async () => {
      expect((await importField('_regdate', value)).profile?._regdate).toBe(stored);
      expect((await importField('signup', value)).profile?.signup).toBe(stored);
    });
  }

  // Altcraft's Get profile data page answers `_bdate` as an RFC 3339 date-time (`1990-07-06T11:15:25.526Z`),
  // and the Profile data object page types it so: the instant sent is kept, a date alone is midnight UTC.
  it('_bdate is answered as an RFC 3339 date-time, as the Get profile data page shows', async () => {
    expect((await importField('_bdate', '1990-02-22T21:00:00Z')).profile?._bdate).toBe('1990-02-22T21:00:00.000Z');
    expect((await importField('_bdate', '1990-02-22')).profile?._bdate).toBe('1990-02-22T00:00:00.000Z');
    expect((await importField('_bdate', '2001-12-31T00:00+03:00')).profile?._bdate).toBe('2001-12-30T21:00:00.000Z');
    expect((await importField('_bdate', '1990-02-22T00:00:00.000+0000')).profile?._bdate).toBe(
      '1990-02-22T00:00:00.000Z',
    );
    expect((await importField('_bdate', 1000000000000)).profile?._bdate).toBe('2001-09-09T01:46:40.000Z');
  });

  it('a _bdate stored as a date alone (before date-times) is answered as midnight UTC', async () => {
    const { profile } = await importField('_bdate', '1990-02-22T21:00:00Z');
    const id = profile?.id as string;
    const [row] = rows<{ fields: unknown }>(h, 'SELECT fields FROM profiles WHERE id = ?', id);
    const fields = (typeof row.fields === 'string' ? JSON.parse(row.fields) : row.fields) as Record<string, unknown>;
    h.exec('UPDATE profiles SET fields = ? WHERE id = ?', JSON.stringify({ ...fields, _bdate: '1990-02-22' }), id);
    const again = await getProfile(h, { matching: 'profile_id', profile_id: id });
    expect(again?._bdate).toBe('1990-02-22T00:00:00.000Z');
  });

  const rejected: [string, unknown][] = [
    ['a day-first date', '17.05.1990'],
    ['a word', 'yesterday'],
    ['a month 13', '2024-13-01'],
    ['an hour 25', '2024-05-01T25:00:00Z'],
    ['an offset of 24 hours', '2024-05-01T10:00:00+2400'],
    ['12 digits (neither seconds nor milliseconds)', '171455883000'],
    ['a negative number', -5],
    ['a fraction of seconds as a number', 1714558830.5],
    ['a boolean', true],
  ];
  for (const [what, value] of rejected) {
    it(`rejects ${what} with an item error naming the field, the value and the encodings`, async () => {
      const { error } = await importField('_regdate', value);
      expect(error).toMatch(
        /^data\[0\]\._regdate: incorrect date .+, expected RFC 3339 .*YYYY-MM-DD.*epoch milliseconds/,
      );
      expect((await importField('_bdate', value)).error).toMatch(/^data\[0\]\._bdate: incorrect date/);
    });
  }
});

describe('phones without + and national numbers', () => {
  it('international digits without + or with 00', async () => {
    expect((await importField('phones', '79001234567')).profile?.phones).toEqual(['+79001234567']);
    expect((await importField('phones', '998901112277')).profile?.phones).toEqual(['+998901112277']);
    expect((await importField('phones', '00 44 20 7946 0958')).profile?.phones).toEqual(['+442079460958']);
  });

  it("national numbers of the server's region (HERALD_PHONE_REGION=RU here)", async () => {
    expect((await importField('phones', '89001234567')).profile?.phones).toEqual(['+79001234567']);
    expect((await importField('phones', '8 (916) 123-45-67')).profile?.phones).toEqual(['+79161234567']);
  });

  it('rejects what is no possible number', async () => {
    expect((await importField('phones', '12345')).error).toBe('data[0].phones: incorrect phone "12345"');
    expect((await importField('phones', 'call me')).error).toBe('data[0].phones: incorrect phone "call me"');
    expect((await importField('phones', '+7 900')).error).toBe('data[0].phones: incorrect phone "+7 900"');
  });

  it('a database phone_region (databases API) overrides the server default, and reads back', async () => {
    const added = await call(h, 'databases/add', { name: 'UK customers', phone_region: 'gb' });
    expect(added.status, added.body).toBe(200);
    const db = added.json.data as { id: number; phone_region?: string };
    expect(db.phone_region).toBe('GB');
    expect(((await call(h, 'databases/get', { id: db.id })).json.data as { phone_region: string }).phone_region).toBe(
      'GB',
    );
    const uk = await call(h, 'profiles/import_batch', {
      db_id: db.id,
      matching: 'email',
      data: [
        { email: uniq('uk'), phones: '020 7946 0958' },
        { email: uniq('uk'), phones: '89001234567' },
      ],
    });
    expect(itemErrors(uk).map((e) => [e.index, e.error_debug])).toEqual([
      [1, 'data[1].phones: incorrect phone "89001234567"'],
    ]);
    const [id] = resultIds(uk);
    expect(
      (await call(h, 'profiles/get', { db_id: db.id, matching: 'profile_id', profile_id: id })).json.data,
    ).toMatchObject({ phones: ['+442079460958'] });

    // "" clears it: the server's region applies again; other changes keep it.
    expect(
      ((await call(h, 'databases/update', { id: db.id, description: 'x' })).json.data as { phone_region: string })
        .phone_region,
    ).toBe('GB');
    expect((await call(h, 'databases/update', { id: db.id, phone_region: '' })).json.data).not.toHaveProperty(
      'phone_region',
    );
    expect((await call(h, 'databases/get', { id: 1 })).json.data).not.toHaveProperty('phone_region');
    const ru = await call(h, 'profiles/import_batch', {
      db_id: db.id,
      matching: 'email',
      data: [{ email: uniq('uk'), phones: '89001234567' }],
    });
    expect(itemErrors(ru)).toEqual([]);
  });

  it('an unknown region is a 400', async () => {
    const res = await call(h, 'databases/add', { name: 'Nowhere', phone_region: 'XX' });
    expect(res.status).toBe(400);
    expect(res.json.error_debug).toBe(
      'phone_region: unknown phone region "XX", expected an ISO 3166 alpha-2 country code such as RU',
    );
  });

  it('matching by phone reads national numbers too', async () => {
    const email = uniq('match');
    const created = await importBatch([{ email, phones: ['+79007770001'] }]);
    const [id] = resultIds(created);
    const found = await call(h, 'profiles/get', { db_id: 1, matching: 'phone', phone: '89007770001' });
    expect(found.status, found.body).toBe(200);
    expect((found.json.data as { id: string }).id).toBe(id);
  });
});

describe('phone regions from the provisioning file, and none at all', () => {
  let bare: Harness;
  beforeAll(async () => {
    const fixture = (await import('node:fs')).readFileSync(FIXTURE, 'utf8');
    const provision = JSON.parse(fixture) as { accounts: { databases: { id: number; phone_region?: string }[] }[] };
    provision.accounts[0].databases[1].phone_region = 'ru';
    bare = await startApi({ provisionObject: provision });
  });
  afterAll(() => bare.close());

  it('without HERALD_PHONE_REGION national numbers are refused, unless the database sets a region', async () => {
    const one = await bare.post('profiles/import_batch', {
      token: WRITE_TOKEN,
      db_id: 1,
      matching: 'email',
      data: [
        { email: 'a@example.com', phones: '89001234567' },
        { email: 'b@example.com', phones: '79001234567' },
      ],
    });
    expect(itemErrors(one).map((e) => [e.index, e.error_debug])).toEqual([
      [0, 'data[0].phones: incorrect phone "89001234567"'],
    ]);
    const two = await bare.post('profiles/import_batch', {
      token: WRITE_TOKEN,
      db_id: 2,
      matching: 'email',
      data: [{ email: 'a@example.com', phones: '89001234567' }],
    });
    expect(itemErrors(two)).toEqual([]);
    expect(
      ((await bare.post('databases/get', { token: WRITE_TOKEN, id: 2 })).json.data as { phone_region: string })
        .phone_region,
    ).toBe('RU');
  });
});

describe('paths, content types and the query string', () => {
  const list = (url: string, opts: { method?: 'GET' | 'POST'; payload?: string; contentType?: string } = {}) =>
    h.app.inject({
      method: opts.method ?? 'POST',
      url,
      ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
      headers: opts.contentType ? { 'content-type': opts.contentType } : {},
    });
  const body = JSON.stringify({ token: WRITE_TOKEN });
  const ids = (raw: string) => (JSON.parse(raw) as { data: { id: number }[] }).data.map((d) => d.id);

  it('repeated slashes and a trailing slash name the same method', async () => {
    const plain = await list('/api/v1.1/databases/list', { payload: body, contentType: 'application/json' });
    expect(plain.statusCode).toBe(200);
    for (const url of [
      '/api/v1.1//databases/list',
      '/api/v1.1/databases/list/',
      '/api/v1.1//databases//list//',
      '//api/v1.1/databases/list',
    ]) {
      const res = await list(url, { payload: body, contentType: 'application/json' });
      expect([url, res.statusCode]).toEqual([url, 200]);
      expect(ids(res.body)).toEqual(ids(plain.body));
    }
    const unknown = await list('/api/v1.1//databases/lists', { payload: body, contentType: 'application/json' });
    expect(unknown.statusCode).toBe(404);
  });

  it('a text/plain body holding JSON (a browser no-cors fetch) is read as JSON', async () => {
    const res = await list('/api/v1.1/databases/list', { payload: body, contentType: 'text/plain;charset=UTF-8' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('charset parameters on JSON and XML content types', async () => {
    expect(
      (await list('/api/v1.1/databases/list', { payload: body, contentType: 'application/json; charset=utf-8' }))
        .statusCode,
    ).toBe(200);
    const xml = await list('/api/v1.1/databases/list', {
      payload: `<xml><token>${WRITE_TOKEN}</token></xml>`,
      contentType: 'text/xml; charset="UTF-8"',
    });
    expect(xml.statusCode, xml.body).toBe(200);
    expect(xml.body).toMatch(/^<xml><error>0<\/error>/);
  });

  it('token and format in the query string', async () => {
    const res = await list(`/api/v1.1/databases/list?token=${WRITE_TOKEN}&format=xml`, {
      payload: '{}',
      contentType: 'application/json',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toMatch(/^<xml><error>0<\/error>/);
    const noBody = await list(`/api/v1.1/databases/list?token=${WRITE_TOKEN}`);
    expect(noBody.statusCode, noBody.body).toBe(200);
  });

  it("a stop list's entry methods answer GET, as Altcraft's pages document them", async () => {
    const made = await list('/api/v1.1/suppresses/add', {
      payload: JSON.stringify({ token: WRITE_TOKEN, name: 'GET list' }),
      contentType: 'application/json',
    });
    const id = (JSON.parse(made.body) as { data: { saved_id: number } }).data.saved_id;
    const get = (method: string, query: string) =>
      list(`/api/v1.1/suppresses/${method}?token=${WRITE_TOKEN}&id=${id}&${query}`, { method: 'GET' });
    const added = await get('email_add', 'email=Stop.Get%40example.com');
    expect(added.statusCode, added.body).toBe(200);
    expect(JSON.parse((await get('email_check', 'email=stop.get%40example.com')).body)).toMatchObject({
      error: 0,
      data: { 'stop.get@example.com': true },
    });
    expect((await get('email_remove', 'email=stop.get%40example.com')).statusCode).toBe(200);
    expect(JSON.parse((await get('email_check', 'email=stop.get%40example.com')).body)).toMatchObject({
      error: 0,
      data: { 'stop.get@example.com': false },
    });
    // The list's other methods stay POST only.
    expect(
      (await list(`/api/v1.1/suppresses/email_clear?token=${WRITE_TOKEN}&id=${id}`, { method: 'GET' })).statusCode,
    ).toBe(404);
  });

  it('GET is answered only by methods declared to take it: the others answer 404', async () => {
    const res = await list(`/api/v1.1/databases/list?token=${WRITE_TOKEN}`, { method: 'GET' });
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ error: 404, error_text: 'Not found' });
  });
});

describe('GET on a method declared to take it', () => {
  const echo = defineMethod({
    name: 'example/echo',
    summary: 'answers its parameters',
    write: false,
    get: true,
    params: object({ id: required(int({ min: 1 })), email: optional(str()) }),
    payload: {},
    handle: async (_call, params) => ({ data: params }),
  });
  const dispatch = () =>
    createDispatcher({
      store: h.store,
      env: { clock: h.clock, geo: { lookup: () => undefined }, singleWriter: h.store.capabilities.singleWriter },
      logger: pino({ level: 'silent' }),
      catalogs: new CatalogCache(h.store),
      bodyLimit: 1 << 20,
      registry: new Map<string, ApiMethod>([...methods, [echo.name, echo]]),
    });
  const get = (method: string, query: Record<string, string>) =>
    dispatch()({ method, httpMethod: 'GET', body: Buffer.alloc(0), query, logId: 'test' });

  it('takes its parameters from the query string, coerced from text, token and format included', async () => {
    const json = await get('example/echo', { token: WRITE_TOKEN, id: '7', email: 'a@example.com' });
    expect(json.status).toBe(200);
    expect(JSON.parse(Buffer.from(json.body).toString())).toEqual({
      error: 0,
      error_text: 'Successful operation',
      data: { id: 7, email: 'a@example.com' },
    });
    const xml = await get('example/echo', { token: WRITE_TOKEN, id: '7', email: 'a@example.com', format: 'xml' });
    expect(Buffer.from(xml.body).toString()).toBe(
      '<xml><error>0</error><error_text>Successful operation</error_text><data><id>7</id><email>a@example.com</email></data></xml>',
    );
  });

  it('checks them as POST would: no token 401, a bad parameter 400; a POST-only method 404', async () => {
    expect((await get('example/echo', { id: '7' })).status).toBe(401);
    const bad = await get('example/echo', { token: WRITE_TOKEN, id: 'seven' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(Buffer.from(bad.body).toString()).error_debug).toBe('id: expected an integer, got "seven"');
    expect((await get('databases/list', { token: WRITE_TOKEN })).status).toBe(404);
  });
});
