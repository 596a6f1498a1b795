// Long values (docs/LIMITS.md): a value too long for a B-tree entry is indexed by a digest, so it
// is imported, matched and queried like any other on both stores; a value over its limit is the
// item's error (400 naming the path and the limit) and the good items of the batch are imported.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, call, FIXTURE, getProfile, itemErrors, resultIds, rows, snapshot } from '../helpers/api.js';
import { startHarness, TEST_STORE, type Harness } from '../helpers/harness.js';

/** Incompressible text of `n` characters: base64 of random bytes, with a few multi-byte characters. */
function randomText(n: number): string {
  const base = randomBytes(n)
    .toString('base64')
    .replace(/[+/=,]/g, 'x');
  let out = '';
  for (let i = 0; out.length < n; i++) out += i % 97 === 0 ? 'é' : base[i];
  return out.slice(0, n);
}

/** `n` characters (code points), some of them outside the BMP (two UTF-16 units each). */
function wideText(n: number): string {
  const chars = [...randomText(n)];
  for (let i = 0; i < chars.length; i += 50) chars[i] = '🦔';
  return chars.join('');
}

const START = 'campaigns/triggers/start';

describe('long values', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provision: FIXTURE });
  });
  afterAll(() => h.close());

  it('a value too long for a B-tree entry is imported with the other items of its batch (it was a 500 on PostgreSQL)', async () => {
    const long = randomText(2_800);
    const token = randomText(2_800);
    const res = await batch(h, {
      data: [
        { data: { email: 'ok@x.test' } },
        {
          data: {
            email: 'l@x.test',
            Custom_ID: long,
            interests: [long, 'short'],
            subscriptions: [{ channel: 'push', resource_id: 21, provider: 'fcm', subscription_id: token }],
          },
        },
      ],
    });
    expect(res.status, res.body).toBe(200);
    expect(resultIds(res)).toHaveLength(2);
    expect(await getProfile(h, { email: 'l@x.test' })).toMatchObject({
      Custom_ID: long,
      interests: [long, 'short'],
      subscriptions: [{ channel: 'push', subscription_id: token }],
    });
    // The index holds a bounded key, not the value.
    const widest = (table: string, column: string) =>
      rows<{ n: number }>(
        h,
        `SELECT max(${TEST_STORE === 'postgres' ? `octet_length(${column})` : `length(CAST(${column} AS BLOB))`}) AS n FROM ${table}`,
      )[0].n;
    expect(widest('profile_values', 'value')).toBeLessThanOrEqual(1_000);
    expect(widest('subscriptions', 'address')).toBeLessThanOrEqual(1_000);
  });

  it('matching and custom_request find a profile by the longest values allowed', async () => {
    const id = wideText(16_384);
    const tag = wideText(16_384);
    const token = randomText(4_096);
    const first = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'custom',
      field_name: 'Custom_ID',
      data: [
        {
          data: {
            Custom_ID: id,
            email: 'longest@x.test',
            interests: [tag],
            subscriptions: [{ channel: 'push', resource_id: 21, provider: 'FCM', subscription_id: token }],
          },
        },
      ],
    });
    expect(first.status, first.body).toBe(200);
    expect(itemErrors(first)).toEqual([]);
    const [profileId] = resultIds(first);

    // Matching by each long value finds the same profile (and creates none).
    const again = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'custom',
      field_name: 'Custom_ID',
      data: [{ data: { Custom_ID: id, _fname: 'Again' } }],
    });
    expect(resultIds(again)).toEqual([profileId]);
    const byTag = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'custom',
      field_name: 'interests',
      field_value: tag,
      data: [{ data: { _lname: 'Tagged' } }],
    });
    expect(resultIds(byTag)).toEqual([profileId]);
    const byToken = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'push_sub',
      provider: 'fcm',
      subscription_id: token,
      data: [{ data: { _city: 'Pushed' } }],
    });
    expect(resultIds(byToken)).toEqual([profileId]);
    expect(await getProfile(h, { email: 'longest@x.test' })).toMatchObject({
      Custom_ID: id,
      _fname: 'Again',
      _lname: 'Tagged',
      _city: 'Pushed',
    });

    // custom_request: equality, $in, $ne and $nin compare long values by their key.
    const launched = async (query: unknown) => {
      const res = await call(h, START, { trigger_id: 96, custom_request: query });
      expect(res.status, res.body).toBe(200);
      return resultIds(res).includes(profileId);
    };
    expect(await launched({ Custom_ID: id })).toBe(true);
    expect(await launched({ Custom_ID: { $in: ['other', id] } })).toBe(true);
    expect(await launched({ interests: tag })).toBe(true);
    expect(await launched({ Custom_ID: { $ne: id } })).toBe(false);
    expect(await launched({ interests: { $nin: [tag] } })).toBe(false);
    // A long value differing only after the characters kept in its key is another value.
    expect(await launched({ Custom_ID: `${id.slice(0, -1)}!` })).toBe(false);
    // Text ranges compare the key: a bound within its first 200 characters orders it correctly.
    expect(await launched({ Custom_ID: { $gte: id.slice(0, 20) } })).toBe(true);
    expect(await launched({ Custom_ID: { $lt: id.slice(0, 20) } })).toBe(false);

    // A push launch reaches the long-token subscription.
    const push = await call(h, START, { trigger_id: 99, custom_request: { Custom_ID: id } });
    expect(resultIds(push)).toEqual([profileId]);
    expect(
      rows<{ n: number }>(
        h,
        "SELECT count(*) AS n FROM messages WHERE profile_id = ? AND channel = 'push' AND status = 'scheduled'",
        profileId,
      )[0].n,
    ).toBe(1);
  });

  it('a value over its limit is an item error naming the path and the limit; the good items are imported', async () => {
    const over = wideText(16_385);
    const res = await batch(h, {
      data: [
        { data: { email: 'good@x.test' } },
        { data: { email: 'o1@x.test', Custom_ID: over } },
        { data: { email: 'o2@x.test', interests: ['fine', over] } },
        { data: { email: 'o3@x.test', _fname: over } },
        { data: { email: `${'a'.repeat(243)}@example.com` } },
        {
          data: {
            email: 'o5@x.test',
            subscriptions: [{ channel: 'email', resource_id: 21, email: `${'b'.repeat(243)}@example.com` }],
          },
        },
        { data: { email: 'o6@x.test', phones: `+7${'9'.repeat(63)}` } },
        {
          data: {
            email: 'o7@x.test',
            subscriptions: [{ channel: 'push', resource_id: 21, provider: 'fcm', subscription_id: randomText(4_097) }],
          },
        },
        {
          data: {
            email: 'o8@x.test',
            subscriptions: [{ channel: 'push', resource_id: 21, provider: 'p'.repeat(65), subscription_id: 'tok' }],
          },
        },
        {
          data: {
            email: 'o9@x.test',
            subscriptions: [{ channel: 'email', resource_id: 21, email: 'o9@x.test', cats: [over] }],
          },
        },
      ],
    });
    expect(res.status, res.body).toBe(200);
    expect(resultIds(res)).toHaveLength(1);
    expect(itemErrors(res).map((e) => [e.index, e.error, e.error_debug])).toEqual([
      [1, 400, 'data[1].data.Custom_ID: is longer than 16384 characters'],
      [2, 400, 'data[2].data.interests[1]: is longer than 16384 characters'],
      [3, 400, 'data[3].data._fname: is longer than 16384 characters'],
      [4, 400, 'data[4].data.email: is longer than 254 characters'],
      [5, 400, 'data[5].data.subscriptions[0].email: invalid subscription: is longer than 254 characters'],
      [6, 400, 'data[6].data.phones: is longer than 64 characters'],
      [7, 400, 'data[7].data.subscriptions[0].subscription_id: invalid subscription: is longer than 4096 characters'],
      [8, 400, 'data[8].data.subscriptions[0].provider: invalid subscription: is longer than 64 characters'],
      [9, 400, 'data[9].data.subscriptions[0].cats[0]: invalid subscription: is longer than 16384 characters'],
    ]);
    expect(await getProfile(h, { email: 'good@x.test' })).toBeDefined();
    for (const email of ['o1@x.test', 'o2@x.test', 'o3@x.test', 'o5@x.test', 'o7@x.test'])
      expect(await getProfile(h, { email })).toBeUndefined();
  });

  it('the same limits hold in XML', async () => {
    const over = randomText(16_385);
    const res = await h.post(
      'campaigns/triggers/import_and_start_batch',
      `<xml><token>abcdefghijklmnqrstuvwxyz</token><trigger_id>96</trigger_id><data><data><email>xg@x.test</email></data></data><data><data><email>xo@x.test</email><Custom_ID>${over}</Custom_ID></data></data></xml>`,
      { query: 'format=json' },
    );
    expect(res.status, res.body).toBe(200);
    expect(itemErrors(res).map((e) => e.error_debug)).toEqual([
      'data[1].data.Custom_ID: is longer than 16384 characters',
    ]);
  });

  it('a batch of more than 100,000 items is refused whole, naming data and the limit', async () => {
    const before = snapshot(h);
    const res = await h.post(
      'campaigns/triggers/import_and_start_batch',
      `{"token":"abcdefghijklmnqrstuvwxyz","trigger_id":96,"data":[${'1,'.repeat(100_000)}1]}`,
    );
    expect(res.status).toBe(400);
    expect(res.json.error_debug).toBe('data: has more than 100000 items');
    expect(snapshot(h)).toEqual(before);
  });

  it('a custom field name over 128 characters is refused', async () => {
    const res = await call(h, 'databases/add', { name: 'Wide', fields: [{ name: 'f'.repeat(129), type: 'string' }] });
    expect(res.status).toBe(400);
    expect(res.json.error_debug).toBe('fields[0].name: is longer than 128 characters');
  });
});
