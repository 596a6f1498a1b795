// Keys a client sends are data, never properties: names every JavaScript object answers to
// (toString, valueOf, hasOwnProperty, …) are unknown keys like any other in every object-valued
// parameter, in JSON and XML, and a database may even name its fields so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, call, FIXTURE, getProfile, itemErrors, resultIds, snapshot, WRITE_TOKEN } from '../helpers/api.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** Every name Object.prototype answers to, but the three the body codecs refuse outright. */
const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).filter(
  (k) => !['__proto__', 'constructor'].includes(k),
);

const subscribed = (email: string) => ({
  data: { email, subscriptions: [{ channel: 'email', resource_id: 21, email }] },
});

describe('prototype-named keys', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provision: FIXTURE });
  });
  afterAll(() => h.close());

  it('are unknown keys of timeout: 400 naming them, nothing written (toString was a NaN due time and a 500)', async () => {
    expect(PROTO_NAMES).toEqual(
      expect.arrayContaining(['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__']),
    );
    const before = snapshot(h);
    for (const key of PROTO_NAMES) {
      const res = await batch(h, { timeout: { [key]: 1 }, data: [subscribed('t@example.com')] });
      expect(res.status, `${key}: ${res.body}`).toBe(400);
      expect(res.json.error_debug).toBe(`timeout: unknown key "${key}"; expected days, hours, minutes`);
    }
    const xml = await h.post(
      'campaigns/triggers/import_and_start_batch',
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><timeout><valueOf>1</valueOf></timeout><data><data><email>x@example.com</email></data></data></xml>`,
      { query: 'format=json' },
    );
    expect(xml.status).toBe(400);
    expect(xml.json.error_debug).toBe('timeout: unknown key "valueOf"; expected days, hours, minutes');
    expect(snapshot(h)).toEqual(before);
  });

  it('are ignored like other unknown keys in subscription_filter, content and custom_data', async () => {
    const extras = Object.fromEntries(PROTO_NAMES.map((k) => [k, 1]));
    const res = await batch(h, {
      subscription_filter: extras,
      content: extras,
      custom_data: extras,
      data: [{ ...subscribed('o@example.com'), custom_data: extras }],
    });
    expect(res.status, res.body).toBe(200);
    expect(resultIds(res)).toHaveLength(1);
  });

  it('name no field, no operator and no custom_request field', async () => {
    const res = await batch(h, {
      data: [
        { data: { email: 'f@example.com', toString: 'x' } },
        { data: { email: 'g@example.com', CRM_ID: { action: 'valueOf', value: 1 } } },
      ],
    });
    expect(itemErrors(res).map((e) => e.error_debug)).toEqual([
      "data[0].data: field 'toString' is not defined in database 1",
      'data[1].data.CRM_ID: expected an integer, got an object',
    ]);
    for (const [query, debug] of [
      [{ hasOwnProperty: 1 }, "custom_request.hasOwnProperty: field 'hasOwnProperty' is not defined in database 1"],
      [
        { CRM_ID: { toString: 1 } },
        'custom_request.CRM_ID: equality with an object is not supported; give a value or operators ($eq, $in, …)',
      ],
    ] as const) {
      const start = await call(h, 'campaigns/triggers/start', { trigger_id: 96, custom_request: query });
      expect(start.status).toBe(400);
      expect(start.json.error_debug).toBe(debug);
    }
    const custom = await call(h, 'profiles/import_batch', {
      db_id: 1,
      matching: 'custom',
      field_name: 'toString',
      data: [{ data: {} }],
    });
    expect(custom.json.error_debug).toBe("field_name: field 'toString' is not a custom field of database 1");
  });

  it('are paths like any other in object fields, and submatch keys an element must have', async () => {
    const email = 'attrs@example.com';
    const first = await batch(h, {
      data: [
        { data: { email, attrs: { action: 'upsert', submatch: 'toString.valueOf', value: 1 }, orders: [{ id: 1 }] } },
      ],
    });
    expect(first.status, first.body).toBe(200);
    // An element without a "toString" key does not answer {"toString": …}: the value is added, not merged.
    const second = await batch(h, {
      data: [{ data: { email, orders: { action: 'upsert', submatch: { toString: 'x' }, value: { id: 2 } } } }],
    });
    expect(second.status, second.body).toBe(200);
    expect(await getProfile(h, { email })).toMatchObject({
      attrs: { toString: { valueOf: 1 } },
      orders: [{ id: 1 }, { id: 2 }],
    });
  });

  it('are ordinary names for custom fields', async () => {
    const added = await call(h, 'databases/add', {
      name: 'Odd names',
      fields: [
        { name: 'toString', type: 'string' },
        { name: 'valueOf', type: 'int' },
        { name: 'hasOwnProperty', type: 'tags' },
      ],
    });
    expect(added.status, added.body).toBe(200);
    const db = (added.json.data as { id: number }).id;
    const imported = await call(h, 'profiles/import_batch', {
      db_id: db,
      matching: 'custom',
      field_name: 'toString',
      data: [
        {
          data: {
            toString: 'T1',
            valueOf: { action: 'incr', value: 2 },
            hasOwnProperty: { action: 'add', value: ['a'] },
          },
        },
      ],
    });
    expect(imported.status, imported.body).toBe(200);
    const again = await call(h, 'profiles/import_batch', {
      db_id: db,
      matching: 'custom',
      field_name: 'toString',
      data: [{ data: { toString: 'T1', valueOf: { action: 'incr', value: 3 } } }],
    });
    expect(resultIds(again)).toEqual(resultIds(imported));
    const got = await call(h, 'profiles/get', {
      db_id: db,
      matching: 'profile_id',
      profile_id: resultIds(imported)[0],
    });
    expect(got.json.data).toMatchObject({ toString: 'T1', valueOf: 5, hasOwnProperty: ['a'] });
  });
});
