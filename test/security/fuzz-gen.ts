// Generators and serializers for the property-based fuzzer (test/security/fuzz.test.ts).
// Arbitraries describe *shapes* (which fields, which values, which attacks); the test turns a
// shape into a concrete request with fresh markers, so every item of every run is recognisable
// in storage (a failed item must leave no trace of its marker anywhere).
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG: serializers take their random choices (escapes, CDATA, array='true') from
// a seed the arbitrary generated, so a run is reproduced exactly by the fast-check seed.

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mostly absent: `arb` with weight 1 against `undefined` with weight `absent`. */
export function rare<T>(arb: fc.Arbitrary<T>, absent = 4): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

/** Mostly `usual`, sometimes one of `odd`. */
export function mostly<T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>, weight = 6): fc.Arbitrary<T> {
  return fc.oneof({ weight, arbitrary: usual }, { weight: 1, arbitrary: odd });
}

/** Drops the undefined entries of a record built from optional arbitraries. */
export function compact(o: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values.

const noNul = (s: string): string => s.replace(/\u0000/g, '');

/** Strings that mean something to some decoder. */
export const INTERESTING = [
  '',
  ' ',
  '0',
  '1',
  '-1',
  '96',
  '21',
  '2',
  '1.5',
  '1e3',
  '-0',
  '007',
  '9007199254740993',
  '99999999999999999999',
  'true',
  'false',
  'yes',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  'subscribed',
  'unsubscribed',
  'invalid',
  'email',
  'sms',
  'push',
  'fax',
  'male',
  'female',
  'gold',
  'bronze',
  'platinum',
  'RU',
  'US',
  'XX',
  'Europe/Moscow',
  'Mars/Base',
  'UTC',
  '+79000000000',
  '8 (900) 000-00-00',
  '+1',
  '+7 900 111 22 33',
  '0079001112233',
  '127.0.0.1',
  '8.8.8.8',
  '::1',
  'fe80::1%eth0',
  '999.1.1.1',
  '10.0.0.1',
  '2026-02-29',
  '2024-02-29',
  '1990-01-01',
  '2026-01-01T10:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-01 10:00:00+03:00',
  'x@example.com',
  'X@EXAMPLE.COM',
  'a@b',
  '@example.com',
  'a@@example.com',
  ' pad@example.com ',
  '{lead._fname}',
  '{apicontent.x}',
  '{unsubscribe}',
  '{',
  '}',
  '{{lead}}',
  '<b>x</b>',
  '<![CDATA[x]]>',
  ']]>',
  '&amp;',
  '&#0;',
  '\r\nBcc: victim@evil.example',
  '\nX-Injected: 1',
  '\r',
  '\t',
  '\u2028',
  '\u0085',
  '\ufeff',
  '\uffff',
  '🦔',
  'é',
  'Ёжик',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '1e400',
  '-1e999',
  '1e-400',
  '../../etc/passwd',
  'C:\\boot.ini',
  '%0d%0a',
  "' OR 1=1 --",
  '$gt',
  'a'.repeat(300),
] as const;

export const interestingString = fc.constantFrom(...INTERESTING);

export const anyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: interestingString },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).map(noNul) },
);

export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -3, max: 100 }),
  fc.integer(),
  fc.constantFrom(
    0,
    1,
    2,
    21,
    96,
    2 ** 31,
    2 ** 40,
    -(2 ** 31) - 1,
    Number.MAX_SAFE_INTEGER,
    2 ** 53 + 2,
    1e308,
    5e-324,
    0.1,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

export const anyScalar: fc.Arbitrary<Json> = fc.oneof(fc.constant(null), fc.boolean(), anyNumber, anyString);

/**
 * Keys: database fields, API words, names every object answers to (toString, …) and random text
 * (never the three prototype keys the codecs refuse: they have their own property).
 */
export const anyKey: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(
      'a',
      'b',
      'id',
      'email',
      'data',
      'value',
      'action',
      'submatch',
      'channel',
      '$gt',
      '$in',
      'x y',
      '1st',
      'é',
      '',
    ),
    fc.constantFrom(
      'toString',
      'valueOf',
      'hasOwnProperty',
      'isPrototypeOf',
      'toJSON',
      'then',
      'length',
      '__defineGetter__',
    ),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 6 }).map(noNul),
  )
  .filter((k) => k !== '__proto__' && k !== 'constructor' && k !== 'prototype');

export const { json: anyJson } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    { weight: 4, arbitrary: anyScalar },
    { weight: 1, arbitrary: fc.array(tie('json'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(anyKey, tie('json'), { maxKeys: 4 }) as fc.Arbitrary<Json> },
  ),
}));

export const anyObject: fc.Arbitrary<JsonObject> = fc.dictionary(anyKey, anyJson, { maxKeys: 4 });

// ---------------------------------------------------------------------------------------------
// Profile fields (test/fixtures/http-api.json, database 1) and their values.

export const SYSTEM_FIELDS = [
  'email',
  'phones',
  '_fname',
  '_lname',
  '_bdate',
  '_sex',
  '_regdate',
  '_regip',
  '_ip',
  '_regcity',
  '_regcountry',
  '_city',
  '_country',
  '_region',
  '_postal_code',
  '_tz',
  '_lat',
  '_lon',
  '_vendor',
  '_regurl',
  '_browser',
  '_os',
] as const;
export const CUSTOM_FIELDS = [
  'CRM_ID',
  'Custom_ID',
  'custom_field',
  'interests',
  'score',
  'vip',
  'signup',
  'level',
  'last_ip',
  'attrs',
  'orders',
] as const;
export const READ_ONLY = ['id', 'db_id', '_createtime', '_updatetime', '_md5', '_emaildomain'] as const;

export const fieldName: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<string>(...SYSTEM_FIELDS.filter((f) => f !== 'email'), ...CUSTOM_FIELDS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string>(...READ_ONLY, 'profile_id', 'fname', 'lname', 'crm_id', 'Email', 'shoe_size'),
  },
  { weight: 1, arbitrary: anyKey },
);

const typed: Record<string, fc.Arbitrary<Json>> = {
  phones: fc.oneof(
    fc.constantFrom<Json>(
      '+79001234567',
      '+1 202 555 0123',
      '8 900 123',
      'abc',
      ['+79001234567', '+442071838750'],
      [],
      [1],
      ['+7900'],
    ),
  ),
  _bdate: fc.constantFrom<Json>('1990-01-01', '2026-02-30', '1990-01-01T10:00:00Z', 'yesterday', 19900101),
  _sex: fc.constantFrom<Json>('male', 'female', 1, 2, '1', 0, 3, 'x'),
  _regdate: fc.constantFrom<Json>('2026-01-01T10:00:00Z', '2026-01-01', 'now'),
  _regip: fc.constantFrom<Json>('8.8.8.8', '::1', '999.1.1.1', 'fe80::1%eth0'),
  _ip: fc.constantFrom<Json>('8.8.8.8', '77.88.8.8', '10.0.0.1', 'x'),
  _country: fc.constantFrom<Json>('RU', 'us', 'XX', 'RUS'),
  _tz: fc.constantFrom<Json>('Europe/Moscow', 'UTC', 'Mars/Base', ''),
  _lat: fc.constantFrom<Json>(55.75, '55.75', 'north', 1e308),
  CRM_ID: fc.oneof(fc.integer(), fc.constantFrom<Json>('42', '4.5', 2 ** 53, '-0', '')),
  custom_field: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom<Json>('7', 'x')),
  score: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom<Json>('1e3', 'NaN', '2.5')),
  vip: fc.constantFrom<Json>(true, false, 'true', 1, '0', 'yes', 2),
  signup: fc.constantFrom<Json>('2026-01-01T10:00:00Z', '2026-01-01', 'soon'),
  level: fc.constantFrom<Json>('gold', 'silver', 2, '1', 5, 'platinum'),
  last_ip: fc.constantFrom<Json>('8.8.8.8', '::ffff:1.2.3.4', '1.2.3'),
  interests: fc.oneof(fc.array(anyString, { maxLength: 4 }), fc.constantFrom<Json>('a', [1, 2], [['x']], { a: 1 })),
  attrs: fc.oneof(anyObject, fc.constantFrom<Json>('x', [1])),
  orders: fc.oneof(fc.array(anyObject, { maxLength: 3 }), fc.constantFrom<Json>([1], {}, 'x')),
};

/** Functional updates (spec 03), well-formed or not. */
const operator: fc.Arbitrary<Json> = fc.oneof(
  fc.record(
    { action: fc.constantFrom('set', 'unset', 'incr', 'add', 'delete', 'upsert'), value: anyJson },
    { requiredKeys: ['action'] },
  ),
  fc.record({
    action: fc.constant('upsert'),
    submatch: fc.oneof(
      fc.constantFrom('a', 'a.b', 'a..b', '.', '', '__proto__.x', 'a.constructor.prototype'),
      anyString,
    ),
    value: anyJson,
  }),
  fc.record({ action: fc.constant('upsert'), submatch: anyObject, value: anyObject }),
  fc.record({
    action: fc.constantFrom('incr', 'add'),
    value: fc.oneof(anyNumber, fc.array(anyString, { maxLength: 3 })),
  }),
  fc.record({ action: anyString, value: anyJson, extra: anyJson }),
) as fc.Arbitrary<Json>;

/** A value for field `name`: of its type, of a random type, or an operator. */
export function fieldValue(name: string): fc.Arbitrary<Json> {
  const own = Object.hasOwn(typed, name) ? typed[name] : anyString;
  return fc.oneof({ weight: 5, arbitrary: own }, { weight: 1, arbitrary: anyJson }, { weight: 1, arbitrary: operator });
}

export const randomFields: fc.Arbitrary<[string, Json][]> = fc.array(
  fieldName.chain((name) => fieldValue(name).map((v): [string, Json] => [name, v])),
  { maxLength: 4 },
);

// ---------------------------------------------------------------------------------------------
// Subscriptions.

/** A subscription of random parts (valid only by chance). */
export const randomSubscription: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        channel: mostly(
          fc.constantFrom<Json>('email', 'sms', 'push'),
          fc.oneof(fc.constantFrom<Json>('fax', '', 'EMAIL', 1, null), anyJson),
        ),
        resource_id: mostly(
          fc.constantFrom<Json>(21, 22, '21'),
          fc.oneof(fc.constantFrom<Json>(23, 31, 999, 0, -1, 'x', 1.5, null, 2 ** 40), anyJson),
        ),
        email: fc.oneof(fc.constantFrom<Json>('sub@example.com', 'bad', ''), anyJson),
        phone: fc.oneof(fc.constantFrom<Json>('+79005550000', '12', ''), anyJson),
        provider: fc.oneof(fc.constantFrom<Json>('android-firebase', 'ios-apns', ''), anyJson),
        subscription_id: fc.oneof(fc.constantFrom<Json>('device-token', ''), anyJson),
        status: mostly(
          fc.constantFrom<Json>(0, 1, 6, 'subscribed', 'unsubscribed', 'SUSPENDED', '2'),
          fc.oneof(fc.constantFrom<Json>(7, -1, 'x', '', 1.5), anyJson),
        ),
        priority: mostly(
          fc.integer({ min: -2, max: 9 }),
          fc.oneof(fc.constantFrom<Json>(2 ** 31, 2 ** 40, -(2 ** 40), 'x', 1.5, '3'), anyJson),
        ),
        custom_fields: anyJson,
        cats: fc.oneof(fc.array(anyString, { maxLength: 3 }), anyJson),
        email_data: fc.record(
          { email: fc.oneof(fc.constantFrom<Json>('ed@example.com'), anyJson), domain: anyString },
          { requiredKeys: [] },
        ) as fc.Arbitrary<Json>,
        is_test: anyJson,
      },
      { requiredKeys: [] },
    ) as fc.Arbitrary<Json>,
  },
  { weight: 1, arbitrary: anyJson },
);

/** Kinds of subscriptions that are valid on database 1 by construction (their address carries the item's marker). */
export type GoodSub = 'email21' | 'email22' | 'sms' | 'push';
export const goodSub: fc.Arbitrary<GoodSub> = fc.constantFrom('email21', 'email22', 'sms', 'push');
export const VALID_STATUS = fc.constantFrom<Json | undefined>(undefined, 0, 1, 'subscribed', 'unconfirmed', '6');
/** Priorities: usual ones, and the edges of the integer types a store may keep them in. */
export const PRIORITY = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Json | undefined>(undefined) },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 10 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Json | undefined>(
      2 ** 31 - 1,
      2 ** 31,
      -(2 ** 31),
      -(2 ** 31) - 1,
      2 ** 40,
      Number.MAX_SAFE_INTEGER,
      '2147483648',
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// Items.

export interface ItemShape {
  /** The item is not an object at all. */
  junk: Json | undefined;
  withEmail: boolean;
  withName: boolean;
  withCustomId: boolean;
  fields: [string, Json][];
  goodSubs: { kind: GoodSub; status: Json | undefined; priority: Json | undefined }[];
  randomSubs: Json[];
  /** Item-level keys: matching values, custom_data, extras. */
  keys: { key: string; value: Json }[];
  customData: 'none' | 'marker' | 'junk';
  customDataJunk: Json;
  /** data.profile_id (read by matching profile_id): a stored profile (pool index), a missing id, or junk. */
  profileRef: { kind: 'pool'; pick: number } | { kind: 'missing' } | { kind: 'junk'; value: Json } | undefined;
  /** Put the profile id as the item's own key rather than inside data. */
  profileRefAsKey: boolean;
  /** XML: write the fields directly under <data> (no wrapper) when the item has no item keys. */
  xmlFlat: boolean;
}

export const itemShape: fc.Arbitrary<ItemShape> = fc.record({
  junk: fc.oneof(
    { weight: 20, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: anyScalar },
    { weight: 1, arbitrary: fc.array(anyJson, { maxLength: 2 }) as fc.Arbitrary<Json> },
  ),
  withEmail: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  withName: fc.boolean(),
  withCustomId: fc.boolean(),
  fields: fc.oneof({ weight: 2, arbitrary: fc.constant<[string, Json][]>([]) }, { weight: 3, arbitrary: randomFields }),
  goodSubs: fc.array(fc.record({ kind: goodSub, status: VALID_STATUS, priority: PRIORITY }), { maxLength: 2 }),
  randomSubs: fc.oneof(
    { weight: 3, arbitrary: fc.constant<Json[]>([]) },
    { weight: 1, arbitrary: fc.array(randomSubscription, { minLength: 1, maxLength: 2 }) },
  ),
  keys: fc.oneof(
    { weight: 4, arbitrary: fc.constant<{ key: string; value: Json }[]>([]) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.record({
          key: fc.constantFrom(
            'email',
            'phone',
            'profile_id',
            'field_value',
            'provider',
            'subscription_id',
            'hash_id',
            'segments',
          ),
          value: anyJson,
        }),
        { maxLength: 2 },
      ),
    },
  ),
  customData: fc.constantFrom<'none' | 'marker' | 'junk'>('none', 'marker', 'marker', 'junk'),
  customDataJunk: anyJson,
  profileRef: rare(
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('pool' as const), pick: fc.nat() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('missing' as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('junk' as const), value: anyJson }) },
    ),
    1,
  ),
  profileRefAsKey: fc.boolean(),
  xmlFlat: fc.boolean(),
});

/** What an item must (not) leave in storage, for the checks. */
export interface ItemModel {
  marker: string;
  /** Strings that appear in storage only if this item was written. */
  traces: string[];
  /** Fields an applied item must have set exactly (string values). */
  goodFields: Record<string, string>;
  /** Subscription addresses (normalised) an applied item must have added. */
  goodSubs: string[];
}

export interface PoolProfile {
  id: string;
  email: string;
}

let phoneSeq = 0;

/** A concrete item (JSON value) from a shape, its marker and what it should leave behind. */
export function buildItem(
  shape: ItemShape,
  marker: string,
  pool: PoolProfile[],
): { item: Json; data: JsonObject; model: ItemModel } {
  const model: ItemModel = { marker, traces: [marker], goodFields: {}, goodSubs: [] };
  const email = `${marker}@example.com`;
  const data: JsonObject = {};
  const good: JsonObject = {};
  if (shape.withEmail) good.email = email;
  if (shape.withName) good._fname = `n${marker}`;
  if (shape.withCustomId) good.Custom_ID = `c${marker}`;
  for (const [k, v] of shape.fields) {
    // A random value never shadows a good one (also not through the XML spelling without "_").
    if (k in good || `_${k}` in good) continue;
    data[k] = v;
  }
  Object.assign(data, good);
  for (const [k, v] of Object.entries(good)) model.goodFields[k] = v as string;
  const subs: Json[] = [];
  shape.goodSubs.forEach((g, i) => {
    const sub: JsonObject = {};
    // A priority beyond 32 bits makes the subscription invalid (dropped with skip_invalid_subscriptions).
    const p = Number(g.priority ?? 0);
    const valid = Number.isSafeInteger(p) && p >= -(2 ** 31) && p < 2 ** 31;
    if (g.kind === 'email21' || g.kind === 'email22') {
      const address = `s${i}${marker}@example.com`;
      Object.assign(sub, { channel: 'email', resource_id: g.kind === 'email21' ? 21 : 22, email: address });
      if (valid) model.goodSubs.push(address);
    } else if (g.kind === 'sms') {
      const phone = `+7901${String(++phoneSeq % 10_000_000).padStart(7, '0')}`;
      Object.assign(sub, { channel: 'sms', resource_id: 21, phone });
      if (valid) model.goodSubs.push(phone);
      model.traces.push(phone);
    } else {
      Object.assign(sub, {
        channel: 'push',
        resource_id: 21,
        provider: 'android-firebase',
        subscription_id: `t${marker}`,
      });
      if (valid) model.goodSubs.push(`android-firebase|t${marker}`);
    }
    if (g.status !== undefined) sub.status = g.status;
    if (g.priority !== undefined) sub.priority = g.priority;
    subs.push(sub);
  });
  subs.push(...shape.randomSubs);
  if (subs.length > 0) data.subscriptions = subs;
  let profileId: Json | undefined;
  const ref = shape.profileRef;
  if (ref?.kind === 'pool') profileId = pool.length > 0 ? pool[ref.pick % pool.length].id : 'ffffffffffffffffffffffff';
  else if (ref?.kind === 'missing') profileId = `ffff${marker.replace(/\D/g, '').padStart(20, '0').slice(-20)}`;
  else if (ref?.kind === 'junk') profileId = ref.value;
  if (profileId !== undefined && !shape.profileRefAsKey) data.profile_id = profileId;
  if (shape.junk !== undefined) return { item: shape.junk, data, model: { ...model, goodFields: {}, goodSubs: [] } };
  const item: JsonObject = { data };
  if (profileId !== undefined && shape.profileRefAsKey) item.profile_id = profileId;
  for (const { key, value } of shape.keys) item[key] = value;
  if (shape.customData === 'marker') item.custom_data = { m: marker };
  else if (shape.customData === 'junk') item.custom_data = shape.customDataJunk;
  return { item, data, model };
}

// ---------------------------------------------------------------------------------------------
// Root parameters of the launch and import methods.

export const triggerId: fc.Arbitrary<Json> = fc.oneof(
  { weight: 14, arbitrary: fc.constant(96) },
  { weight: 3, arbitrary: fc.constantFrom<Json>('96', 85, 100, 102, 97, 99) },
  { weight: 1, arbitrary: fc.constantFrom<Json>(98, 101, 200, 9999, 0, -1, '9x', 1.5, true, null, [], {}, 2 ** 40) },
);

export const dbId: fc.Arbitrary<Json> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(1) },
  { weight: 2, arbitrary: fc.constantFrom<Json>('1', 2) },
  { weight: 1, arbitrary: fc.constantFrom<Json>(3, 999, 0, 'x', null, [1]) },
);

export const boolish: fc.Arbitrary<Json> = mostly(
  fc.constantFrom<Json>(true, false, 'true', 'false', 0, 1, '1', '0'),
  fc.constantFrom<Json>('yes', 2, null, [], 'TRUE'),
);

export const matching: fc.Arbitrary<JsonObject> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<JsonObject>(
      { matching: 'email' },
      { matching: 'email_profile' },
      { matching: 'email_sub' },
      { matching: 'phone' },
      { matching: 'email_phone' },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<JsonObject>(
      { matching: 'custom', field_name: 'Custom_ID' },
      { matching: 'custom', field_name: 'interests' },
      { matching: 'custom', field_name: 'CRM_ID' },
    ),
  },
  { weight: 4, arbitrary: fc.constant<JsonObject>({ matching: 'profile_id' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<JsonObject>(
      { matching: 'push_sub' },
      { matching: 'custom', field_name: 'nope' },
      { matching: 'custom' },
      { matching: 'custom_sub' },
      { matching: 'bogus' },
      { matching: 1 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        matching: fc.constantFrom<Json>('email', 'phone', 'profile_id'),
        email: anyJson,
        phone: anyJson,
        profile_id: anyJson,
        resource_id: fc.constantFrom<Json>(21, 22, 23, 31, 999, 'x'),
      },
      { requiredKeys: ['matching'] },
    ),
  },
);

export const timeout: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ days: fc.nat(400), hours: fc.nat(30), minutes: fc.nat(90) }, { requiredKeys: [] }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>({ days: -1 }, { weeks: 1 }, { minutes: '5' }, { hours: 1.5 }, 5, 'x', [], {}),
  anyJson,
);

/** A data URI: valid, or malformed in one of the ways clients get it wrong. */
export const dataUri: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .uint8Array({ maxLength: 64 })
      .map((b) => `data:text/plain;base64,${Buffer.from(b).toString('base64')}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Json>(
      'data:application/pdf;name=a.pdf;base64,JVBERi0=',
      'data:text/csv;base64,SEVM TE8K',
      'data:TEXT/PLAIN;base64,',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom<Json>(
      'hello',
      'data:',
      'data:;base64,aGk=',
      'data:text/plain,hello',
      'data:text/plain;base64',
      'data:text/plain;base64,@@@',
      'data:text/plain;base64,a',
      'data:text/plain;base64,aGk=====',
      'data:text/pl ain;base64,aGk=',
      'data:text/plain;charset=utf-8;base64;x,aGk=',
      ' data:text/plain;base64,aGk=',
      'data:text/plain;base64,aGk=\u0000',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'http://127.0.0.1/x',
      5,
      null,
      [],
      {},
    ),
  },
  { weight: 1, arbitrary: anyString.map((s) => `data:text/plain;base64,${s}`) },
);

/** Attachment names: paths, CR/LF, header text, quotes, nothing. */
export const attachName: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    'a.txt',
    '../../etc/passwd',
    '/etc/shadow',
    'C:\\Windows\\win.ini',
    '..\\..\\x.exe',
    'a\r\nBcc: victim@evil.example.txt',
    'a\nContent-Type: text/html',
    '"quoted".txt',
    'a;b=c.txt',
    '.hidden',
    '...',
    '',
    ' ',
    'x'.repeat(400),
    'ёжик.pdf',
    '=?utf-8?q?a=0D=0ABcc:_x?=',
  ),
  anyJson,
);

export const attach: fc.Arbitrary<Json> = fc.oneof(
  fc.array(fc.record({ name: attachName, data: dataUri }, { requiredKeys: ['data'] }), {
    maxLength: 3,
  }) as fc.Arbitrary<Json>,
  fc.record({ name: attachName, data: dataUri }) as fc.Arbitrary<Json>,
  anyJson,
);

export const subscriptionFilter: fc.Arbitrary<Json> = fc.oneof(
  fc.record(
    {
      email: fc.oneof(fc.constantFrom<Json>('x@example.com', 'bad'), anyJson),
      phone: anyJson,
      provider: anyJson,
      subscription_id: anyJson,
      not_strict: boolish,
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Json>,
  anyJson,
);

export interface RootShape {
  trigger: Json;
  db: Json;
  matching: JsonObject;
  flags: Record<string, Json | undefined>;
  extras: Record<string, Json | undefined>;
  /** Replace `data` by this (not an array of items). */
  badData: Json | undefined;
  format: Json | undefined;
}

export const rootShape: fc.Arbitrary<RootShape> = fc.record({
  trigger: triggerId,
  db: dbId,
  matching,
  flags: fc.record({
    skip_triggers: rare(boolish),
    skip_invalid_subscriptions: rare(boolish, 2),
    detect_geo: rare(boolish),
  }),
  extras: fc.record({
    timeout: rare(timeout, 6),
    custom_data: rare(mostly(anyObject, anyJson, 4), 5),
    content: rare(mostly(anyObject, anyJson, 4), 5),
    attach: rare(attach, 4),
    subscription_filter: rare(subscriptionFilter, 8),
    add_to_segments: rare(anyJson, 8),
    x_extra: rare(anyJson, 8),
  }),
  badData: fc.oneof(
    { weight: 30, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom<Json>([], {}, 'x', 5, null, [[]]) },
  ),
  format: fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom<Json>('json', 'xml', 'csv', 'XML', 5) },
  ),
});

// ---------------------------------------------------------------------------------------------
// Serializers.

const hex4 = (n: number): string => `\\u${n.toString(16).padStart(4, '0')}`;

/** A JSON string literal with some characters spelled as \u escapes (the same string once parsed). */
function jsonString(s: string, rnd: () => number, rate: number): string {
  if (rate === 0) return JSON.stringify(s);
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (rnd() < rate) out += rnd() < 0.5 ? hex4(c) : hex4(c).toUpperCase().replace('\\U', '\\u');
    else out += JSON.stringify(s[i]).slice(1, -1);
  }
  return `${out}"`;
}

/** JSON text of `value` with random \u escapes and whitespace (`rate` 0: plain JSON.stringify). */
export function jsonText(value: Json, seed: number, rate: number): string {
  if (rate === 0) return JSON.stringify(value);
  const rnd = prng(seed);
  const ws = () => (rnd() < 0.1 ? [' ', '\n', '\t', '\r\n  '][Math.floor(rnd() * 4)] : '');
  const write = (v: Json): string => {
    if (v === null || typeof v === 'boolean' || typeof v === 'number') return JSON.stringify(v);
    if (typeof v === 'string') return jsonString(v, rnd, rate);
    if (Array.isArray(v)) return `[${v.map((x) => `${ws()}${write(x)}${ws()}`).join(',')}]`;
    return `{${Object.entries(v)
      .map(([k, x]) => `${ws()}${jsonString(k, rnd, rate)}${ws()}:${ws()}${write(x)}`)
      .join(',')}}`;
  };
  return write(value);
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Characters XML 1.0 cannot carry at all.
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** An XML element name for a key (most odd keys made valid, so the body still parses). */
export function xmlName(key: string): string {
  if (XML_NAME.test(key) && !/^xml/i.test(key)) return key;
  const cleaned = key.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) && !/^xml/i.test(cleaned) ? cleaned : `k${cleaned}`;
}

/** The value an XML body carries: keys as element names, no characters XML cannot hold. */
export function xmlSafe(value: Json): Json {
  if (typeof value === 'string') return value.replace(XML_INVALID, '');
  if (Array.isArray(value)) return value.map(xmlSafe);
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[xmlName(k)] = xmlSafe(v);
    return out;
  }
  return value;
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** XML text of a body (root <xml>): arrays as repeated elements, sometimes array='true', CDATA. */
export function xmlText(
  body: JsonObject,
  seed: number,
  opts: { flatItems?: boolean[]; /** No CDATA, comments or array='true'. */ plain?: boolean } = {},
): string {
  const random = prng(seed);
  const rnd = (): number => (opts.plain ? 1 : random());
  const text = (s: string): string => (rnd() < 0.15 && !s.includes(']]>') ? `<![CDATA[${s}]]>` : escapeXml(s));
  const element = (name: string, v: Json, out: string[]): void => {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(`<${name}/>`);
      else if (v.length === 1 && !Array.isArray(v[0]) && rnd() < 0.4) {
        const inner: string[] = [];
        content(v[0], inner);
        out.push(`<${name} array='true'>${inner.join('')}</${name}>`);
      } else for (const x of v) element(name, x, out);
      return;
    }
    if (v === null) {
      out.push(`<${name}/>`);
      return;
    }
    const inner: string[] = [];
    content(v, inner);
    out.push(`<${name}>${inner.join('')}</${name}>`);
  };
  const content = (v: Json, out: string[]): void => {
    if (v === null) return;
    if (typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) element(k, x, out);
      if (rnd() < 0.05) out.push('<!-- a comment -->');
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) element('item', x, out);
      return;
    }
    out.push(text(String(v)));
  };
  const out: string[] = ['<xml>'];
  for (const [k, v] of Object.entries(body)) {
    if (k === 'data' && Array.isArray(v) && opts.flatItems) {
      // Items: the wrapper shape (<data><data>…</data>…</data>) or the fields directly (<data><email>…).
      v.forEach((item, i) => {
        const isObj = item !== null && typeof item === 'object' && !Array.isArray(item);
        const keys = isObj ? Object.keys(item) : [];
        if (isObj && opts.flatItems?.[i] && keys.length === 1 && keys[0] === 'data') element('data', item.data, out);
        else element('data', item, out);
      });
      continue;
    }
    element(k, v, out);
  }
  out.push('</xml>');
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Hostile decorations of a body (property "hostile bodies").

/** Byte sequences that are never valid UTF-8. */
export const INVALID_UTF8: readonly (readonly number[])[] = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe, 0xff],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xc3],
  [0xc3, 0x28],
];

export const DOCTYPES: readonly string[] = [
  '<!DOCTYPE xml>',
  '<!DOCTYPE xml [<!ENTITY name "Mallory">]>',
  '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  '<!DOCTYPE xml SYSTEM "http://127.0.0.1:1/evil.dtd">',
  '<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>',
  `<!DOCTYPE xml [<!ENTITY a "${'x'.repeat(10_000)}"><!ENTITY b "${'&a;'.repeat(100)}">]>`,
  (() => {
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    return `<!DOCTYPE xml [${dtd}]>`;
  })(),
  '<!DOCTYPE xml PUBLIC "-//X//Y" "http://169.254.169.254/latest/meta-data/">',
];

// ---------------------------------------------------------------------------------------------
// The input classes of the hardening round (docs/LIMITS.md): long values, names every object
// answers to, custom_request size and depth, numbers beyond a double.

/** Names Object.prototype answers to, but the three the body codecs refuse; and a few more a decoder might trip on. */
export const PROTO_NAMES: readonly string[] = [
  ...Object.getOwnPropertyNames(Object.prototype).filter((k) => !['__proto__', 'constructor'].includes(k)),
  'toJSON',
  'then',
  'length',
  'call',
  'apply',
];
export const protoName = fc.constantFrom(...PROTO_NAMES);

/** Where a long value goes, with its limit (undefined: no limit of its own, only the body's). */
export const LONG_TARGETS = {
  Custom_ID: 16_384,
  _fname: 16_384,
  interests: 16_384,
  email: 254,
  phones: 64,
  subEmail: 254,
  subPhone: 64,
  subProvider: 64,
  subToken: 4_096,
  subCats: 16_384,
  matchValue: 16_384,
  customData: undefined,
  attrs: undefined,
} as const;
export type LongTarget = keyof typeof LONG_TARGETS;

export interface LongShape {
  target: LongTarget;
  /** The length, relative to the limit: just under, at, just over, over a B-tree entry, far over. */
  size: 'under' | 'at' | 'over' | 'btree' | 'far';
  /** ascii: random base64; wide: with é and 🦔 (two UTF-16 units, one character); mark: holds U+001F. */
  chars: 'ascii' | 'wide' | 'mark';
  xml: boolean;
  others: number;
}

export const longShape: fc.Arbitrary<LongShape> = fc.record({
  target: fc.constantFrom(...(Object.keys(LONG_TARGETS) as LongTarget[])),
  size: fc.constantFrom<LongShape['size']>('under', 'at', 'over', 'btree', 'far'),
  chars: fc.constantFrom<LongShape['chars']>('ascii', 'ascii', 'wide', 'mark'),
  xml: fc.boolean(),
  others: fc.integer({ min: 0, max: 2 }),
});

/** `n` characters (code points) starting with `head`, incompressible, of the shape's kind. */
export function longText(head: string, n: number, chars: LongShape['chars'], seed: number): string {
  const rnd = prng(seed);
  // No q or Q: markers are q<digits>q, and a failed item's marker must not turn up by chance.
  const alphabet = 'ABCDEFGHIJKLMNOPRSTUVWXYZabcdefghijklmnoprstuvwxyz0123456789';
  const out: string[] = [...head];
  while (out.length < n) {
    const r = rnd();
    if (chars === 'wide' && r < 0.05) out.push(r < 0.025 ? '🦔' : 'é');
    else if (chars === 'mark' && r < 0.01) out.push('\u001f');
    else out.push(alphabet[Math.floor(rnd() * alphabet.length)]);
  }
  return out.slice(0, n).join('');
}

/** Object-valued places of an import request a prototype-named key is put in. */
export const PROTO_PLACES_ALL = [
  'timeout',
  'content',
  'customData',
  'itemCustomData',
  'subscriptionFilter',
  'field',
  'attrs',
  'attrsPath',
  'ordersSubmatch',
  'operator',
  'subscription',
  'attach',
] as const;
export type ProtoPlace = (typeof PROTO_PLACES_ALL)[number];
export const protoShape = fc.record({
  name: protoName,
  place: fc.constantFrom(...PROTO_PLACES_ALL),
  value: fc.oneof(fc.constant<Json>(1), anyJson),
  xml: fc.boolean(),
});

/** A condition of a generated custom_request, on the fields the custom_request property stores. */
export type Cond = {
  field: 'CRM_ID' | 'score' | 'Custom_ID' | '_fname' | 'interests';
  op: '$eq' | '$ne' | '$in' | '$nin' | '$gt' | '$gte' | '$lt' | '$lte' | 'eq';
  value: Json;
};

const CR_VALUES = {
  CRM_ID: fc.integer({ min: -2, max: 42 }),
  score: fc.constantFrom(0.5, 1, 1.5, 2.5, 7, 19, 25),
  Custom_ID: fc.constantFrom('c0', 'c1', 'c3', 'c6', 'c9'),
  _fname: fc.constantFrom('n0', 'n2', 'n4', 'n7'),
  interests: fc.constantFrom('a', 'b', 'c', 'z'),
} as const;

export const cond: fc.Arbitrary<Cond> = fc
  .record({
    field: fc.constantFrom<Cond['field']>('CRM_ID', 'score', 'Custom_ID', '_fname', 'interests'),
    op: fc.constantFrom<Cond['op']>('eq', '$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte'),
  })
  .chain(({ field, op }) => {
    // Text ranges follow the database's collation: only numbers are compared by range here.
    const ranged = op === '$gt' || op === '$gte' || op === '$lt' || op === '$lte';
    const f = ranged && field !== 'CRM_ID' && field !== 'score' ? 'CRM_ID' : field;
    const one = CR_VALUES[f] as fc.Arbitrary<Json>;
    const value = op === '$in' || op === '$nin' ? fc.array(one, { maxLength: 4 }) : one;
    return value.map((v): Cond => ({ field: f, op, value: v }));
  });

export interface QueryShape {
  /** $and/$or levels above the conditions. */
  depth: number;
  conds: Cond[];
  /** Extra conditions, to reach large counts (repeats of `conds`). */
  repeat: number;
  /** Values of one extra $in list (0: none). */
  bigList: number;
  ors: boolean[];
  asString: boolean;
}

export const queryShape: fc.Arbitrary<QueryShape> = fc.record({
  depth: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) },
    { weight: 1, arbitrary: fc.integer({ min: 28, max: 36 }) },
    { weight: 1, arbitrary: fc.constantFrom(200, 5_000) },
  ),
  conds: fc.array(cond, { minLength: 1, maxLength: 6 }),
  repeat: fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.constantFrom(200, 994, 995, 1_000, 1_500, 20_000) },
  ),
  bigList: fc.oneof(
    { weight: 5, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.constantFrom(10_000, 10_001) },
  ),
  ors: fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }),
  asString: fc.boolean(),
});

/** Where a number beyond a double goes, and how it is spelled. */
export const NUMBER_PLACES = [
  'score',
  '_lat',
  'CRM_ID',
  'attrs',
  'orders',
  'content',
  'customData',
  'itemCustomData',
  'timeout',
  'priority',
  'incr',
  'matchValue',
] as const;
export type NumberPlace = (typeof NUMBER_PLACES)[number];
export const numberShape = fc.record({
  place: fc.constantFrom(...NUMBER_PLACES),
  /** literal: a JSON number literal; text: a string (also XML text); finite: an edge that stays a number. */
  spelling: fc.constantFrom('literal', 'literal', 'text', 'finite'),
  text: fc.constantFrom('1e400', '-1E+999', `1${'0'.repeat(400)}`, '2e308', '-1.8e308'),
  finite: fc.constantFrom('1.7976931348623157e308', '-1e308', '1e-400', `${'9'.repeat(120)}e-100`, '5e-324'),
  xml: fc.boolean(),
});
