// Issue 7, "Bad input": a property-based fuzzer (fast-check) over whole JSON and XML bodies of
// import_and_start_batch, import_and_start, profiles/import_batch, start_batch and the management
// methods, and over random profile items. Properties, on every request:
//   - never a 500 (nor a 503), and the server keeps answering;
//   - the envelope is well-formed (also as XML) and every 400 names a parameter path or the body
//     problem, with no internals;
//   - a request answered 4xx as a whole wrote nothing (storage compared before/after);
//   - an item reported in `errors` left no trace (no profile, value row, subscription, message or
//     event carries its marker), and every successful item is fully there (its fields, its
//     subscriptions, its scheduled message).
// Hostile bodies (prototype keys, deep nesting, invalid UTF-8, NUL, surrogates, DOCTYPE/entity
// bombs, truncation), huge strings and arrays (within 10 MB), malformed data URIs, attachment
// names with paths and CR/LF, and header injection through template values (real delivery to an
// SMTP sink) have their own properties; so do the classes of docs/LIMITS.md: long values in every
// string, tags and subscription field, names every object answers to (toString, …) in every
// object-valued parameter, numbers beyond a double, and custom_request size and depth (answers
// compared with the query evaluated in the test).
//
// Runs are seeded: the seed is printed; HERALD_FUZZ_SEED=<seed> reproduces a run (the properties
// use seed, seed+1, …), HERALD_FUZZ_SCALE=<n> multiplies the number of runs, HERALD_FUZZ_SHRINK=1
// shrinks a counterexample (off by default: every shrink step is a request to a stateful server).
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXmlBody } from '../../src/http/codecs/xml.js';
import { methods } from '../../src/core/methods.js';
import { FIXTURE, LEAK, WRITE_TOKEN } from '../helpers/api.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { startHarness, TEST_STORE, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import {
  anyJson,
  anyKey,
  anyString,
  attachName,
  buildItem,
  compact,
  DOCTYPES,
  INVALID_UTF8,
  itemShape,
  jsonText,
  prng,
  rare,
  rootShape,
  xmlSafe,
  xmlText,
  type GoodSub,
  type ItemModel,
  type ItemShape,
  type Json,
  type JsonObject,
  type PoolProfile,
  type RootShape,
  longShape,
  longText,
  LONG_TARGETS,
  numberShape,
  PROTO_NAMES,
  protoShape,
  queryShape,
  type Cond,
} from './fuzz-gen.js';
import { indexKey } from '../../src/core/values/index-key.js';

const SEED =
  process.env.HERALD_FUZZ_SEED !== undefined
    ? Number(process.env.HERALD_FUZZ_SEED)
    : Math.floor(Math.random() * 2 ** 31);
const SCALE = Number(process.env.HERALD_FUZZ_SCALE ?? 1);
const SHRINK = process.env.HERALD_FUZZ_SHRINK === '1';
console.log(`fuzz: seed ${SEED} on ${TEST_STORE} (HERALD_FUZZ_SEED=${SEED} reproduces this run)`);

/** Runs of every property and what they got, for the report at the end. */
const tally: Record<string, number> = {};
const count = (key: string, by = 1): void => {
  tally[key] = (tally[key] ?? 0) + by;
};
/** 400s that name a parameter only inside the sentence (not as a leading path), for review. */
const looselyNamed = new Set<string>();

/** Time allowed to one property (PostgreSQL is several times slower than SQLite here). */
const LIMIT = 120_000 * Math.max(1, SCALE);

function params(offset: number, runs: number) {
  return { seed: SEED + offset, numRuns: Math.max(1, Math.round(runs * SCALE)), endOnFailure: !SHRINK };
}

const BATCH = 'campaigns/triggers/import_and_start_batch';
const SINGLE = 'campaigns/triggers/import_and_start';
const IMPORT_BATCH = 'profiles/import_batch';
const START_BATCH = 'campaigns/triggers/start_batch';

let markerSeq = 0;
/** A marker no other item carries ("q12q" is never inside "q112q"). */
const newMarker = (): string => `q${++markerSeq}q`;

afterAll(() => {
  console.log(`fuzz: seed ${SEED}, answers ${JSON.stringify(tally, null, 1)}`);
  if (looselyNamed.size > 0)
    console.log(`fuzz: 400s that name the parameter inside the sentence:\n  ${[...looselyNamed].sort().join('\n  ')}`);
});

// ---------------------------------------------------------------------------------------------
// Sending and reading answers.

interface Sent {
  status: number;
  body: string;
  headers: Record<string, unknown>;
  ms: number;
}

async function send(
  h: Harness,
  method: string,
  payload: string | Buffer,
  opts: { contentType?: string; query?: string; headers?: Record<string, string> } = {},
): Promise<Sent> {
  const started = performance.now();
  const res = await h.app.inject({
    method: 'POST',
    url: `/api/v1.1/${method}${opts.query ? `?${opts.query}` : ''}`,
    payload,
    headers: { ...(opts.contentType !== undefined ? { 'content-type': opts.contentType } : {}), ...opts.headers },
  });
  return { status: res.statusCode, body: res.body, headers: res.headers, ms: performance.now() - started };
}

interface ItemErr {
  index: number;
  error: number;
  error_text: string;
  error_debug: string;
}

interface Outcome {
  status: number;
  error: number;
  debug: string | undefined;
  result: string[];
  errors: ItemErr[];
  profileId: string | undefined;
  envelope: Record<string, unknown>;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === '' || v === null ? [] : [v]);

/** The envelope of an answer, JSON or XML (parsed strictly: an answer must be well-formed). */
function outcome(res: Sent): Outcome {
  const xml = String(res.headers['content-type'] ?? '').includes('xml');
  let env: Record<string, unknown>;
  try {
    env = xml ? parseXmlBody(Buffer.from(res.body, 'utf8')) : (JSON.parse(res.body) as Record<string, unknown>);
  } catch (err) {
    throw new Error(
      `the answer is not well-formed ${xml ? 'XML' : 'JSON'} (${(err as Error).message}): ${JSON.stringify(res.body.slice(0, 300))}`,
    );
  }
  const result = list(env.result).map((r) => String((r as { profile_id?: unknown }).profile_id));
  const errors = list(env.errors).map((e) => {
    const o = e as Record<string, unknown>;
    return {
      index: Number(o.index),
      error: Number(o.error),
      error_text: String(o.error_text),
      error_debug: String(o.error_debug),
    };
  });
  return {
    status: res.status,
    error: Number(env.error),
    debug: env.error_debug === undefined ? undefined : String(env.error_debug),
    result,
    errors,
    profileId: env.profile_id === undefined ? undefined : String(env.profile_id),
    envelope: env,
  };
}

const BODY_PROBLEM =
  /^(invalid JSON: .+|invalid XML: .+|the body .+|http: request body too large|\S+: the key is not allowed)$/s;

/** Parameter names of a method (its schema), for "error_debug names a parameter". */
function paramNames(method: string): Set<string> {
  const schema = methods.get(method)?.params.json() as { properties?: Record<string, unknown> } | undefined;
  return new Set([
    'token',
    'id',
    'db_id',
    'list_id',
    'trigger_id',
    'resource_id',
    'template_id',
    ...Object.keys(schema?.properties ?? {}),
  ]);
}

/** A 400's error_debug names a parameter (path) of the request or the body problem. */
function expectNamesProblem(debug: string, method: string, body: JsonObject | undefined): void {
  if (BODY_PROBLEM.test(debug)) return;
  const names = paramNames(method);
  for (const k of Object.keys(body ?? {})) names.add(k);
  const m = /^([A-Za-z_$][\w$]*)(?:\[\d+\]|\.[^\s:]+)*(?::| )/.exec(debug);
  if (m && names.has(m[1])) return;
  if (/^(trigger|database|resource|template|task) \d+ /.test(debug)) return;
  // A rule between objects ("an active trigger needs resource 21 to have a push channel") names the object.
  if (/\b(trigger|database|resource|template) \d+\b/.test(debug)) {
    looselyNamed.add(`${method}: ${debug}`);
    return;
  }
  // "incorrect phone "x" for matching phone": the parameter is named inside the sentence.
  const words = new Set(debug.replace(/"(?:[^"\\]|\\.)*"/g, '').split(/[^\w$]+/));
  if ([...names].some((k) => words.has(k))) {
    looselyNamed.add(`${method}: ${debug.replace(/"(?:[^"\\]|\\.)*"/g, '"…"')}`);
    return;
  }
  throw new Error(`${method}: error_debug names neither a parameter nor the body problem: ${JSON.stringify(debug)}`);
}

/** Checks every answer must pass, whatever the request. */
function expectSaneAnswer(res: Sent, method: string, body: JsonObject | undefined): Outcome {
  expect(res.status, `${method} answered ${res.status}: ${res.body.slice(0, 500)}`).not.toBe(500);
  expect([200, 400, 401, 403, 404], `${method} answered ${res.status}: ${res.body.slice(0, 500)}`).toContain(
    res.status,
  );
  expect(res.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
  const out = outcome(res);
  expect(out.error).toBe(res.status === 200 ? 0 : res.status);
  if (res.status !== 200) {
    expect(typeof out.debug === 'string' && out.debug !== '', `no error_debug in ${res.body.slice(0, 300)}`).toBe(true);
    // Values a client sent may be echoed (quoted); anything else must not look like internals.
    expect((out.debug ?? '').replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""')).not.toMatch(LEAK);
    if (res.status === 400) expectNamesProblem(out.debug ?? '', method, body);
  }
  for (const e of out.errors) {
    expect([400, 404]).toContain(e.error);
    expect(e.error_debug.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""')).not.toMatch(LEAK);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Storage before/after. On PostgreSQL the checks read through a client of their own (the harness's
// psql path costs a process per query); numbers come back as numbers on both stores.

interface Db {
  q<T>(sql: string, params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const dbs = new WeakMap<Harness, Db>();

async function openDb(h: Harness): Promise<Db> {
  if (TEST_STORE === 'sqlite')
    return { q: async <T>(sql: string, p: unknown[]) => h.sql<T>(sql, ...p), close: async () => {} };
  const schema = readFileSync(join(h.dir, 'pg-schema'), 'utf8');
  const { default: pg } = await import('pg');
  const numeric = new Set([20, 1700]);
  const client = new pg.Client({
    connectionString: process.env.HERALD_TEST_POSTGRES_URL,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        numeric.has(oid) ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  await client.connect();
  await client.query(`SET search_path TO ${schema}`);
  return {
    async q<T>(sql: string, p: unknown[]) {
      let n = 0;
      return (
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          p,
        )
      ).rows as T[];
    },
    close: () => client.end(),
  };
}

async function startFuzzHarness(opts: Parameters<typeof startHarness>[0]): Promise<Harness> {
  const h = await startHarness(opts);
  dbs.set(h, await openDb(h));
  return h;
}

async function closeFuzzHarness(h: Harness): Promise<void> {
  await dbs.get(h)?.close();
  await h.close();
}

function q<T>(h: Harness, sql: string, ...p: unknown[]): Promise<T[]> {
  const db = dbs.get(h);
  if (!db) throw new Error('no storage client for this harness');
  return db.q<T>(sql, p);
}

interface State {
  profiles: number;
  touched: number;
  values_n: number;
  values_sum: number;
  subs: number;
  subs_touched: number;
  msg_max: number;
  msgs: number;
  launches: number;
  attachments: number;
  events: number;
  ev_max: number;
  config: number;
  tasks: number;
}

/** One statement (one psql call on PostgreSQL): counts, and the rows touched at `now`. */
async function state(h: Harness, now: number): Promise<State> {
  return (
    await q<State>(
      h,
      `SELECT (SELECT count(*) FROM profiles) AS profiles,
            (SELECT count(*) FROM profiles WHERE updated_at >= ?) AS touched,
            (SELECT count(*) FROM profile_values) AS values_n,
            (SELECT coalesce(sum(profile_seq + length(value)), 0) FROM profile_values) AS values_sum,
            (SELECT count(*) FROM subscriptions) AS subs,
            (SELECT count(*) FROM subscriptions WHERE updated_at >= ?) AS subs_touched,
            (SELECT coalesce(max(id), 0) FROM messages) AS msg_max,
            (SELECT count(*) FROM messages) AS msgs,
            (SELECT count(*) FROM launches) AS launches,
            (SELECT count(*) FROM attachments) AS attachments,
            (SELECT count(*) FROM events) AS events,
            (SELECT coalesce(max(id), 0) FROM events) AS ev_max,
            (SELECT coalesce(sum(config_version), 0) FROM accounts) AS config,
            (SELECT count(*) FROM tasks) AS tasks`,
      now,
      now,
    )
  )[0];
}

/** Rows anywhere in the profile and delivery tables that carry `trace`. */
async function traceCount(h: Harness, trace: string): Promise<number> {
  const like = `%${trace}%`;
  return (
    await q<{ n: number }>(
      h,
      `SELECT (SELECT count(*) FROM profile_values WHERE value LIKE ?)
          + (SELECT count(*) FROM subscriptions WHERE address LIKE ? OR CAST(data AS TEXT) LIKE ?)
          + (SELECT count(*) FROM profiles WHERE CAST(fields AS TEXT) LIKE ?)
          + (SELECT count(*) FROM messages WHERE address LIKE ? OR CAST(custom_data AS TEXT) LIKE ?)
          + (SELECT count(*) FROM events WHERE CAST(payload AS TEXT) LIKE ?) AS n`,
      like,
      like,
      like,
      like,
      like,
      like,
      like,
    )
  )[0].n;
}

// ---------------------------------------------------------------------------------------------
// Requests built from shapes.

interface Case {
  method: string;
  /** The body as the server will see it (after the XML mapping). */
  body: JsonObject;
  /** The items' models, in data order (undefined when `data` is not a list of generated items). */
  items: ItemModel[] | undefined;
  /** The trigger launched (import_and_start*, start_batch) when valid. */
  launches: boolean;
  /** Database the items go to, when it is database 1 (good fields and subscriptions are checked there). */
  db1: boolean;
  payload: string | Buffer;
  contentType: string | undefined;
  query: string | undefined;
  headers: Record<string, string>;
  /** What a hostile body must get. */
  expect?: { status: number | number[]; debug?: RegExp };
  /** Many items: check the first ones in detail, the rest in aggregate. */
  light?: boolean;
}

interface Wire {
  xml: boolean;
  seed: number;
  escapeRate: number;
  tokenAt: 'body' | 'bearer' | 'query';
  contentType: 'proper' | 'sniff' | 'none';
  jsonAnswer: boolean;
}

const wire = (xmlWeight: number): fc.Arbitrary<Wire> =>
  fc.record({
    xml: fc.oneof(
      { weight: 10 - xmlWeight, arbitrary: fc.constant(false) },
      { weight: xmlWeight, arbitrary: fc.constant(true) },
    ),
    seed: fc.nat(),
    escapeRate: fc.oneof(
      { weight: 4, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constantFrom(0.05, 0.3, 1) },
    ),
    tokenAt: fc.oneof(
      { weight: 6, arbitrary: fc.constant<'body'>('body') },
      { weight: 1, arbitrary: fc.constantFrom<'bearer' | 'query'>('bearer', 'query') },
    ),
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant<'proper'>('proper') },
      { weight: 1, arbitrary: fc.constantFrom<'sniff' | 'none'>('sniff', 'none') },
    ),
    jsonAnswer: fc.boolean(),
  });

/** Puts a body on the wire: JSON (random \u escapes) or XML, with the token where `w` says. */
function encode(
  method: string,
  body: JsonObject,
  w: Wire,
  flatItems?: boolean[],
): Omit<Case, 'items' | 'launches' | 'db1'> {
  const headers: Record<string, string> = {};
  const queryParts: string[] = [];
  let sent: JsonObject = { ...body };
  if (w.tokenAt !== 'body') {
    delete sent.token;
    if (w.tokenAt === 'bearer') headers.authorization = `Bearer ${WRITE_TOKEN}`;
    else queryParts.push(`token=${WRITE_TOKEN}`);
  }
  let payload: string;
  let contentType: string | undefined;
  if (w.xml) {
    sent = xmlSafe(sent) as JsonObject;
    payload = xmlText(sent, w.seed, { ...(flatItems ? { flatItems } : {}) });
    contentType =
      w.contentType === 'proper'
        ? w.seed % 2
          ? 'application/xml'
          : 'text/xml; charset=utf-8'
        : w.contentType === 'sniff'
          ? 'text/plain'
          : undefined;
    if (w.jsonAnswer) queryParts.push('format=json');
  } else {
    payload = jsonText(sent, w.seed, w.escapeRate);
    contentType =
      w.contentType === 'proper'
        ? 'application/json'
        : w.contentType === 'sniff'
          ? 'application/x-www-form-urlencoded'
          : undefined;
  }
  return {
    method,
    body: sent,
    payload,
    contentType,
    query: queryParts.length ? queryParts.join('&') : undefined,
    headers,
  };
}

/** Stored profiles from earlier runs, for start_batch and matching by profile_id. */
const pool: PoolProfile[] = [];

function rootParams(method: string, r: RootShape): JsonObject {
  const base: JsonObject = { token: WRITE_TOKEN };
  if (method === IMPORT_BATCH) base.db_id = r.db;
  else base.trigger_id = r.trigger;
  Object.assign(base, r.matching);
  if (method !== START_BATCH) Object.assign(base, compact(r.flags));
  Object.assign(base, compact(method === IMPORT_BATCH ? { custom_data: r.extras.custom_data } : r.extras));
  if (r.format !== undefined) base.format = r.format;
  return base;
}

function importCase(method: string, r: RootShape, shapes: ItemShape[], w: Wire): Case {
  const body = rootParams(method, r);
  // In XML an array is repeated elements: a junk item that is an array would become several items.
  const fixed = w.xml
    ? shapes.map((s) => (Array.isArray(s.junk) ? { ...s, junk: JSON.stringify(s.junk) } : s))
    : shapes;
  const built = fixed.map((s) => buildItem(s, newMarker(), pool));
  // The fields directly under <data> only when none is itself called "data" (that would make <data> a wrapper).
  const flat = shapes.map(
    (s, i) =>
      s.xmlFlat && s.keys.length === 0 && s.customData === 'none' && s.junk === undefined && !('data' in built[i].data),
  );
  if (method === SINGLE) body.data = built[0].data;
  else body.data = r.badData !== undefined ? r.badData : built.map((b) => b.item);
  const enc = encode(method, body, w, method === SINGLE ? undefined : flat);
  const db1 = method === IMPORT_BATCH ? r.db === 1 || r.db === '1' : true;
  return {
    ...enc,
    items: r.badData !== undefined && method !== SINGLE ? undefined : built.map((b) => b.model),
    launches: method !== IMPORT_BATCH,
    db1,
  };
}

interface StartItemShape {
  by: 'email' | 'profile_id' | 'random';
  pick: number;
  junk: Json;
  withCustomData: boolean;
}

const startItemShape: fc.Arbitrary<StartItemShape> = fc.record({
  by: fc.constantFrom<'email' | 'profile_id' | 'random'>('email', 'email', 'profile_id', 'random'),
  pick: fc.nat(),
  junk: anyJson,
  withCustomData: fc.boolean(),
});

function startCase(r: RootShape, shapes: StartItemShape[], w: Wire): Case {
  const body = rootParams(START_BATCH, r);
  const models: ItemModel[] = [];
  const items = shapes.map((s) => {
    const marker = newMarker();
    models.push({ marker, traces: [marker], goodFields: {}, goodSubs: [] });
    const p = pool.length > 0 ? pool[s.pick % pool.length] : undefined;
    const item: JsonObject = {};
    if (s.by === 'email') item.email = p ? p.email : `${marker}@example.com`;
    else if (s.by === 'profile_id') item.profile_id = p ? p.id : 'ffffffffffffffffffffffff';
    else item.email = s.junk;
    if (s.withCustomData) item.custom_data = { m: marker };
    return item;
  });
  body.data = r.badData !== undefined ? r.badData : items;
  return {
    ...encode(START_BATCH, body, w),
    items: r.badData !== undefined ? undefined : models,
    launches: true,
    db1: true,
  };
}

// ---------------------------------------------------------------------------------------------
// The per-request checks.

async function run(h: Harness, c: Case): Promise<Outcome> {
  h.clock.advance(1);
  const now = h.clock.now();
  const before = await state(h, now);
  const res = await send(h, c.method, c.payload, {
    ...(c.contentType !== undefined ? { contentType: c.contentType } : {}),
    ...(c.query ? { query: c.query } : {}),
    headers: c.headers,
  });
  const out = expectSaneAnswer(res, c.method, c.body);
  if (c.expect) {
    expect([c.expect.status].flat(), `${c.method} answered ${res.status}: ${res.body.slice(0, 300)}`).toContain(
      out.status,
    );
    if (c.expect.debug) expect(out.debug).toMatch(c.expect.debug);
  }
  count(`${c.method} ${out.status}`);
  count('items applied', out.result.length + (out.profileId ? 1 : 0));
  for (const e of out.errors) count(`items failed ${e.error}`);
  const after = await state(h, now);
  if (out.status !== 200) {
    expect(after, `${c.method} answered ${out.status} (${out.debug}) but wrote`).toEqual(before);
    return out;
  }
  await checkItems(h, c, out, before, after, now);
  return out;
}

async function checkItems(h: Harness, c: Case, out: Outcome, before: State, after: State, now: number): Promise<void> {
  const models = c.items ?? [];
  const n = c.items?.length ?? out.result.length + out.errors.length;
  const ids: (string | undefined)[] = new Array<string | undefined>(n);
  if (c.method === SINGLE) {
    expect(out.profileId).toMatch(/^[0-9a-f]{24}$/);
    ids[0] = out.profileId;
  } else {
    expect(
      out.result.length + out.errors.length,
      `result and errors cover every item: ${JSON.stringify(out.envelope).slice(0, 500)}`,
    ).toBe(n);
    const failed = new Set<number>();
    let last = -1;
    for (const e of out.errors) {
      expect(e.index).toBeGreaterThan(last);
      expect(e.index).toBeLessThan(n);
      last = e.index;
      failed.add(e.index);
      // An item's error names the item (and the path inside it).
      expect(e.error_debug).toMatch(new RegExp(`^data\\[${e.index}\\](?:[.:\\[ ]|$)`));
    }
    let r = 0;
    for (let i = 0; i < n; i++) if (!failed.has(i)) ids[i] = out.result[r++];
  }
  const applied = new Set(ids.filter((id): id is string => id !== undefined));

  if (c.method === START_BATCH) {
    // Launching never writes profiles.
    const profileRows = (s: State) => [s.profiles, s.touched, s.values_n, s.values_sum, s.subs, s.subs_touched];
    expect(profileRows(after)).toEqual(profileRows(before));
  } else {
    // The profiles written are exactly those of the successful items.
    const touched = (await q<{ id: string }>(h, 'SELECT id FROM profiles WHERE updated_at >= ?', now)).map((r) => r.id);
    expect(new Set(touched)).toEqual(applied);
    expect(after.profiles - before.profiles).toBeLessThanOrEqual(applied.size);
    const owners = await q<{ id: string }>(
      h,
      'SELECT DISTINCT p.id FROM subscriptions s JOIN profiles p ON p.seq = s.profile_seq WHERE s.updated_at >= ?',
      now,
    );
    for (const o of owners) expect(applied.has(o.id)).toBe(true);
  }
  const messages = await q<{ profile_id: string; trigger_id: number }>(
    h,
    'SELECT profile_id, trigger_id FROM messages WHERE id > ?',
    before.msg_max,
  );
  for (const m of messages)
    expect(applied.has(m.profile_id), `a message for ${m.profile_id}, which no successful item names`).toBe(true);
  for (const e of await q<{ profile_id: string | null }>(
    h,
    'SELECT profile_id FROM events WHERE id > ?',
    before.ev_max,
  )) {
    if (e.profile_id !== null) expect(applied.has(e.profile_id)).toBe(true);
  }
  if (c.launches) {
    const launched = new Map<string, number>();
    for (const m of messages) launched.set(m.profile_id, (launched.get(m.profile_id) ?? 0) + 1);
    const wanted = new Map<string, number>();
    for (const id of ids) if (id !== undefined) wanted.set(id, (wanted.get(id) ?? 0) + 1);
    for (const [id, k] of wanted)
      expect(launched.get(id) ?? 0, `messages scheduled for ${id}`).toBeGreaterThanOrEqual(k);
  }

  // A failed item left no trace; a successful one is fully there.
  const lastOf = new Map<string, number>();
  ids.forEach((id, i) => id !== undefined && lastOf.set(id, i));
  for (let i = 0; i < (c.light ? Math.min(models.length, 10) : models.length); i++) {
    const model = models[i];
    const id = ids[i];
    if (id === undefined) {
      for (const t of model.traces)
        expect(
          await traceCount(h, t),
          `item ${i} failed (${out.errors.find((e) => e.index === i)?.error_debug}) but "${t}" is stored`,
        ).toBe(0);
      continue;
    }
    if (!c.db1) continue;
    if (lastOf.get(id) === i && Object.keys(model.goodFields).length > 0) {
      const [row] = await q<{ fields: string }>(
        h,
        'SELECT CAST(fields AS TEXT) AS fields FROM profiles WHERE id = ?',
        id,
      );
      const fields = JSON.parse(row.fields) as Record<string, unknown>;
      for (const [k, v] of Object.entries(model.goodFields)) expect(fields[k], `item ${i}: field ${k}`).toBe(v);
    }
    for (const address of model.goodSubs) {
      const [{ n: subs }] = await q<{ n: number }>(
        h,
        'SELECT count(*) AS n FROM subscriptions s JOIN profiles p ON p.seq = s.profile_seq WHERE p.id = ? AND s.address = ?',
        id,
        address,
      );
      expect(subs, `item ${i}: subscription ${address}`).toBe(1);
    }
    if (model.goodFields.email && pool.length < 300) pool.push({ id, email: model.goodFields.email });
  }
}

// ---------------------------------------------------------------------------------------------

describe('fuzz: import and launch methods', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startFuzzHarness({ provision: FIXTURE });
  });
  afterAll(async () => {
    // The server still answers after everything it was sent.
    const alive = await send(
      h,
      'profiles/get',
      JSON.stringify({ token: WRITE_TOKEN, db_id: 1, email: 'nobody@example.com' }),
      { contentType: 'application/json' },
    );
    expect(alive.status).toBe(404);
    await closeFuzzHarness(h);
  });

  const items = (max: number) => fc.array(itemShape, { minLength: 1, maxLength: max });

  it(
    'import_and_start_batch: random bodies and items, JSON and XML',
    async () => {
      await fc.assert(
        fc.asyncProperty(rootShape, items(6), wire(4), async (r, shapes, w) => {
          await run(h, importCase(BATCH, r, shapes, w));
        }),
        params(0, 160),
      );
    },
    LIMIT,
  );

  it(
    'import_and_start: one random profile, JSON and XML',
    async () => {
      await fc.assert(
        fc.asyncProperty(rootShape, itemShape, wire(4), async (r, shape, w) => {
          await run(h, importCase(SINGLE, r, [shape], w));
        }),
        params(1, 60),
      );
    },
    LIMIT,
  );

  it(
    'profiles/import_batch: random bodies and items, JSON and XML',
    async () => {
      await fc.assert(
        fc.asyncProperty(rootShape, items(5), wire(4), async (r, shapes, w) => {
          await run(h, importCase(IMPORT_BATCH, r, shapes, w));
        }),
        params(2, 60),
      );
    },
    LIMIT,
  );

  it(
    'XML answers stay well-formed whatever the data holds (odd keys, control characters)',
    async () => {
      const odd = fc.oneof(
        anyKey,
        fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 6 }),
        fc.constantFrom('x y', '1a', 'a:b', '-', 'é', '\u0001', 'a\u000bb', '\ufffe', 'xml', '<', '&'),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(odd, anyJson, { maxKeys: 4 }),
          fc.array(odd, { maxLength: 2 }),
          anyString,
          async (attrs, unknownFields, text) => {
            const marker = newMarker();
            const email = `${marker}@example.com`;
            const data: JsonObject = { email, _fname: text.replace(/\u0000/g, ''), attrs };
            const items: Json[] = [
              { data },
              ...unknownFields.map((f): Json => ({ data: { email: `u${marker}@example.com`, [f]: 1 } })),
            ];
            const res = await send(
              h,
              BATCH,
              jsonText({ token: WRITE_TOKEN, trigger_id: 96, format: 'xml', data: items }, 0, 0),
              { contentType: 'application/json' },
            );
            const out = expectSaneAnswer(res, BATCH, undefined);
            count('xml answers');
            if (out.status !== 200 || out.result.length === 0) return;
            const get = await send(
              h,
              'profiles/get',
              JSON.stringify({
                token: WRITE_TOKEN,
                db_id: 1,
                matching: 'profile_id',
                profile_id: out.result[0],
                format: 'xml',
              }),
              { contentType: 'application/json' },
            );
            const profile = expectSaneAnswer(get, 'profiles/get', undefined);
            expect(profile.status).toBe(200);
            expect((profile.envelope.data as Record<string, unknown>).id).toBe(out.result[0]);
          },
        ),
        params(6, 60),
      );
    },
    LIMIT,
  );

  it(
    'start_batch: stored, missing and junk profiles',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          rootShape,
          fc.array(startItemShape, { minLength: 1, maxLength: 6 }),
          wire(3),
          async (r, shapes, w) => {
            await run(h, startCase(r, shapes, w));
          },
        ),
        params(3, 50),
      );
      expect(pool.length).toBeGreaterThan(0);
    },
    LIMIT,
  );
});

// ---------------------------------------------------------------------------------------------
// Hostile bodies: an attack applied to an otherwise valid request must get its exact answer (and
// a refused request writes nothing; an accepted one is checked like any other).

type ProtoKey = '__proto__' | 'constructor' | 'prototype';
type Attack =
  | { kind: 'protoKey'; key: ProtoKey; at: number; escapeRate: number; seed: number }
  | { kind: 'deep'; depth: number; object: boolean }
  | { kind: 'badUtf8'; seq: number; at: number }
  | { kind: 'nul'; raw: boolean }
  | { kind: 'surrogate'; pick: { text: string; lone: boolean }; inKey: boolean }
  | { kind: 'doctype'; which: number; prolog: boolean }
  | { kind: 'entity'; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'notObject'; text: string }
  | { kind: 'bom' }
  | { kind: 'xmlShape'; what: 'dupScalar' | 'mixed' | 'root' | 'unclosed' | 'attrs' };

const attackArb: fc.Arbitrary<Attack> = fc.oneof(
  fc.record({
    kind: fc.constant('protoKey' as const),
    key: fc.constantFrom<ProtoKey>('__proto__', 'constructor', 'prototype'),
    at: fc.nat(),
    escapeRate: fc.constantFrom(0, 0, 0.3, 1),
    seed: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('deep' as const),
    depth: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 70, max: 100_000 })),
    object: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('badUtf8' as const), seq: fc.nat(INVALID_UTF8.length - 1), at: fc.nat() }),
  fc.record({ kind: fc.constant('nul' as const), raw: fc.boolean() }),
  fc.record({
    kind: fc.constant('surrogate' as const),
    // JSON text of a string: lone surrogates (refused), pairs spelled as escapes (accepted).
    pick: fc.constantFrom(
      { text: 'a\\ud800b', lone: true },
      { text: '\\udc00', lone: true },
      { text: 'x\\uDBFF', lone: true },
      { text: '\\udc00\\ud800', lone: true },
      { text: '\\ud83e\\udd94', lone: false },
      { text: 'a\\uD83D\\uDE00b', lone: false },
    ),
    inKey: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('doctype' as const), which: fc.nat(DOCTYPES.length - 1), prolog: fc.boolean() }),
  fc.record({
    kind: fc.constant('entity' as const),
    text: fc.constantFrom(
      '&#65;&#x42;C',
      '&lt;b&gt;&amp;',
      '&#x1F994;',
      '&nope;',
      '&#0;',
      '&#xFFFE;',
      '&#xD800;',
      '&amp',
      '&#x110000;',
    ),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }) }),
  fc.record({
    kind: fc.constant('notObject' as const),
    text: fc.constantFrom('[1]', '"token"', '5', 'null', 'true', '[]', '  ', '{}{}', '{"token":"x"}]'),
  }),
  fc.record({ kind: fc.constant('bom' as const) }),
  fc.record({
    kind: fc.constant('xmlShape' as const),
    what: fc.constantFrom<'dupScalar' | 'mixed' | 'root' | 'unclosed' | 'attrs'>(
      'dupScalar',
      'mixed',
      'root',
      'unclosed',
      'attrs',
    ),
  }),
);

const KEY_SLOT = 'FUZZKEYSLOT';
const STR_SLOT = 'FUZZSTRSLOT';
const DEEP_SLOT = 'FUZZDEEPSLOT';

type Seg = string | number;
const pathText = (segs: Seg[]): string =>
  segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

/** Sets `key` to `value` in the object at `path`, making the containers on the way. */
function placeAt(root: JsonObject, path: Seg[], key: string, value: Json): void {
  let node: Json = root;
  path.forEach((seg, i) => {
    const wantsArray = typeof path[i + 1] === 'number';
    const fresh = (): Json => (wantsArray ? [] : {});
    if (typeof seg === 'number') {
      const arr = node as Json[];
      while (arr.length <= seg) arr.push({});
      if (typeof arr[seg] !== 'object' || arr[seg] === null) arr[seg] = fresh();
      node = arr[seg];
    } else {
      const obj = node as JsonObject;
      const cur = obj[seg];
      if (typeof cur !== 'object' || cur === null || Array.isArray(cur) !== wantsArray) obj[seg] = fresh();
      node = obj[seg];
    }
  });
  (node as JsonObject)[key] = value;
}

function escapeKey(key: string, rate: number, seed: number): string {
  const rnd = prng(seed);
  return [...key].map((ch) => (rnd() < rate ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch)).join('');
}

interface HostileShape {
  method: string;
  n: number;
  subs: GoodSub[];
  xml: boolean;
  attack: Attack;
}

/** Where a prototype key may hide, per method. */
const PROTO_PLACES: Record<string, Seg[][]> = {
  [BATCH]: [
    [],
    ['data', 0],
    ['data', 0, 'data'],
    ['data', 0, 'data', 'attrs'],
    ['data', 0, 'data', 'subscriptions', 0],
    ['data', 0, 'custom_data'],
    ['content', 'a'],
    ['attach', 0],
  ],
  [SINGLE]: [[], ['data'], ['data', 'attrs'], ['data', 'subscriptions', 0], ['custom_data', 'x', 'y']],
  [IMPORT_BATCH]: [[], ['data', 0, 'data'], ['data', 0, 'data', 'orders', 0], ['custom_data']],
  [START_BATCH]: [[], ['data', 0], ['data', 0, 'custom_data'], ['content']],
};

function hostileCase(x: HostileShape): Case {
  const { method, attack } = x;
  const xml =
    attack.kind === 'doctype' || attack.kind === 'entity' || attack.kind === 'xmlShape'
      ? true
      : attack.kind === 'surrogate' || attack.kind === 'notObject'
        ? false
        : x.xml;
  const models: ItemModel[] = [];
  const body: JsonObject = { token: WRITE_TOKEN, ...(method === IMPORT_BATCH ? { db_id: 1 } : { trigger_id: 96 }) };
  const shape = (i: number): ItemShape => ({
    junk: undefined,
    withEmail: true,
    withName: false,
    withCustomId: true,
    fields: [],
    goodSubs: i === 0 ? x.subs.map((kind) => ({ kind, status: undefined, priority: undefined })) : [],
    randomSubs: [],
    keys: [],
    customData: method === SINGLE ? 'none' : 'marker',
    customDataJunk: null,
    profileRef: undefined,
    profileRefAsKey: false,
    xmlFlat: false,
  });
  let slot: Seg[];
  if (method === START_BATCH) {
    body.data = Array.from({ length: x.n }, (_, i) => {
      const marker = newMarker();
      models.push({ marker, traces: [marker], goodFields: {}, goodSubs: [] });
      return {
        email: pool.length > 0 && i % 2 === 0 ? pool[(markerSeq * 7) % pool.length].email : `${marker}@example.com`,
        custom_data: { m: i === 0 ? STR_SLOT : marker },
      };
    });
    slot = ['data', 0, 'custom_data', 'm'];
  } else {
    const built = Array.from({ length: method === SINGLE ? 1 : x.n }, (_, i) => buildItem(shape(i), newMarker(), pool));
    models.push(...built.map((b) => b.model));
    built[0].data._fname = STR_SLOT;
    body.data = method === SINGLE ? built[0].data : built.map((b) => b.item);
    slot = method === SINGLE ? ['data', '_fname'] : ['data', 0, 'data', '_fname'];
  }
  const slotModel = models[0];
  /** The slot's value: as JSON string content and as XML text, and what it stores (undefined: refused). */
  let slotJson = `n${slotModel.marker}`;
  let slotXml = slotJson;
  let stored = slotJson;
  let expectation: Case['expect'];
  const refuse = (debug: RegExp): void => {
    expectation = { status: 400, debug };
  };

  const deepRoot = method === IMPORT_BATCH ? 'custom_data' : 'content';
  if (attack.kind === 'deep') body[deepRoot] = { a: DEEP_SLOT };
  let protoPath: string | undefined;
  if (attack.kind === 'protoKey') {
    const places = PROTO_PLACES[method];
    const place = places[attack.at % places.length];
    placeAt(body, place, KEY_SLOT, { polluted: 'yes' });
    protoPath = pathText([...place, attack.key]);
  }
  if (attack.kind === 'surrogate' && attack.inKey) {
    placeAt(
      body,
      method === START_BATCH
        ? ['data', 0, 'custom_data']
        : method === SINGLE
          ? ['data', 'attrs']
          : ['data', 0, 'data', 'attrs'],
      KEY_SLOT,
      1,
    );
  }

  let text: string;
  if (xml) {
    const flat = models.map(() => false);
    text = xmlText(body, 1, { flatItems: flat, plain: true });
  } else {
    text = JSON.stringify(body);
  }

  switch (attack.kind) {
    case 'protoKey':
      text = xml
        ? text.replaceAll(KEY_SLOT, attack.key)
        : text.replace(`"${KEY_SLOT}"`, `"${escapeKey(attack.key, attack.escapeRate, attack.seed)}"`);
      refuse(
        xml
          ? new RegExp(`^invalid XML: element <${attack.key}> is not allowed$`)
          : new RegExp(`^${(protoPath ?? '').replace(/[.[\]$]/g, '\\$&')}: the key is not allowed$`),
      );
      break;
    case 'deep': {
      const d = attack.depth;
      if (xml) {
        text = text.replace(DEEP_SLOT, `${'<n>'.repeat(d)}v${'</n>'.repeat(d)}`);
        // <xml> <content> <a> then d levels.
        if (3 + d > 32) refuse(/^invalid XML: the body is nested deeper than 32 levels$/);
      } else {
        text = text.replace(
          `"${DEEP_SLOT}"`,
          attack.object ? `${'{"a":'.repeat(d)}1${'}'.repeat(d)}` : `${'['.repeat(d)}1${']'.repeat(d)}`,
        );
        // The body, content, then d levels.
        if (2 + d > 64) refuse(/^the body is nested deeper than 64 levels$/);
      }
      break;
    }
    case 'nul':
      if (xml) {
        slotXml = attack.raw ? 'a\u0000b' : 'a&#0;b';
        refuse(/^invalid XML: /);
      } else if (attack.raw) {
        slotJson = 'a\u0000b';
        refuse(/^invalid JSON: /);
      } else {
        slotJson = 'a\\u0000b';
        refuse(/^the body contains a NUL character/);
      }
      break;
    case 'surrogate': {
      const { text: spelled, lone } = attack.pick;
      if (attack.inKey) {
        text = text.replace(`"${KEY_SLOT}"`, `"k${spelled}"`);
        const parent =
          method === START_BATCH ? 'data[0].custom_data' : method === SINGLE ? 'data.attrs' : 'data[0].data.attrs';
        if (lone) refuse(new RegExp(`^${parent.replace(/[.[\]]/g, '\\$&')}: `));
        else if (method === START_BATCH) expectation = { status: 200 };
      } else {
        slotJson = spelled;
        if (lone) refuse(new RegExp(`^${pathText(slot).replace(/[.[\]]/g, '\\$&')}: `));
        else stored = JSON.parse(`"${spelled}"`) as string;
      }
      break;
    }
    case 'doctype':
      text = `${attack.prolog ? '<?xml version="1.0" encoding="UTF-8"?>' : ''}${DOCTYPES[attack.which]}${text}`;
      slotXml = ['&name;', '&xxe;', '&lol9;', '&b;', '&p;'][attack.which % 5];
      refuse(/^invalid XML: a DOCTYPE or entity declaration is not allowed$/);
      break;
    case 'entity': {
      slotXml = attack.text;
      const decoded: Record<string, string> = { '&#65;&#x42;C': 'ABC', '&lt;b&gt;&amp;': '<b>&', '&#x1F994;': '🦔' };
      if (decoded[attack.text] === undefined) refuse(/^invalid XML: /);
      else stored = decoded[attack.text];
      break;
    }
    case 'notObject':
      text = attack.text;
      refuse(/^(the body must be a JSON object|invalid JSON: .*)$/);
      break;
    case 'xmlShape':
      if (attack.what === 'dupScalar') {
        text = text.replace(
          '</xml>',
          method === IMPORT_BATCH ? '<db_id>1</db_id></xml>' : '<trigger_id>96</trigger_id></xml>',
        );
        refuse(method === IMPORT_BATCH ? /^db_id/ : /^trigger_id/);
      } else if (attack.what === 'mixed') {
        text = text.replace('<data>', '<data>stray text');
        refuse(/^invalid XML: <data> mixes text and elements$/);
      } else if (attack.what === 'root') {
        text = text.replace(/^<xml>/, '<request>').replace(/<\/xml>$/, '</request>');
        refuse(/^invalid XML: the root element must be <xml>, got <request>$/);
      } else if (attack.what === 'unclosed') {
        text = text.replace('</data>', '');
        refuse(/^invalid XML: /);
      } else {
        text = text.replace('<data>', `<data foo="bar" array="false" xmlns:x="urn:x">`);
      }
      break;
    default:
      break;
  }
  text = text.replace(xml ? STR_SLOT : `"${STR_SLOT}"`, xml ? slotXml : `"${slotJson}"`);
  let payload: Buffer = Buffer.from(text, 'utf8');
  if (attack.kind === 'badUtf8') {
    const at = attack.at % (payload.length + 1);
    payload = Buffer.concat([payload.subarray(0, at), Buffer.from(INVALID_UTF8[attack.seq]), payload.subarray(at)]);
    if (!isUtf8(payload)) expectation = { status: 400, debug: /^the body is not valid UTF-8$/ };
  } else if (attack.kind === 'truncate') {
    payload = payload.subarray(0, 1 + (attack.at % (payload.length - 1)));
    expectation = { status: 400, debug: /^invalid (JSON|XML): / };
  } else if (attack.kind === 'garbage') {
    payload = Buffer.from(attack.bytes);
    expectation = { status: [400, 401] };
  } else if (attack.kind === 'bom') {
    payload = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), payload]);
  }
  if (method !== START_BATCH) slotModel.goodFields._fname = stored;
  return {
    method,
    body,
    items: models,
    launches: method !== IMPORT_BATCH,
    db1: true,
    payload,
    contentType: attack.kind === 'garbage' ? 'application/octet-stream' : xml ? 'application/xml' : 'application/json',
    query: undefined,
    headers: {},
    ...(expectation ? { expect: expectation } : {}),
  };
}

describe('fuzz: hostile bodies and huge inputs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startFuzzHarness({ provision: FIXTURE });
  });
  afterAll(async () => {
    const alive = await send(
      h,
      'profiles/get',
      JSON.stringify({ token: WRITE_TOKEN, db_id: 1, email: 'nobody@example.com' }),
      { contentType: 'application/json' },
    );
    expect(alive.status).toBe(404);
    await closeFuzzHarness(h);
  });

  const hostile: fc.Arbitrary<HostileShape> = fc.record({
    method: fc.constantFrom(BATCH, BATCH, SINGLE, IMPORT_BATCH, START_BATCH),
    n: fc.integer({ min: 1, max: 3 }),
    subs: fc.array(fc.constantFrom<GoodSub>('email21', 'sms', 'push'), { maxLength: 2 }),
    xml: fc.boolean(),
    attack: attackArb,
  });

  it(
    'prototype keys, nesting, invalid UTF-8, NUL, surrogates, DOCTYPEs, entities, truncation, garbage',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostile, async (x) => {
          // No entity is expanded, no deep structure walked recursively: each case gets its clear
          // answer (run() checks it), within the test's time limit.
          await run(h, hostileCase(x));
          count(`attack ${x.attack.kind}`);
        }),
        params(4, 120),
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
    LIMIT,
  );

  type HugeWhere =
    | 'fname'
    | 'email'
    | 'phones'
    | 'CRM_ID'
    | 'bdate'
    | 'ip'
    | 'content'
    | 'custom_data'
    | 'attrs'
    | 'tags'
    | 'items'
    | 'subs'
    | 'contentArray'
    | 'token'
    | 'matching'
    | 'attachName'
    | 'dataUri'
    | 'key';
  const huge = fc.record({
    where: fc.constantFrom<HugeWhere>(
      'fname',
      'email',
      'phones',
      'CRM_ID',
      'bdate',
      'ip',
      'content',
      'custom_data',
      'attrs',
      'tags',
      'items',
      'subs',
      'contentArray',
      'token',
      'matching',
      'attachName',
      'dataUri',
      'key',
    ),
    mb: fc.constantFrom(0.5, 2, 5, 9.5),
    xml: fc.boolean(),
    ch: fc.constantFrom('a', '7', ' ', 'é'),
  });

  it(
    'huge strings and arrays (within 10 MB) are handled or refused cleanly',
    async () => {
      const MB = 1024 * 1024;
      await fc.assert(
        fc.asyncProperty(huge, async ({ where, mb, xml, ch }) => {
          const bytes = Math.floor(mb * MB) - 4096;
          const n = Math.floor(bytes / Buffer.byteLength(ch));
          const big = ch.repeat(n);
          const many = (each: number) => Math.max(1, Math.floor(bytes / each));
          const { item, data, model } = buildItem(
            {
              junk: undefined,
              withEmail: true,
              withName: false,
              withCustomId: false,
              fields: [],
              goodSubs: [],
              randomSubs: [],
              keys: [],
              customData: 'none',
              customDataJunk: null,
              profileRef: undefined,
              profileRefAsKey: false,
              xmlFlat: false,
            },
            newMarker(),
            pool,
          );
          const body: JsonObject = { token: WRITE_TOKEN, trigger_id: 96, data: [item] };
          const models: ItemModel[] = [model];
          switch (where) {
            case 'fname':
              data._fname = big;
              model.goodFields._fname = xml ? big.trim() || big : big;
              break;
            case 'email':
              data.email = `${big}@example.com`;
              break;
            case 'phones':
              data.phones = `+7${'9'.repeat(n)}`;
              break;
            case 'CRM_ID':
              data.CRM_ID = '9'.repeat(n);
              break;
            case 'bdate':
              data._bdate = '1'.repeat(n);
              break;
            case 'ip':
              data._ip = '1.'.repeat(Math.floor(n / 2));
              break;
            case 'content':
              body.content = { pad: big };
              break;
            case 'custom_data':
              body.custom_data = { pad: big };
              break;
            case 'attrs':
              data.attrs = { pad: big };
              break;
            // In XML the key is an element name, written twice.
            case 'key':
              data.attrs = { [`k${'k'.repeat(xml ? Math.floor(n / 2) - 64 : n)}`]: 1 };
              break;
            case 'tags':
              data.interests = Array.from({ length: many(xml ? 34 : 12) }, (_, i) => `t${i}`);
              break;
            case 'contentArray':
              body.content = { a: Array.from({ length: many(xml ? 12 : 2) }, () => 1) };
              break;
            case 'token':
              body.token = big;
              break;
            case 'matching':
              body.matching = big;
              break;
            case 'attachName':
              body.attach = [{ name: big, data: 'data:text/plain;base64,aGk=' }];
              break;
            case 'dataUri':
              body.attach = [
                { name: 'a.bin', data: `data:application/octet-stream;base64,${'QUJD'.repeat(Math.floor(n / 4))}` },
              ];
              break;
            case 'items': {
              const k = Math.min(many(xml ? 120 : 90), 1500);
              const items: Json[] = [];
              models.length = 0;
              for (let i = 0; i < k; i++) {
                const b = buildItem(
                  {
                    junk: undefined,
                    withEmail: true,
                    withName: true,
                    withCustomId: false,
                    fields: [],
                    goodSubs: [],
                    randomSubs: [],
                    keys: [],
                    customData: 'none',
                    customDataJunk: null,
                    profileRef: undefined,
                    profileRefAsKey: false,
                    xmlFlat: false,
                  },
                  newMarker(),
                  pool,
                );
                items.push(b.item);
                models.push(b.model);
              }
              body.data = items;
              break;
            }
            case 'subs': {
              const k = Math.min(many(xml ? 130 : 80), 2000);
              data.subscriptions = Array.from({ length: k }, (_, i) => ({
                channel: 'email',
                resource_id: 21,
                email: `s${i}${model.marker}@example.com`,
              }));
              model.goodSubs = [`s0${model.marker}@example.com`, `s${k - 1}${model.marker}@example.com`];
              break;
            }
          }
          const w: Wire = { xml, seed: 7, escapeRate: 0, tokenAt: 'body', contentType: 'proper', jsonAnswer: true };
          const enc = encode(BATCH, body, w);
          expect(Buffer.byteLength(enc.payload)).toBeLessThanOrEqual(10 * MB);
          await run(h, {
            ...enc,
            items: models,
            launches: true,
            db1: true,
            light: true,
            expect: { status: [200, 400, 401] },
          });
          count(`huge ${where}`);
        }),
        params(5, 14),
      );
    },
    LIMIT,
  );
});

// ---------------------------------------------------------------------------------------------
// The input classes of docs/LIMITS.md, each tried over every place it can go: long values (within
// the limit stored and found again, over it the item's error), names every object answers to in
// every object-valued parameter, numbers beyond a double, and custom_request size and depth
// (the answer compared with the query evaluated here).

const START = 'campaigns/triggers/start';
const BEYOND_DOUBLE = 'the number is beyond the range of a double (±1.7976931348623157e308)';
const plainShape = (withCustomId: boolean): ItemShape => ({
  junk: undefined,
  withEmail: true,
  withName: false,
  withCustomId,
  fields: [],
  goodSubs: [],
  randomSubs: [],
  keys: [],
  customData: 'none',
  customDataJunk: null,
  profileRef: undefined,
  profileRefAsKey: false,
  xmlFlat: false,
});
let phoneNo = 0;
const freshPhone = (): string => `+7902${String(++phoneNo % 10_000_000).padStart(7, '0')}`;

/** A batch of `1 + others` plain items (fresh markers), and the body around them. */
function plainBatch(others: number, opts: { customIdOnOthers?: boolean } = {}) {
  const built = Array.from({ length: 1 + others }, (_, i) =>
    buildItem(plainShape(i > 0 && Boolean(opts.customIdOnOthers)), newMarker(), pool),
  );
  const body: JsonObject = { token: WRITE_TOKEN, trigger_id: 96, data: built.map((b) => b.item) };
  return { body, built, first: built[0] };
}

function wireFor(xml: boolean): Wire {
  return { xml, seed: 11, escapeRate: 0, tokenAt: 'body', contentType: 'proper', jsonAnswer: true };
}

describe('fuzz: long values, prototype-named keys and numbers beyond a double', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startFuzzHarness({ provision: FIXTURE });
  });
  afterAll(async () => {
    const alive = await send(
      h,
      'profiles/get',
      JSON.stringify({ token: WRITE_TOKEN, db_id: 1, email: 'nobody@example.com' }),
      { contentType: 'application/json' },
    );
    expect(alive.status).toBe(404);
    await closeFuzzHarness(h);
  });

  const post = async (method: string, body: JsonObject): Promise<Outcome> => {
    const res = await send(h, method, JSON.stringify(body), { contentType: 'application/json' });
    return expectSaneAnswer(res, method, body);
  };

  it(
    'long values in every string, tags and subscription field: stored and found within the limit, the item error over it',
    async () => {
      await fc.assert(
        fc.asyncProperty(longShape, fc.nat(), async (x, seed) => {
          const limit: number | undefined = LONG_TARGETS[x.target];
          const base = limit ?? 16_384;
          const n = { under: base - 1, at: base, over: base + 1, btree: 2_800, far: Math.min(base * 3, 60_000) }[
            x.size
          ];
          const chars = x.xml && x.chars === 'mark' ? 'ascii' : x.chars;
          const { body, built, first } = plainBatch(x.others, { customIdOnOthers: x.target === 'matchValue' });
          const { data, model } = first;
          const item = (body.data as JsonObject[])[0];
          const marker = model.marker;
          const text = (len: number, kind = chars) => longText(marker, len, kind, seed);
          let found: JsonObject | undefined;
          let value = '';
          switch (x.target) {
            case 'Custom_ID':
            case '_fname':
              value = text(n);
              data[x.target] = value;
              model.goodFields[x.target] = value;
              if (x.target === 'Custom_ID') found = { Custom_ID: value };
              break;
            case 'interests':
              value = text(n);
              data.interests = ['x', value];
              found = { interests: value };
              break;
            case 'email':
            case 'subEmail': {
              value = `${text(n - 12, 'ascii')}@example.com`;
              if (x.target === 'email') {
                data.email = value;
                model.goodFields.email = value;
              } else {
                data.subscriptions = [{ channel: 'email', resource_id: 21, email: value }];
                model.goodSubs.push(value.toLowerCase());
              }
              break;
            }
            case 'phones':
            case 'subPhone': {
              const phone = freshPhone();
              value = `${phone}${' '.repeat(Math.max(0, n - phone.length))}`;
              model.traces.push(phone);
              if (x.target === 'phones') data.phones = value;
              else data.subscriptions = [{ channel: 'sms', resource_id: 21, phone: value }];
              if (x.target === 'subPhone') model.goodSubs.push(phone);
              break;
            }
            case 'subProvider':
              value = text(n);
              data.subscriptions = [
                { channel: 'push', resource_id: 21, provider: value, subscription_id: `t${marker}` },
              ];
              model.goodSubs.push(indexKey(`${value.toLowerCase()}|t${marker}`));
              break;
            case 'subToken':
              value = text(n);
              data.subscriptions = [{ channel: 'push', resource_id: 21, provider: 'fcm', subscription_id: value }];
              model.goodSubs.push(indexKey(`fcm|${value}`));
              break;
            case 'subCats':
              value = text(n);
              data.subscriptions = [
                { channel: 'email', resource_id: 21, email: `s${marker}@example.com`, cats: [value] },
              ];
              break;
            case 'matchValue':
              value = text(n);
              Object.assign(body, { matching: 'custom', field_name: 'Custom_ID', field_value: value });
              model.goodFields.Custom_ID = value;
              found = { Custom_ID: value };
              break;
            case 'customData':
              value = text(n);
              item.custom_data = { m: value };
              break;
            case 'attrs':
              value = text(n);
              data.attrs = { v: value };
              break;
          }
          if (x.xml)
            model.goodFields = Object.fromEntries(
              Object.entries(model.goodFields).map(([k, v]) => [k, xmlSafe(v) as string]),
            );
          const enc = encode(BATCH, body, wireFor(x.xml));
          const out = await run(h, {
            ...enc,
            items: built.map((b) => b.model),
            launches: true,
            db1: true,
            expect: { status: 200 },
          });
          const over = limit !== undefined && n > limit;
          const error = out.errors.find((e) => e.index === 0);
          count(`long ${x.target} ${over ? 'refused' : 'stored'}`);
          if (over) {
            expect(error?.error_debug, `${x.target}: ${n} characters`).toMatch(
              new RegExp(`is longer than ${limit} characters`),
            );
            return;
          }
          expect(error, `${x.target}: ${n} characters`).toBeUndefined();
          const id = out.result[0];
          if (found) {
            const launch = await post(START, { token: WRITE_TOKEN, trigger_id: 96, custom_request: found });
            expect(launch.status).toBe(200);
            expect(launch.result).toContain(id);
          }
          if (x.target === 'subToken') {
            const again = await post(IMPORT_BATCH, {
              token: WRITE_TOKEN,
              db_id: 1,
              matching: 'push_sub',
              provider: 'FCM',
              subscription_id: value,
              data: [{ data: {} }],
            });
            expect(again.result).toEqual([id]);
          }
        }),
        params(10, 60),
      );
    },
    LIMIT,
  );

  it(
    'names every object answers to (toString, valueOf, …) are plain keys in every object-valued parameter',
    async () => {
      await fc.assert(
        fc.asyncProperty(protoShape, async ({ name, place, value, xml }) => {
          const { body, built, first } = plainBatch(1);
          const { data } = first;
          const item = (body.data as JsonObject[])[0];
          let expectation: Case['expect'] = value === 1 ? { status: 200 } : undefined;
          let itemError: RegExp | undefined;
          switch (place) {
            case 'timeout':
              body.timeout = { [name]: value };
              expectation = {
                status: 400,
                debug: new RegExp(`^timeout: unknown key "${name}"; expected days, hours, minutes$`),
              };
              break;
            case 'content':
              body.content = { [name]: value };
              break;
            case 'customData':
              body.custom_data = { [name]: value };
              break;
            case 'itemCustomData':
              item.custom_data = { [name]: value };
              break;
            case 'subscriptionFilter':
              body.subscription_filter = { [name]: value };
              break;
            case 'field':
              data[name] = value;
              itemError = new RegExp(`^data\\[0\\]\\.data: field '${name}' is not defined in database 1$`);
              break;
            case 'attrs':
              data.attrs = { [name]: value };
              break;
            case 'attrsPath':
              data.attrs = { action: 'upsert', submatch: `${name}.x`, value };
              break;
            case 'ordersSubmatch':
              data.orders = { action: 'upsert', submatch: { [name]: value }, value: { k: 1 } };
              break;
            case 'operator':
              data.CRM_ID = { action: name, value };
              itemError = /^data\[0\]\.data\.CRM_ID: expected an integer, got an object$/;
              break;
            case 'subscription':
              data.subscriptions = [
                { channel: 'email', resource_id: 21, email: `s${first.model.marker}@example.com`, [name]: value },
              ];
              break;
            case 'attach':
              body.attach = [{ data: 'data:text/plain;base64,aGk=', name: 'a.txt', [name]: value }];
              break;
          }
          const enc = encode(BATCH, body, wireFor(xml));
          const out = await run(h, {
            ...enc,
            items: built.map((b) => b.model),
            launches: true,
            db1: true,
            ...(expectation ? { expect: expectation } : {}),
          });
          count(`proto ${place} ${out.status}`);
          if (out.status === 200 && value === 1) {
            const error = out.errors.find((e) => e.index === 0);
            if (itemError) expect(error?.error_debug).toMatch(itemError);
            else expect(error, `${place} ${name}`).toBeUndefined();
          }
        }),
        params(11, 120),
      );
      // custom_request: a field or an operator object keyed by such a name.
      for (const name of PROTO_NAMES) {
        const field = await post(START, { token: WRITE_TOKEN, trigger_id: 96, custom_request: { [name]: 1 } });
        expect(field.debug).toBe(`custom_request.${name}: field '${name}' is not defined in database 1`);
        const op = await post(START, { token: WRITE_TOKEN, trigger_id: 96, custom_request: { CRM_ID: { [name]: 1 } } });
        expect(op.debug).toBe(
          'custom_request.CRM_ID: equality with an object is not supported; give a value or operators ($eq, $in, …)',
        );
        count('proto custom_request', 2);
      }
    },
    LIMIT,
  );

  it(
    'numbers beyond a double: a 400 naming the path as a JSON literal, the item error as text in a number field, stored text elsewhere',
    async () => {
      const SLOT = 'FUZZNUMSLOT';
      await fc.assert(
        fc.asyncProperty(numberShape, async (x) => {
          const { body, built, first } = plainBatch(1);
          const { data, model } = first;
          const item = (body.data as JsonObject[])[0];
          const literal = x.spelling === 'literal' && !x.xml;
          const given: Json = literal ? SLOT : x.spelling === 'finite' ? x.finite : x.text;
          let path = '';
          /** The place reads the value as a number (typed field, operator value, timeout, priority). */
          let numeric = true;
          switch (x.place) {
            case 'score':
            case '_lat':
            case 'CRM_ID':
              data[x.place] = given;
              path = `data[0].data.${x.place}`;
              break;
            case 'attrs':
              data.attrs = { v: given };
              path = 'data[0].data.attrs.v';
              numeric = false;
              break;
            case 'orders':
              data.orders = [{ n: [1, given] }];
              path = 'data[0].data.orders[0].n[1]';
              numeric = false;
              break;
            case 'content':
              body.content = { n: given };
              path = 'content.n';
              numeric = false;
              break;
            case 'customData':
              body.custom_data = { n: given };
              path = 'custom_data.n';
              numeric = false;
              break;
            case 'itemCustomData':
              item.custom_data = { n: given };
              path = 'data[0].custom_data.n';
              numeric = false;
              break;
            case 'timeout':
              body.timeout = { days: given };
              path = 'timeout.days';
              break;
            case 'priority':
              data.subscriptions = [
                { channel: 'email', resource_id: 21, email: `s${model.marker}@example.com`, priority: given },
              ];
              path = 'data[0].data.subscriptions[0].priority';
              break;
            case 'incr':
              data.score = { action: 'incr', value: given };
              path = 'data[0].data.score.value';
              break;
            case 'matchValue':
              (body.data as JsonObject[]).forEach((it, i) => i > 0 && ((it.data as JsonObject).score = 1));
              Object.assign(body, { matching: 'custom', field_name: 'score', field_value: given });
              path = 'field_value';
              break;
          }
          const enc = encode(BATCH, body, wireFor(x.xml));
          const payload = literal ? String(enc.payload).replace(`"${SLOT}"`, x.text) : enc.payload;
          const expectation: Case['expect'] = literal
            ? {
                status: 400,
                debug: new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: ${BEYOND_DOUBLE.replace(/[().±]/g, '\\$&')}$`),
              }
            : undefined;
          const out = await run(h, {
            ...enc,
            payload,
            items: built.map((b) => b.model),
            launches: true,
            db1: true,
            ...(expectation ? { expect: expectation } : {}),
          });
          count(`number ${x.place} ${x.spelling} ${out.status}`);
          if (literal || out.status !== 200) return;
          const error = out.errors.find((e) => e.index === 0);
          if (x.spelling === 'text' && numeric) expect(error, `${x.place} "${x.text}"`).toBeDefined();
          if (!numeric) expect(error, `${x.place}: ${error?.error_debug}`).toBeUndefined();
          if (x.spelling === 'finite' && (x.place === 'score' || x.place === '_lat')) {
            expect(error).toBeUndefined();
            const got = await post('profiles/get', {
              token: WRITE_TOKEN,
              db_id: 1,
              matching: 'profile_id',
              profile_id: out.result[0],
            });
            expect((got.envelope.data as JsonObject)[x.place]).toBe(Number(x.finite));
          }
        }),
        params(12, 80),
      );
    },
    LIMIT,
  );
});

describe('fuzz: custom_request size and depth', () => {
  let h: Harness;
  type Stored = { CRM_ID: number; score?: number; Custom_ID?: string; _fname?: string; interests: string[] };
  const stored = new Map<string, Stored>();

  beforeAll(async () => {
    h = await startFuzzHarness({ provision: FIXTURE });
    const profiles: Stored[] = Array.from({ length: 40 }, (_, i) => ({
      CRM_ID: i,
      ...(i % 3 === 0 ? {} : { score: i / 2 }),
      ...(i % 4 === 0 ? {} : { Custom_ID: `c${i % 7}` }),
      ...(i % 5 === 0 ? {} : { _fname: `n${i % 6}` }),
      interests: ['a', 'b', 'c'].filter((_, k) => (i >> k) & 1),
    }));
    const res = await send(
      h,
      IMPORT_BATCH,
      JSON.stringify({
        token: WRITE_TOKEN,
        db_id: 1,
        matching: 'custom',
        field_name: 'CRM_ID',
        data: profiles.map((p) => ({ data: p })),
      }),
      { contentType: 'application/json' },
    );
    const out = expectSaneAnswer(res, IMPORT_BATCH, undefined);
    expect(out.result).toHaveLength(40);
    out.result.forEach((id, i) => stored.set(id, profiles[i]));
  });
  afterAll(() => closeFuzzHarness(h));

  function holds(p: Stored, c: Cond): boolean {
    const raw = p[c.field];
    const vals: Json[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const eq = (v: Json) => vals.some((e) => e === v);
    const list = Array.isArray(c.value) ? c.value : [];
    const num = c.value as number;
    switch (c.op) {
      case 'eq':
      case '$eq':
        return eq(c.value);
      case '$ne':
        return !eq(c.value);
      case '$in':
        return list.some(eq);
      case '$nin':
        return !list.some(eq);
      case '$gt':
        return vals.some((e) => (e as number) > num);
      case '$gte':
        return vals.some((e) => (e as number) >= num);
      case '$lt':
        return vals.some((e) => (e as number) < num);
      case '$lte':
        return vals.some((e) => (e as number) <= num);
    }
  }

  /** The nesting of objects and arrays in JSON text (strings skipped). */
  function nesting(text: string): number {
    let depth = 0;
    let max = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') max = Math.max(max, ++depth);
      else if (c === '}' || c === ']') depth--;
    }
    return max;
  }

  const condJson = (c: Cond): Json => (c.op === 'eq' ? { [c.field]: c.value } : { [c.field]: { [c.op]: c.value } });

  it(
    'within the limits the stores answer what the query means; past them a 400 naming the limit',
    async () => {
      await fc.assert(
        fc.asyncProperty(queryShape, fc.boolean(), async (x, xml) => {
          const conds = [...x.conds];
          for (let i = 0; i < x.repeat; i++) conds.push(x.conds[i % x.conds.length]);
          const leaves = conds.map(condJson);
          // Values of 1,000 and above: a $nin of them holds for every profile.
          if (x.bigList > 0) leaves.push({ CRM_ID: { $nin: Array.from({ length: x.bigList }, (_, i) => 1_000 + i) } });
          const terms = leaves.length;
          const top = x.ors[0] ? '$or' : '$and';
          let text = terms === 1 ? JSON.stringify(leaves[0]) : JSON.stringify({ [top]: leaves });
          const levels = x.depth + (terms > 1 ? 1 : 0);
          for (let i = 0; i < x.depth; i++) text = `{"${x.ors[(i % 35) + 1] ? '$or' : '$and'}":[${text}]}`;
          const matches = (p: Stored): boolean => {
            const all = conds.map((c) => holds(p, c));
            if (x.bigList > 0) all.push(true);
            return terms === 1 ? all[0] : top === '$or' ? all.some(Boolean) : all.every(Boolean);
          };
          let payload: string;
          let contentType = 'application/json';
          if (x.asString && xml) {
            payload = `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><format>json</format><custom_request>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</custom_request></xml>`;
            contentType = 'application/xml';
          } else {
            payload = `{"token":"${WRITE_TOKEN}","trigger_id":96,"custom_request":${x.asString ? JSON.stringify(text) : text}}`;
          }
          let want: RegExp | undefined;
          if (contentType === 'application/json' && nesting(payload) > 64)
            want = /^the body is nested deeper than 64 levels$/;
          else if (levels > 32)
            want = /^custom_request(\.\$(and|or)\[0\])+: is nested deeper than 32 levels of \$and\/\$or$/;
          else if (terms > 1_000) want = /: the query has more than 1000 conditions$/;
          else if (x.bigList > 10_000) want = /: has more than 10000 values$/;
          h.clock.advance(1);
          const before = await state(h, h.clock.now());
          const res = await send(h, START, payload, { contentType });
          const out = expectSaneAnswer(res, START, undefined);
          count(`custom_request ${out.status}${want ? ' (over a limit)' : ''}`);
          if (want) {
            expect(out.status, out.debug).toBe(400);
            expect(out.debug).toMatch(want);
            expect(await state(h, h.clock.now())).toEqual(before);
            return;
          }
          expect(out.status, out.debug).toBe(200);
          const expected = [...stored]
            .filter(([, p]) => matches(p))
            .map(([id]) => id)
            .sort();
          expect([...out.result].sort(), `${terms} conditions, ${levels} levels`).toEqual(expected);
        }),
        params(13, 60),
      );
    },
    LIMIT,
  );
});

// ---------------------------------------------------------------------------------------------
// Management methods: random bodies for every object method; a refused request changes no
// catalog object (nor the config version), an accepted one leaves a readable object, and the
// account's catalog keeps loading (every later request depends on it).

interface CatalogState {
  dbs: number;
  dbs_sum: number;
  res: number;
  res_sum: number;
  tpl: number;
  tpl_sum: number;
  trg: number;
  trg_sum: number;
  config: number;
  scheduled: number;
}

async function catalogState(h: Harness): Promise<CatalogState> {
  return (
    await q<CatalogState>(
      h,
      `SELECT (SELECT count(*) FROM databases) AS dbs,
            (SELECT coalesce(sum(length(CAST(fields AS TEXT)) + length(name) + length(description)), 0) FROM databases) AS dbs_sum,
            (SELECT count(*) FROM resources) AS res,
            (SELECT coalesce(sum(length(CAST(db_ids AS TEXT)) + length(CAST(channels AS TEXT)) + length(name)), 0) FROM resources) AS res_sum,
            (SELECT count(*) FROM templates) AS tpl,
            (SELECT coalesce(sum(length(CAST(body AS TEXT)) + length(name)), 0) FROM templates) AS tpl_sum,
            (SELECT count(*) FROM triggers) AS trg,
            (SELECT coalesce(sum(length(CAST(definition AS TEXT)) + CASE WHEN is_active THEN 1 ELSE 0 END), 0) FROM triggers) AS trg_sum,
            (SELECT coalesce(sum(config_version), 0) FROM accounts) AS config,
            (SELECT count(*) FROM messages WHERE status = 'scheduled') AS scheduled`,
    )
  )[0];
}

const templateText: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.constantFrom(
          'Hello ',
          '{lead._fname}',
          '{lead.CRM_ID}',
          '{apicontent.x}',
          '{apicontent.a.b}',
          '{unsubscribe}',
          '{subscription.email}',
          '{',
          '}',
          '{{',
          '}}',
          '{lead.}',
          '{nope.x}',
          '{lead._fname|upper}',
          '<p>',
          '\r\n',
          'é',
        ),
        { maxLength: 5 },
      )
      .map((a) => a.join('')),
  },
  { weight: 1, arbitrary: anyJson },
);
const ref = (own: Json[], other: Json[]): fc.Arbitrary<Json> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...own) },
    { weight: 1, arbitrary: fc.constantFrom(...other, 999, 0, -1, 'x', null) },
    { weight: 1, arbitrary: anyJson },
  );
const dbRef = ref([1, 2, '1'], [3]);
const resourceRef = ref([21, 22, 23], [31]);
const templateRef = ref([5, 6, 7], [8]);
const triggerRef = ref([96, 85, 97, 98, 99, 100, 101, 102], [200]);
const boolLike: fc.Arbitrary<Json> = fc.oneof(fc.constantFrom<Json>(true, false, 'true', 0, 1), anyJson);
const opt = <T>(arb: fc.Arbitrary<T>) => rare(arb, 1);

const channelSettings = fc.record(
  {
    sender: fc.oneof(fc.constant<Json>('outbox'), anyJson),
    from_email: fc.oneof(fc.constant<Json>('x@example.com'), anyJson),
    from_name: templateText,
    replyto_email: anyJson,
    replyto_name: templateText,
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Json>;
const channels = fc.oneof(
  fc.record(
    { email: channelSettings, sms: channelSettings, push: channelSettings, fax: channelSettings },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Json>,
  anyJson,
);
const fieldDefs = fc.oneof(
  fc.array(
    fc.record(
      {
        name: fc.oneof(fc.constantFrom<Json>('f1', 'CRM_ID', '_x', 'data', 'email', 'id', ''), anyString),
        type: fc.oneof(
          fc.constantFrom<Json>('int', 'float', 'string', 'date', 'bool', 'enum', 'ip', 'tags', 'object', 'arr_object'),
          anyJson,
        ),
        values: fc.oneof(fc.array(anyString, { maxLength: 3 }) as fc.Arbitrary<Json>, anyJson),
      },
      { requiredKeys: [] },
    ) as fc.Arbitrary<Json>,
    { maxLength: 3 },
  ) as fc.Arbitrary<Json>,
  anyJson,
);
const contentEntries = fc.oneof(
  fc.array(
    fc.record(
      {
        message_id: templateRef,
        from_name: templateText,
        from_email: anyJson,
        subject: templateText,
        replyto_name: templateText,
      },
      { requiredKeys: ['message_id'] },
    ) as fc.Arbitrary<Json>,
    { maxLength: 2 },
  ) as fc.Arbitrary<Json>,
  anyJson,
);
const triggerBody = {
  name: opt(fc.oneof(fc.constant<Json>('Fuzz trigger'), anyJson)),
  description: opt(anyJson),
  subid: opt(anyJson),
  ui_tags: opt(fc.oneof(fc.array(anyString, { maxLength: 3 }) as fc.Arbitrary<Json>, anyJson)),
  is_active: opt(boolLike),
  trigger_type: opt(fc.oneof(fc.constantFrom<Json>('api_call', 'api_import', 'subscribe'), anyJson)),
  send_channel: opt(fc.oneof(fc.constantFrom<Json>('email', 'sms', 'push'), anyJson)),
  resource_id: opt(resourceRef),
  list_id: opt(dbRef),
  skip_minutes: opt(fc.oneof(fc.constantFrom<Json>(0, 30, 525_600, 525_601, -1, '5'), anyJson)),
  content: opt(contentEntries),
};
const paging = {
  from_id: opt(fc.oneof(fc.constantFrom<Json>(0, 1, 50, 2 ** 40, -1, 'x'), anyJson)),
  limit: opt(fc.constantFrom<Json>(0, -1, 1, 2, 1000, 1001, 'x', 1.5)),
};

const managementCall: fc.Arbitrary<{ method: string; body: Record<string, Json | undefined> }> = fc.oneof(
  ...(
    [
      [
        'databases/add',
        {
          name: opt(fc.oneof(fc.constant<Json>('Fuzz db'), anyJson)),
          description: opt(anyJson),
          fields: opt(fieldDefs),
        },
      ],
      ['databases/update', { id: dbRef, name: opt(anyJson), description: opt(anyJson), fields: opt(fieldDefs) }],
      ['databases/get', { id: dbRef }],
      ['databases/list', paging],
      ['databases/delete', { id: dbRef }],
      ['databases/fields_get', { db_id: dbRef }],
      [
        'resources/add',
        {
          name: opt(fc.oneof(fc.constant<Json>('Fuzz resource'), anyJson)),
          db_ids: opt(fc.oneof(fc.array(dbRef, { maxLength: 3 }) as fc.Arbitrary<Json>, anyJson)),
          channels: opt(channels),
        },
      ],
      [
        'resources/update',
        {
          id: resourceRef,
          name: opt(anyJson),
          db_ids: opt(fc.array(dbRef, { maxLength: 2 }) as fc.Arbitrary<Json>),
          channels: opt(channels),
        },
      ],
      ['resources/get', { resource_id: resourceRef }],
      ['resources/list', paging],
      ['resources/delete', { id: resourceRef }],
      [
        'templates/add',
        {
          name: opt(fc.oneof(fc.constant<Json>('Fuzz template'), anyJson)),
          channel: opt(fc.oneof(fc.constantFrom<Json>('email', 'sms', 'push'), anyJson)),
          subject: opt(templateText),
          html: opt(templateText),
          text: opt(templateText),
          title: opt(templateText),
          url: opt(templateText),
          image: opt(templateText),
        },
      ],
      [
        'templates/update',
        {
          id: templateRef,
          name: opt(anyJson),
          channel: opt(anyJson),
          subject: opt(templateText),
          text: opt(templateText),
          html: opt(templateText),
        },
      ],
      ['templates/get', { id: templateRef }],
      ['templates/list', { ...paging, channel: opt(anyJson) }],
      ['templates/delete', { id: templateRef }],
      ['campaigns/triggers/add', triggerBody],
      ['campaigns/triggers/update', { id: triggerRef, ...triggerBody }],
      ['campaigns/triggers/get', { trigger_id: triggerRef }],
      ['campaigns/triggers/list', { ...paging, is_active: opt(boolLike), ui_tags: opt(anyJson) }],
      ['campaigns/triggers/clone', { id: triggerRef, name: opt(anyJson) }],
      ['campaigns/triggers/delete', { id: triggerRef }],
      ['campaigns/activate', { id: triggerRef }],
      ['campaigns/deactivate', { id: triggerRef, abort_if_running: opt(boolLike) }],
      ['campaigns/status', { id: triggerRef }],
      ['campaigns/get_status', { id: triggerRef }],
      [
        'campaigns/log_v2',
        {
          id: triggerRef,
          from_time: opt(
            fc.oneof(fc.constantFrom<Json>('2026-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'yesterday', 0), anyJson),
          ),
          limit: paging.limit,
        },
      ],
      [
        'messages/list',
        {
          trigger_id: opt(triggerRef),
          profile_id: opt(anyJson),
          status: opt(fc.oneof(fc.constantFrom<Json>('scheduled', ['sent', 'failed'], 'nope'), anyJson)),
          ...paging,
        },
      ],
      ['tasks/status', { task_id: fc.oneof(fc.constant<Json>('0123456789abcdef01234567'), anyJson) }],
    ] as [string, Record<string, fc.Arbitrary<Json | undefined>>][]
  ).map(([method, shape]) => fc.record(shape).map((body) => ({ method, body }))),
);

/** The read method of an object kind, to check an accepted change left a readable object. */
const READ_BACK: Record<string, string> = {
  databases: 'databases/get',
  resources: 'resources/get',
  templates: 'templates/get',
  'campaigns/triggers': 'campaigns/triggers/get',
};

describe('fuzz: management methods', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startFuzzHarness({ provision: FIXTURE });
    // Profiles and scheduled messages, so deactivate/delete have work to cancel.
    const res = await send(
      h,
      BATCH,
      JSON.stringify({
        token: WRITE_TOKEN,
        trigger_id: 96,
        data: [1, 2, 3].map((i) => ({
          data: {
            email: `m${i}@example.com`,
            subscriptions: [{ channel: 'email', resource_id: 21, email: `m${i}@example.com` }],
          },
        })),
      }),
      { contentType: 'application/json' },
    );
    expect(res.status).toBe(200);
  });
  afterAll(() => closeFuzzHarness(h));

  it(
    'random bodies for every object method, JSON and XML',
    async () => {
      await fc.assert(
        fc.asyncProperty(managementCall, wire(3), async ({ method, body }, w) => {
          const full = { token: WRITE_TOKEN, ...compact(body) };
          const before = await catalogState(h);
          const enc = encode(method, full, w);
          const res = await send(h, method, enc.payload, {
            ...(enc.contentType !== undefined ? { contentType: enc.contentType } : {}),
            ...(enc.query ? { query: enc.query } : {}),
            headers: enc.headers,
          });
          const out = expectSaneAnswer(res, method, enc.body);
          count(`${method} ${out.status}`);
          if (out.status !== 200) {
            expect(
              await catalogState(h),
              `${method} answered ${out.status} (${out.debug}) but changed the catalog`,
            ).toEqual(before);
          } else {
            const data = out.envelope.data as Record<string, unknown> | undefined;
            const kind = method.slice(0, method.lastIndexOf('/'));
            const id = method.endsWith('/clone')
              ? data?.saved_id
              : method.endsWith('/add') || method.endsWith('/update')
                ? data?.id
                : undefined;
            if (id !== undefined && READ_BACK[kind]) {
              const back = await send(h, READ_BACK[kind], JSON.stringify({ token: WRITE_TOKEN, id: Number(id) }), {
                contentType: 'application/json',
              });
              expect(back.status, `${method} → ${READ_BACK[kind]} ${String(id)}: ${back.body.slice(0, 300)}`).toBe(200);
            }
          }
          // The account's catalog still loads.
          const list = await send(h, 'campaigns/triggers/list', JSON.stringify({ token: WRITE_TOKEN }), {
            contentType: 'application/json',
          });
          expect(list.status, list.body.slice(0, 300)).toBe(200);
        }),
        params(8, 150),
      );
    },
    LIMIT,
  );
});

// ---------------------------------------------------------------------------------------------
// Header injection: values with CR/LF and header text in the fields a subject, a From name and a
// Reply-To name are rendered from, and in attachment names, delivered for real to an SMTP sink.

const INJECTION_PIECES = [
  '\r\n',
  '\n',
  '\r',
  'Bcc: victim@evil.example',
  'X-Injected: yes',
  'Content-Type: text/html',
  '\r\n\r\n<html>',
  ' ',
  ':',
  ',',
  ';',
  '"',
  '<',
  '>',
  '@',
  'evil@evil.example',
  '=?utf-8?q?a=0D=0ABcc:_x?=',
  '\u2028',
  '\u0085',
  '\t',
  '\u000b',
  '\f',
  'é',
  'Ёжик',
  '🦔',
  'a'.repeat(120),
  '%0d%0a',
  'To: other@evil.example',
];
const injection: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(fc.constantFrom(...INJECTION_PIECES), { minLength: 1, maxLength: 6 }).map((a) => a.join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/\u0000/g, '')) },
);

const MAIL_HEADERS = new Set([
  'from',
  'to',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'reply-to',
  'list-unsubscribe',
  'list-unsubscribe-post',
]);

describe('fuzz: header injection through template values', () => {
  let h: Harness;
  let sink: SmtpSink;
  let http: HttpReceiver;
  beforeAll(async () => {
    sink = await startSmtpSink();
    http = await startHttpReceiver();
    h = await startFuzzHarness({
      provisionObject: deliveryProvision(
        { smtpUrl: sink.url, httpUrl: http.url },
        {
          templates: [
            {
              id: 9,
              name: 'Injection',
              channel: 'email',
              subject: '{lead._fname} {lead._lname} {apicontent.s}',
              text: 'Hi {lead._fname}',
              html: '<p>{apicontent.s}</p>',
            },
          ],
          triggers: [
            {
              id: 91,
              name: 'Injection',
              trigger_type: 'api_call',
              send_channel: 'email',
              resource_id: 21,
              list_id: 1,
              is_active: true,
              content: [
                {
                  message_id: 9,
                  from_name: '{lead._lname} {apicontent.n}',
                  replyto_email: 'care@example.com',
                  replyto_name: '{apicontent.r}',
                },
              ],
            },
          ],
        },
      ),
      realClock: true,
      env: { HERALD_WORKERS: '1', HERALD_POLL_MS: '20', HERALD_HOOK_INTERVAL_MS: '50' },
    });
  });
  afterAll(async () => {
    await closeFuzzHarness(h);
    await sink.close();
    await http.close();
  });

  it(
    'no value adds a header, a recipient or a line break to a header',
    async () => {
      const person = fc.record({ fname: injection, lname: injection });
      const names = rare(fc.array(fc.oneof(attachName, injection), { minLength: 1, maxLength: 2 }), 2);
      await fc.assert(
        fc.asyncProperty(
          fc.array(person, { minLength: 1, maxLength: 3 }),
          fc.record({ s: injection, n: injection, r: injection }),
          names,
          fc.boolean(),
          async (people, content, attachNames, xml) => {
            sink.mails.length = 0;
            const recipients = new Map<string, string>();
            const items = people.map((p) => {
              const email = `${newMarker()}@example.com`;
              recipients.set(email, p.fname);
              return {
                data: {
                  email,
                  _fname: p.fname,
                  _lname: p.lname,
                  subscriptions: [{ channel: 'email', resource_id: 21, email }],
                },
              };
            });
            const body: JsonObject = { token: WRITE_TOKEN, trigger_id: 91, content, data: items };
            if (attachNames) body.attach = attachNames.map((name) => ({ name, data: 'data:text/plain;base64,aGk=' }));
            const enc = encode(BATCH, body, {
              xml,
              seed: 3,
              escapeRate: 0,
              tokenAt: 'body',
              contentType: 'proper',
              jsonAnswer: true,
            });
            const res = await send(h, BATCH, enc.payload, {
              ...(enc.contentType ? { contentType: enc.contentType } : {}),
              ...(enc.query ? { query: enc.query } : {}),
            });
            const out = expectSaneAnswer(res, BATCH, enc.body);
            count(`injection ${out.status}`);
            if (out.status !== 200) return;
            const mails = await sink.waitFor(out.result.length, 15_000);
            count('injection mails', mails.length);
            for (const mail of mails) {
              const head = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
              // Every header line ends with CRLF; a line break inside a value would start a new header.
              expect(head.replace(/\r\n/g, ''), 'a bare CR or LF in the header').not.toMatch(/[\r\n]/);
              const names: string[] = [];
              for (const line of head.split('\r\n')) {
                if (/^[ \t]/.test(line)) continue;
                const m = /^([!-9;-~]+):/.exec(line);
                if (!m) throw new Error(`not a header line: ${JSON.stringify(line)}`);
                names.push(m[1].toLowerCase());
              }
              for (const n of names) expect(MAIL_HEADERS.has(n), `unexpected header ${n} in\n${head}`).toBe(true);
              for (const n of ['from', 'to', 'subject', 'reply-to', 'message-id'])
                expect(names.filter((x) => x === n)).toHaveLength(1);
              expect(mail.envelopeTo).toHaveLength(1);
              expect(recipients.has(mail.envelopeTo[0])).toBe(true);
              const p = mail.parsed;
              expect(p.from?.value.map((a) => a.address)).toEqual(['shop@example.com']);
              expect(p.replyTo?.value.map((a) => a.address)).toEqual(['care@example.com']);
              const to = Array.isArray(p.to) ? p.to.flatMap((t) => t.value) : (p.to?.value ?? []);
              expect(to.map((a) => a.address)).toEqual(mail.envelopeTo);
              expect(p.headers.has('bcc') || p.headers.has('cc') || p.headers.has('x-injected')).toBe(false);
              // A value that is itself an RFC 2047 encoded word ("=?utf-8?q?a=0D=0A…?=") goes out verbatim and is
              // decoded by the reader into text that may hold CR/LF: text inside the one Subject header, not a header.
              if (![...people.flatMap((x) => [x.fname, x.lname]), content.s].some((v) => v.includes('=?')))
                expect(p.subject ?? '').not.toMatch(/[\r\n]/);
              for (const a of p.attachments) expect(a.filename ?? '').not.toMatch(/[\r\n/\\]/);
            }
          },
        ),
        params(9, 20),
      );
    },
    LIMIT,
  );
});

// ---------------------------------------------------------------------------------------------
// What the fuzzer found, pinned down (each was a 500 on PostgreSQL or an answer no XML parser reads).

describe('fuzz findings, as regression tests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startFuzzHarness({ provision: FIXTURE });
  });
  afterAll(() => closeFuzzHarness(h));

  const post = (method: string, text: string, query?: string) =>
    send(h, method, text, {
      contentType: text.startsWith('<') ? 'application/xml' : 'application/json',
      ...(query ? { query } : {}),
    });

  it('a lone surrogate escape is a 400 naming its path (it was a 500 on PostgreSQL), nothing written', async () => {
    h.clock.advance(1);
    const before = await state(h, h.clock.now());
    const cases: [string, string][] = [
      [
        `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"data":{"email":"ls1@example.com","_fname":"a\\ud800b"}}]}`,
        'data[0].data._fname: the text holds an unpaired surrogate escape (not valid Unicode)',
      ],
      [
        `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"data":{"email":"ls2@example.com","attrs":{"\\udc00":1}}}]}`,
        'data[0].data.attrs: a key holds an unpaired surrogate escape (not valid Unicode)',
      ],
      [
        `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"custom_data":{"x":"\\uDBFF"},"data":{"email":"ls3@example.com"}}]}`,
        'data[0].custom_data.x: the text holds an unpaired surrogate escape (not valid Unicode)',
      ],
      [
        `{"token":"${WRITE_TOKEN}","trigger_id":96,"content":{"x":["\\udc00\\ud800"]},"data":[{"data":{"email":"ls4@example.com"}}]}`,
        'content.x[0]: the text holds an unpaired surrogate escape (not valid Unicode)',
      ],
      [
        `{"token":"${WRITE_TOKEN}","\\ud800":1,"trigger_id":96,"data":[{"data":{"email":"ls5@example.com"}}]}`,
        'the body holds a key with an unpaired surrogate escape (not valid Unicode)',
      ],
    ];
    for (const [text, debug] of cases) {
      const res = await post(BATCH, text);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ error: 400, error_debug: debug, error_text: 'Invalid request' });
    }
    expect(await state(h, h.clock.now())).toEqual(before);
    // A pair spelled as two escapes is one character, and is kept.
    const ok = await post(
      BATCH,
      `{"token":"${WRITE_TOKEN}","trigger_id":96,"data":[{"data":{"email":"pair@example.com","_fname":"a\\ud83e\\udd94b"}}]}`,
    );
    expect(ok.status).toBe(200);
    const got = await send(
      h,
      'profiles/get',
      JSON.stringify({ token: WRITE_TOKEN, db_id: 1, email: 'pair@example.com' }),
      { contentType: 'application/json' },
    );
    expect((JSON.parse(got.body) as { data: { _fname: string } }).data._fname).toBe('a🦔b');
  });

  it('a subscription priority beyond 32 bits fails the item (it was a 500 on PostgreSQL)', async () => {
    const sub = (email: string, priority: Json) => ({
      data: { email, subscriptions: [{ channel: 'email', resource_id: 21, email, priority }] },
    });
    const res = await post(
      BATCH,
      JSON.stringify({
        token: WRITE_TOKEN,
        trigger_id: 96,
        data: [
          sub('p1@example.com', 2 ** 31),
          sub('p2@example.com', -(2 ** 31) - 1),
          sub('p3@example.com', 2 ** 31 - 1),
          sub('p4@example.com', -(2 ** 31)),
        ],
      }),
    );
    expect(res.status).toBe(200);
    const out = outcome(res);
    expect(out.result).toHaveLength(2);
    expect(out.errors.map((e) => e.error_debug)).toEqual([
      'data[0].data.subscriptions[0].priority: invalid subscription: must be between -2147483648 and 2147483647, got 2147483648',
      'data[1].data.subscriptions[0].priority: invalid subscription: must be between -2147483648 and 2147483647, got -2147483649',
    ]);
    expect(await traceCount(h, 'p1@example.com')).toBe(0);
    const [{ n }] = await q<{ n: number }>(
      h,
      "SELECT count(*) AS n FROM subscriptions WHERE address IN ('p3@example.com', 'p4@example.com')",
    );
    expect(n).toBe(2);
  });

  it('XML answers stay well-formed: odd object keys become element names, impossible characters U+FFFD', async () => {
    const email = 'oddkeys@example.com';
    const attrs = { 'x y': 1, '1a': 2, ёж: 3, '': 4, 'a:b': { '<': 5 } };
    const res = await post(
      BATCH,
      JSON.stringify({
        token: WRITE_TOKEN,
        trigger_id: 96,
        data: [{ data: { email, _fname: 'a\u0001b\uffff', attrs } }],
      }),
    );
    expect(res.status).toBe(200);
    const xml = await post('profiles/get', JSON.stringify({ token: WRITE_TOKEN, db_id: 1, email, format: 'xml' }));
    const env = outcome(xml).envelope as { data: Record<string, unknown> };
    expect(env.data._fname).toBe('a\ufffdb\ufffd');
    expect(env.data.attrs).toEqual({ x_y: '1', _1a: '2', ёж: '3', _: '4', a_b: { _: '5' } });
    // JSON answers, and the stored profile, keep the keys and text as they were.
    const json = await post('profiles/get', JSON.stringify({ token: WRITE_TOKEN, db_id: 1, email }));
    expect((JSON.parse(json.body) as { data: Record<string, unknown> }).data).toMatchObject({
      _fname: 'a\u0001b\uffff',
      attrs,
    });
    // An unknown field name echoed in an XML error.
    const err = await post(
      BATCH,
      JSON.stringify({
        token: WRITE_TOKEN,
        trigger_id: 96,
        format: 'xml',
        data: [{ data: { email: 'echo@example.com', 'bad\u0001key': 1 } }],
      }),
    );
    expect(outcome(err).errors.map((e) => e.error_debug)).toEqual([
      "data[0].data: field 'bad\ufffdkey' is not defined in database 1",
    ]);
  });
});
