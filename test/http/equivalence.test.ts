// Spec 02, "Equivalence": a batch sent to import_and_start_batch ends in the same state as its
// items sent one by one, in order, to import_and_start with the same root parameters — the same
// profiles (fields, subscriptions, indexed values), the same per-item outcome and the same
// scheduled messages. A seeded generator draws items from small pools of emails, phones and
// Custom_ID values so that items collide with each other and with profiles stored beforehand.
//
// Reproduce one run: HERALD_EQUIV_SEED=<seed> HERALD_EQUIV_RUNS=1 npx vitest run test/http/equivalence.test.ts
// 30 runs on SQLite; on PostgreSQL, where a run costs ten times more, the first 10 of them (30 with
// HERALD_HEAVY_TESTS=1).
import { describe, expect, it } from 'vitest';
import { rows, startHarness, TEST_STORE, TOKEN, type Harness } from '../helpers/harness.js';

const DEFAULT_RUNS = TEST_STORE === 'postgres' && process.env.HERALD_HEAVY_TESTS !== '1' ? 10 : 30;
const RUNS = Number(process.env.HERALD_EQUIV_RUNS ?? DEFAULT_RUNS);
const FIRST_SEED = Number(process.env.HERALD_EQUIV_SEED ?? 20261127);

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG (mulberry32) and helpers.

class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }
  some<T>(list: readonly T[], min: number, max: number): T[] {
    const n = this.int(min, max);
    return Array.from({ length: n }, () => this.pick(list));
  }
}

// Small pools: every value is drawn often, so items collide. Case and formatting variants of
// the same address collide too (emails match case-insensitively, phones after E.164).
const EMAILS = ['ann@example.com', 'bob@example.com', 'cy@example.com', 'ANN@Example.com'] as const;
const PHONES = ['+79000000001', '+79000000002', '+7 (900) 000-00-01', '+447700900123'] as const;
const CUSTOM_IDS = ['c1', 'c2', 'c3', 'c6', 7] as const;
const SEED_CUSTOM_IDS = ['c1', 'c2', 'c3', 'c4', 'c5'] as const;
const NAMES = ['Ann', 'Bob', 'Cy', 'Dee'] as const;
const TAGS = ['red', 'green', 'blue'] as const;
const PUSH = [
  { provider: 'ios-apns', subscription_id: 'tok-1' },
  { provider: 'IOS-APNS', subscription_id: 'tok-1' },
  { provider: 'android-firebase', subscription_id: 'tok-2' },
] as const;
const MODES = ['email', 'email_profile', 'phone', 'custom', 'email_phone'] as const;
type Mode = (typeof MODES)[number];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Item {
  data: JsonObject;
  email?: string;
  phone?: string;
  field_value?: string | number;
  custom_data?: JsonObject;
}

interface Scenario {
  seed: number;
  root: JsonObject;
  stored: Item[];
  items: Item[];
}

// ---------------------------------------------------------------------------------------------
// The generator.

function subscription(r: Rng, opts: { invalid: boolean }): JsonObject {
  const kind = r.int(0, 9);
  const sub: JsonObject =
    kind < 5
      ? { channel: 'email', email: r.pick(EMAILS), resource_id: 21 }
      : kind < 8
        ? { channel: 'sms', phone: r.pick(PHONES), resource_id: 21 }
        : { channel: 'push', ...r.pick(PUSH), resource_id: 21 };
  if (r.chance(0.7)) sub.status = r.pick([0, 0, 0, 1, 'unsubscribed', 'subscribed'] as const);
  if (r.chance(0.5)) sub.priority = r.int(0, 2);
  if (r.chance(0.1)) sub.cats = ['news'];
  if (opts.invalid) {
    // An invalid subscription: the item fails, or the entry is dropped with skip_invalid_subscriptions.
    if (r.chance(0.5)) sub.resource_id = 99;
    else if (sub.channel === 'email') sub.email = 'not-an-email';
    else sub.channel = 'fax';
  }
  return sub;
}

/** Whether the data itself gives an item's matching value (spec 02, where the value comes from). */
function dataGives(data: JsonObject, what: 'email' | 'phone' | 'custom', validSubs: JsonObject[]): boolean {
  if (what === 'email') return typeof data.email === 'string' || validSubs.some((s) => s.channel === 'email');
  if (what === 'phone')
    return typeof data.phones === 'string' || Array.isArray(data.phones) || validSubs.some((s) => s.channel === 'sms');
  return data.Custom_ID !== undefined;
}

function genItem(r: Rng, mode: Mode, i: number): Item {
  const data: JsonObject = {};
  const emailMode = mode === 'email' || mode === 'email_profile' || mode === 'email_phone';
  const phoneMode = mode === 'phone' || mode === 'email_phone';
  if (r.chance(0.6)) data._fname = r.pick(NAMES);
  if (r.chance(0.2)) data._lname = `L${i}`;
  // In non-email modes the email is a free field: changing a profile's email to another pool value.
  if (r.chance(emailMode ? 0.55 : 0.45)) data.email = r.pick(EMAILS);
  if (r.chance(phoneMode ? 0.45 : 0.3)) {
    const k = r.int(0, 5);
    data.phones = k < 3 ? r.pick(PHONES) : k < 5 ? r.some(PHONES, 1, 2) : { action: 'add', value: r.pick(PHONES) };
  }
  if (r.chance(mode === 'custom' ? 0.6 : 0.35)) data.Custom_ID = r.pick(CUSTOM_IDS);
  if (r.chance(0.45))
    data.CRM_ID = r.chance(0.4) ? r.int(0, 3) : { action: 'incr', value: r.pick([1, 2, -1, 5] as const) };
  if (r.chance(0.35)) {
    const k = r.int(0, 5);
    data.interests =
      k < 2
        ? [...new Set(r.some(TAGS, 0, 2))]
        : k < 4
          ? { action: 'add', value: r.some(TAGS, 1, 2) }
          : k < 5
            ? { action: 'delete', value: r.pick(TAGS) }
            : r.pick(TAGS);
  }
  const validSubs: JsonObject[] = [];
  if (r.chance(0.55)) {
    const subs: JsonObject[] = [];
    for (let n = r.int(1, 2); n > 0; n--) {
      const invalid = r.chance(0.06);
      const s = subscription(r, { invalid });
      subs.push(s);
      if (!invalid) validSubs.push(s);
    }
    data.subscriptions = subs;
  }
  // Now and then an item that fails validation on its own (per-item isolation).
  if (r.chance(0.05)) {
    const k = r.int(0, 3);
    if (k === 0) data.no_such_field = 1;
    else if (k === 1) data.phones = '12345';
    else if (k === 2) data._md5 = 'x';
    else data.CRM_ID = 'not a number';
  }

  const item: Item = { data };
  // Per-item matching keys, only where the data gives no value of its own: the key then means
  // the same as a root parameter of import_and_start (which the data would win over).
  const key = r.chance(0.85);
  if (emailMode && !dataGives(data, 'email', validSubs) && key && (mode !== 'email_phone' || r.chance(0.6)))
    item.email = r.pick(EMAILS);
  if (phoneMode && !dataGives(data, 'phone', validSubs) && key && (mode !== 'email_phone' || r.chance(0.6)))
    item.phone = r.pick(PHONES);
  if (mode === 'custom' && !dataGives(data, 'custom', validSubs) && key) item.field_value = r.pick(CUSTOM_IDS);
  if (r.chance(0.15)) item.custom_data = { item: i };
  return item;
}

/** Profiles stored before the batch: distinct Custom_IDs, shared emails and phones (several matches). */
function genStored(r: Rng): Item[] {
  const ids: string[] = [...SEED_CUSTOM_IDS];
  for (let i = ids.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  ids.length = r.int(2, 5);
  return ids.map((id, i) => {
    const data: JsonObject = { Custom_ID: id, _fname: `Stored${i}` };
    if (r.chance(0.7)) data.email = r.pick(EMAILS);
    if (r.chance(0.5)) data.phones = r.some(PHONES, 1, 2);
    if (r.chance(0.5)) data.CRM_ID = r.int(10, 20);
    if (r.chance(0.4)) data.interests = [...new Set(r.some(TAGS, 1, 2))];
    if (r.chance(0.7))
      data.subscriptions = Array.from({ length: r.int(1, 2) }, () => subscription(r, { invalid: false }));
    return { data };
  });
}

function genScenario(seed: number): Scenario {
  const r = new Rng(seed);
  const mode = r.pick(MODES);
  const root: JsonObject = { token: TOKEN, trigger_id: r.pick([96, 85] as const), matching: mode };
  if (mode === 'custom') root.field_name = 'Custom_ID';
  if (r.chance(0.5)) root.skip_invalid_subscriptions = true;
  if (r.chance(0.3)) root.timeout = { hours: r.int(0, 3), minutes: r.int(0, 59) };
  if (r.chance(0.3)) root.custom_data = { root: true };
  if (r.chance(0.5)) root.content = { page: 'home' };
  if (r.chance(0.15)) root.resource_id = 21;
  if (r.chance(0.15)) root.subscription_filter = { email: r.pick(EMAILS), not_strict: r.chance(0.5) };
  const n = r.int(20, 60);
  return { seed, root, stored: genStored(r), items: Array.from({ length: n }, (_, i) => genItem(r, mode, i)) };
}

// ---------------------------------------------------------------------------------------------
// Running a scenario and reading back the state.

type Outcome = { profile: number } | { error: number; debug: string };
type RawOutcome = { id: string } | { error: number; debug: string };

interface ProfileSnapshot {
  fields: unknown;
  subscriptions: unknown[];
  values: string[];
}

interface MessageSnapshot {
  profile: number;
  trigger_id: number;
  channel: string;
  resource_id: number | null;
  address: string | null;
  status: string;
  skip_reason: string | null;
  delay_ms: number;
  variant: number;
  custom_data: unknown;
  content: unknown;
}

interface Snapshot {
  outcomes: Outcome[];
  profiles: ProfileSnapshot[];
  messages: MessageSnapshot[];
}

/** JSON with object keys sorted: equal content, equal text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function snapshot(h: Harness, outcomesById: RawOutcome[]): Snapshot {
  const profiles = rows<{ seq: number; id: string; fields: string }>(
    h,
    'SELECT seq, id, fields FROM profiles WHERE db_id = 1 ORDER BY seq',
  );
  // Profile identity across the two servers: position in creation order.
  const order = new Map(profiles.map((p, i) => [p.id, i]));
  const indexOf = (id: string): number => {
    const n = order.get(id);
    if (n === undefined) throw new Error(`profile ${id} answered but not stored`);
    return n;
  };
  return {
    outcomes: outcomesById.map((o) => ('id' in o ? { profile: indexOf(o.id) } : o)),
    profiles: profiles.map((p) => ({
      fields: canonical(JSON.parse(p.fields)),
      subscriptions: rows<{
        resource_id: number;
        channel: string;
        address: string;
        status: number;
        priority: number;
        data: string;
      }>(
        h,
        'SELECT resource_id, channel, address, status, priority, data FROM subscriptions WHERE profile_seq = ? ORDER BY resource_id, channel, address',
        p.seq,
      ).map((s) => canonical({ ...s, data: JSON.parse(s.data) })),
      values: rows<{ field: string; value: string; num: number | null }>(
        h,
        'SELECT field, value, num FROM profile_values WHERE profile_seq = ? ORDER BY field, value',
        p.seq,
      ).map((v) => `${v.field}=${v.value}${v.num === null ? '' : ` (${v.num})`}`),
    })),
    messages: rows<{
      profile_id: string;
      trigger_id: number;
      channel: string;
      resource_id: number | null;
      address: string | null;
      status: string;
      skip_reason: string | null;
      due_at: number;
      created_at: number;
      variant: number;
      custom_data: string | null;
      launch_custom_data: string | null;
      content: string | null;
    }>(
      h,
      `SELECT m.profile_id, m.trigger_id, m.channel, m.resource_id, m.address, m.status, m.skip_reason, m.due_at, m.created_at, m.variant,
              m.custom_data, l.custom_data AS launch_custom_data, l.content
       FROM messages m JOIN launches l ON l.id = m.launch_id ORDER BY m.id`,
    ).map((m) => ({
      profile: indexOf(m.profile_id),
      trigger_id: m.trigger_id,
      channel: m.channel,
      resource_id: m.resource_id,
      address: m.address,
      status: m.status,
      skip_reason: m.skip_reason,
      delay_ms: m.due_at - m.created_at,
      variant: m.variant,
      // A message's hook data: its item's custom_data, else the launch's.
      custom_data: canonical(parse(m.custom_data) ?? parse(m.launch_custom_data)),
      content: canonical(parse(m.content)),
    })),
  };
}

/**
 * An item error without the path prefix that locates the item: the batch says
 * `data[3].data.phones: …`, the single call `data.phones: …`; what follows must be the same.
 */
const itemDebug = (debug: string): string => debug.replace(/^data(?:\[\d+\])?(?:\.data)?(?:\.|: )/, '');

/** No delivery loop: the messages stay as the requests scheduled them, for an exact comparison. */
const API_ONLY = { env: { HERALD_WORKERS: '0' } };

async function seedStored(h: Harness, s: Scenario): Promise<void> {
  if (s.stored.length === 0) return;
  const res = await h.post('profiles/import_batch', {
    token: TOKEN,
    db_id: 1,
    matching: 'custom',
    field_name: 'Custom_ID',
    data: s.stored,
  });
  expect(res.status, res.body).toBe(200);
  expect(res.json.errors, res.body).toBeUndefined();
  // Stored profiles are older than anything the scenario does.
  h.clock.advance(1000);
}

async function runBatch(s: Scenario): Promise<Snapshot> {
  const h = await startHarness(API_ONLY);
  try {
    await seedStored(h, s);
    const res = await h.post('campaigns/triggers/import_and_start_batch', { ...s.root, data: s.items });
    expect(res.status, res.body).toBe(200);
    expect(res.json.error).toBe(0);
    const result = res.json.result as { profile_id: string }[];
    const errors = (res.json.errors ?? []) as { index: number; error: number; error_debug: string }[];
    const failed = new Map(errors.map((e) => [e.index, { error: e.error, debug: itemDebug(e.error_debug) }]));
    expect(result.length + failed.size).toBe(s.items.length);
    let next = 0;
    const outcomes = s.items.map((_, i): RawOutcome => failed.get(i) ?? { id: result[next++].profile_id });
    return snapshot(h, outcomes);
  } finally {
    await h.close();
  }
}

async function runOneByOne(s: Scenario): Promise<Snapshot> {
  const h = await startHarness(API_ONLY);
  try {
    await seedStored(h, s);
    const outcomes: RawOutcome[] = [];
    // The requests are sent at the instant the batch is (the fake clock stands still): timestamps,
    // due times and "most recently updated" then compare exactly.
    for (const item of s.items) {
      const { data, custom_data, ...keys } = item;
      const body = { ...s.root, ...keys, ...(custom_data ? { custom_data } : {}), data };
      const res = await h.post('campaigns/triggers/import_and_start', body);
      if (res.json.error === 0) {
        expect(res.status).toBe(200);
        outcomes.push({ id: String(res.json.profile_id) });
      } else {
        expect([400, 404], res.body).toContain(res.json.error);
        outcomes.push({ error: Number(res.json.error), debug: itemDebug(String(res.json.error_debug)) });
      }
    }
    return snapshot(h, outcomes);
  } finally {
    await h.close();
  }
}

/** The first difference between the two runs, or undefined when they are equivalent. */
async function difference(s: Scenario): Promise<string | undefined> {
  const [batch, single] = [await runBatch(s), await runOneByOne(s)];
  for (const key of ['outcomes', 'profiles', 'messages'] as const) {
    const a = JSON.stringify(batch[key], null, 1);
    const b = JSON.stringify(single[key], null, 1);
    if (a !== b) return `${key} differ\n--- batch:\n${a}\n--- one by one:\n${b}`;
  }
  return undefined;
}

/** Simplifies a failing scenario while the runs still differ, for a readable counterexample. */
async function shrink(s: Scenario): Promise<Scenario> {
  let current = s;
  const deadline = Date.now() + 120_000;
  const attempt = async (candidate: Scenario): Promise<boolean> => {
    if (Date.now() > deadline || candidate.items.length === 0) return false;
    if ((await difference(candidate)) === undefined) return false;
    current = candidate;
    return true;
  };
  const withoutKey = (item: Item, key: string): Item => {
    const data = { ...item.data };
    delete data[key];
    return { ...item, data };
  };
  for (let i = current.items.length - 1; i >= 0; i--)
    await attempt({ ...current, items: current.items.filter((_, j) => j !== i) });
  for (let i = current.stored.length - 1; i >= 0; i--)
    await attempt({ ...current, stored: current.stored.filter((_, j) => j !== i) });
  for (let i = 0; i < current.items.length; i++) {
    for (const key of Object.keys(current.items[i].data)) {
      await attempt({ ...current, items: current.items.map((it, j) => (j === i ? withoutKey(it, key) : it)) });
    }
    const subs = current.items[i].data.subscriptions;
    if (Array.isArray(subs) && subs.length > 1) {
      for (let k = subs.length - 1; k >= 0; k--) {
        const list = current.items[i].data.subscriptions;
        if (!Array.isArray(list) || list.length <= k) continue;
        const fewer = list.filter((_, j) => j !== k);
        await attempt({
          ...current,
          items: current.items.map((it, j) => (j === i ? { ...it, data: { ...it.data, subscriptions: fewer } } : it)),
        });
      }
    }
  }
  for (let i = 0; i < current.stored.length; i++) {
    for (const key of Object.keys(current.stored[i].data)) {
      if (key !== 'Custom_ID')
        await attempt({ ...current, stored: current.stored.map((it, j) => (j === i ? withoutKey(it, key) : it)) });
    }
  }
  for (const key of Object.keys(current.root)) {
    if (!['token', 'trigger_id', 'matching', 'field_name'].includes(key)) {
      const root = { ...current.root };
      delete root[key];
      await attempt({ ...current, root });
    }
  }
  return current;
}

describe('import_and_start_batch is equivalent to import_and_start item by item (spec 02)', () => {
  it(`holds for ${RUNS} random batches with colliding items`, { timeout: 600_000 }, async () => {
    const stats = { items: 0, failedItems: 0, updates: 0, messages: 0 };
    for (let run = 0; run < RUNS; run++) {
      const scenario = genScenario(FIRST_SEED + run);
      const batch = await runBatch(scenario);
      const single = await runOneByOne(scenario);
      const same = JSON.stringify(batch) === JSON.stringify(single);
      if (!same) {
        const small = await shrink(scenario);
        const why = await difference(small);
        expect.fail(
          `seed ${scenario.seed}: the batch and the one-by-one runs differ.\nSmallest failing scenario:\n${JSON.stringify({ root: small.root, stored: small.stored, items: small.items })}\n${why ?? '(the shrunk scenario no longer differs; see the full one above)'}`,
        );
      }
      stats.items += scenario.items.length;
      stats.failedItems += batch.outcomes.filter((o) => 'error' in o).length;
      const seen = new Set<number>();
      for (const o of batch.outcomes) {
        if (!('profile' in o)) continue;
        if (seen.has(o.profile)) stats.updates++;
        seen.add(o.profile);
      }
      stats.messages += batch.messages.length;
    }
    // The generator must actually exercise collisions, failures and messages.
    expect(stats.updates).toBeGreaterThan(stats.items / 4);
    expect(stats.failedItems).toBeGreaterThan(0);
    expect(stats.messages).toBeGreaterThan(stats.items / 2);
  });
});

describe('equivalence in concrete cases', () => {
  it('an email moved away from a profile no longer matches it later in the batch', async () => {
    // Item 0 creates P (email ann, subscription bob); item 1 finds P by bob and sets its email
    // to bob; item 2 (ann) must create a new profile, as it would one request at a time.
    const s: Scenario = {
      seed: 0,
      root: { token: TOKEN, trigger_id: 96, matching: 'email' },
      stored: [{ data: { Custom_ID: 'c9' } }],
      items: [
        {
          data: {
            email: 'ann@example.com',
            subscriptions: [{ channel: 'email', email: 'bob@example.com', resource_id: 21 }],
          },
        },
        { data: { email: 'bob@example.com', _fname: 'Bob' } },
        { data: { email: 'ann@example.com', _fname: 'Ann' } },
      ],
    };
    const batch = await runBatch(s);
    expect(batch.outcomes).toEqual([{ profile: 1 }, { profile: 1 }, { profile: 2 }]);
    expect(batch.profiles[1].fields).toEqual({ email: 'bob@example.com', _fname: 'Bob' });
    expect(batch.profiles[1].values).toEqual(['email=bob@example.com']);
    expect(batch.profiles[2].fields).toEqual({ email: 'ann@example.com', _fname: 'Ann' });
    expect(batch.messages.map((m) => [m.profile, m.status, m.address])).toEqual([
      [1, 'scheduled', 'bob@example.com'],
      [1, 'scheduled', 'bob@example.com'],
      [2, 'skipped', null],
    ]);
    expect(await runOneByOne(s)).toEqual(batch);
  });

  it('functional updates of one profile accumulate across items, as one by one', async () => {
    const s: Scenario = {
      seed: 0,
      root: { token: TOKEN, trigger_id: 85, matching: 'custom', field_name: 'Custom_ID' },
      stored: [{ data: { Custom_ID: 'c1', CRM_ID: 10, interests: ['red'] } }],
      items: [
        {
          data: { CRM_ID: { action: 'incr', value: 2 }, interests: { action: 'add', value: ['green'] } },
          field_value: 'c1',
        },
        {
          data: {
            Custom_ID: 'c1',
            CRM_ID: { action: 'incr', value: -5 },
            interests: { action: 'add', value: ['red', 'blue'] },
          },
        },
        { data: { interests: { action: 'delete', value: 'red' } }, field_value: 'c1' },
      ],
    };
    const batch = await runBatch(s);
    expect(batch.outcomes).toEqual([{ profile: 0 }, { profile: 0 }, { profile: 0 }]);
    expect(batch.profiles).toHaveLength(1);
    expect(batch.profiles[0].fields).toEqual({ CRM_ID: 7, Custom_ID: 'c1', interests: ['green', 'blue'] });
    expect(batch.profiles[0].values).toEqual(['CRM_ID=7 (7)', 'Custom_ID=c1', 'interests=blue', 'interests=green']);
    expect(await runOneByOne(s)).toEqual(batch);
  });
});
