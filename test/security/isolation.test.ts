// Issue 7, "Isolation": for every method of the registry (src/core/methods.ts), a token of
// account 2 can neither read, change, launch nor detect account 1's objects. Every reference to
// one of account 1's objects — database, resource, template, trigger, profile (by id and by email),
// task — is answered exactly as a reference to an object that does not exist at all (same status,
// same payload, same error text but for the id), and nothing of account 1 changes. Lists show
// account 2 nothing of account 1. A method added to the registry fails this test until it says
// how its references are probed (PROBES below); every reference parameter of its schema must be.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/core/catalog/cache.js';
import { WIRES } from '../../src/http/codecs/wires.js';
import { TaskRunner } from '../../src/core/tasks/runner.js';
import { methods } from '../../src/core/methods.js';
import { FIXTURE, OTHER_TOKEN, WRITE_TOKEN } from '../helpers/api.js';
import { startHarness, type Harness, type Response } from '../helpers/harness.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Body = { [key: string]: Json };

/** What a probe references. */
type Kind = 'database' | 'resource' | 'template' | 'trigger' | 'profile' | 'email' | 'task' | 'suppression';

interface Probe {
  /** The parameters of the method's schema this probe puts a reference in. */
  covers: string[];
  kind: Kind;
  /** Account 2's request (token added), with `ref` where the reference goes. */
  body: (ref: Json) => Body;
}

// Account 2 (test/fixtures/http-api.json): database 3, resource 31, template 8, trigger 200.
const OWN = { db: 3, resource: 31, template: 8, trigger: 200 };
/** Ids that exist nowhere. */
const MISSING: Record<Kind, Json> = {
  database: 999_999,
  resource: 999_999,
  template: 999_999,
  trigger: 999_999,
  profile: 'ffffffffffffffffffffffff',
  email: 'nobody-anywhere@example.com',
  task: 'task_00000000-0000-4000-8000-000000000000',
  suppression: 999_999,
};

const item = (extra: Body = {}): Body => ({ data: { _fname: 'Iso', ...extra } });
/** Items naming a profile by id: as the item's key, and inside its data. */
const byProfileId = (ref: Json): Json[] => [
  { profile_id: ref, data: { _fname: 'Iso' } },
  { data: { profile_id: ref, _fname: 'Iso' } },
];
const subscribedTo = (resource: Json): Body => ({
  data: {
    email: 'iso.new@example.com',
    subscriptions: [{ channel: 'email', resource_id: resource, email: 'iso.new@example.com' }],
  },
});

/** References in launch requests (import_and_start*, start*, their tasks). */
function launchProbes(opts: { single?: boolean; imports: boolean }): Probe[] {
  const data = (items: Body[]): Json => (opts.single ? items[0].data : items);
  const probes: Probe[] = [
    {
      covers: ['trigger_id'],
      kind: 'trigger',
      body: (r) => ({ trigger_id: r, data: data([subscribedTo(OWN.resource)]) }),
    },
    { covers: ['trigger_id'], kind: 'trigger', body: (r) => ({ id: r, data: data([subscribedTo(OWN.resource)]) }) },
    {
      covers: ['resource_id'],
      kind: 'resource',
      body: (r) => ({ trigger_id: OWN.trigger, resource_id: r, data: data([item({ email: 'iso.res@example.com' })]) }),
    },
    {
      covers: ['profile_id'],
      kind: 'profile',
      body: (r) => ({ trigger_id: OWN.trigger, matching: 'profile_id', profile_id: r, data: data([item()]) }),
    },
  ];
  if (opts.single) {
    probes.push(
      {
        covers: ['data'],
        kind: 'profile',
        body: (r) => ({ trigger_id: OWN.trigger, matching: 'profile_id', data: { profile_id: r, _fname: 'Iso' } }),
      },
      { covers: ['data'], kind: 'resource', body: (r) => ({ trigger_id: OWN.trigger, data: subscribedTo(r).data }) },
    );
  } else {
    probes.push({
      covers: ['data'],
      kind: 'profile',
      body: (r) => ({ trigger_id: OWN.trigger, matching: 'profile_id', data: byProfileId(r) }),
    });
    if (opts.imports)
      probes.push({
        covers: ['data'],
        kind: 'resource',
        body: (r) => ({ trigger_id: OWN.trigger, data: [subscribedTo(r)] }),
      });
    else
      probes.push({
        covers: ['data'],
        kind: 'email',
        body: (r) => ({ trigger_id: OWN.trigger, data: [{ email: r }] }),
      });
  }
  if (!opts.imports)
    probes.push({
      covers: ['email'],
      kind: 'email',
      body: (r) => ({ trigger_id: OWN.trigger, email: r, data: data([{ custom_data: { a: 1 } }]) }),
    });
  return probes;
}

/** References in profile requests (profiles/*). */
function profileProbes(opts: { data?: 'one' | 'many' }): Probe[] {
  const data: Body =
    opts.data === 'one'
      ? { data: { _fname: 'Iso' } }
      : opts.data === 'many'
        ? { data: [item({ email: 'iso.p@example.com' })] }
        : {};
  const probes: Probe[] = [
    { covers: ['db_id'], kind: 'database', body: (r) => ({ db_id: r, email: 'iso.p@example.com', ...data }) },
    { covers: ['db_id'], kind: 'database', body: (r) => ({ list_id: r, email: 'iso.p@example.com', ...data }) },
    {
      covers: ['resource_id'],
      kind: 'resource',
      body: (r) => ({ db_id: OWN.db, resource_id: r, email: 'iso.p@example.com', ...data }),
    },
    {
      covers: ['profile_id'],
      kind: 'profile',
      body: (r) => ({ db_id: OWN.db, matching: 'profile_id', profile_id: r, ...data }),
    },
  ];
  // Looking a profile up by email (an import would create one when none matches: its own, not a leak).
  if (opts.data === undefined)
    probes.push({
      covers: ['email'],
      kind: 'email',
      body: (r) => ({ db_id: OWN.db, matching: 'email_profile', email: r }),
    });
  if (opts.data === 'one')
    probes.push({ covers: ['data'], kind: 'resource', body: (r) => ({ db_id: OWN.db, data: subscribedTo(r).data }) });
  if (opts.data === 'many') {
    probes.push(
      { covers: ['data'], kind: 'resource', body: (r) => ({ db_id: OWN.db, data: [subscribedTo(r)] }) },
      {
        covers: ['data'],
        kind: 'profile',
        body: (r) => ({ db_id: OWN.db, matching: 'profile_id', data: byProfileId(r) }),
      },
    );
  }
  return probes;
}

const byId = (kind: Kind, alias = 'id', extra: Body = {}): Probe => ({
  covers: ['id'],
  kind,
  body: (r) => ({ [alias]: r, ...extra }),
});
const triggerAdd: Body = {
  name: 'Iso',
  trigger_type: 'api_call',
  send_channel: 'email',
  resource_id: OWN.resource,
  list_id: OWN.db,
  content: [{ message_id: OWN.template }],
};

/** Every method: how its references are probed ([] for a method that takes none; lists are checked apart). */
const PROBES: Record<string, Probe[]> = {
  'campaigns/triggers/import_and_start_batch': launchProbes({ imports: true }),
  'campaigns/triggers/import_and_start': launchProbes({ single: true, imports: true }),
  'campaigns/triggers/import_and_start_batch_task': launchProbes({ imports: true }),
  'campaigns/triggers/start': [
    ...launchProbes({ single: true, imports: false }).filter((p) => !p.covers.includes('data')),
    {
      covers: ['custom_request'],
      kind: 'email',
      body: (r) => ({ trigger_id: OWN.trigger, custom_request: { email: r } }),
    },
  ],
  'campaigns/triggers/start_batch': launchProbes({ imports: false }),
  'campaigns/triggers/start_batch_task': launchProbes({ imports: false }),
  'tasks/status': [{ covers: ['task_id'], kind: 'task', body: (r) => ({ task_id: r }) }],
  'profiles/import': profileProbes({ data: 'one' }),
  'profiles/import_batch': profileProbes({ data: 'many' }),
  'profiles/update': [
    ...profileProbes({ data: 'one' }),
    { covers: ['email'], kind: 'email', body: (r) => ({ db_id: OWN.db, email: r, data: { _fname: 'Iso' } }) },
  ],
  'profiles/get': profileProbes({}),
  'profiles/delete': profileProbes({}),
  'messages/list': [
    { covers: ['trigger_id'], kind: 'trigger', body: (r) => ({ trigger_id: r }) },
    { covers: ['profile_id'], kind: 'profile', body: (r) => ({ profile_id: r }) },
  ],
  'campaigns/log_v2': [byId('trigger'), byId('trigger', 'trigger_id')],
  'campaigns/triggers/add': [
    { covers: ['resource_id'], kind: 'resource', body: (r) => ({ ...triggerAdd, resource_id: r }) },
    { covers: ['list_id'], kind: 'database', body: (r) => ({ ...triggerAdd, list_id: r }) },
    { covers: ['content'], kind: 'template', body: (r) => ({ ...triggerAdd, content: [{ message_id: r }] }) },
  ],
  'campaigns/triggers/update': [
    byId('trigger', 'id', { name: 'Changed' }),
    byId('trigger', 'trigger_id', { is_active: false }),
    { covers: ['resource_id'], kind: 'resource', body: (r) => ({ id: OWN.trigger, resource_id: r }) },
    { covers: ['list_id'], kind: 'database', body: (r) => ({ id: OWN.trigger, list_id: r }) },
    { covers: ['content'], kind: 'template', body: (r) => ({ id: OWN.trigger, content: [{ message_id: r }] }) },
  ],
  'campaigns/triggers/get': [byId('trigger'), byId('trigger', 'trigger_id')],
  'campaigns/triggers/list': [],
  'campaigns/triggers/clone': [byId('trigger', 'id', { name: 'Stolen' })],
  'campaigns/triggers/delete': [byId('trigger')],
  'campaigns/activate': [byId('trigger')],
  'campaigns/deactivate': [byId('trigger', 'id', { abort_if_running: true })],
  'campaigns/status': [byId('trigger')],
  'campaigns/get_status': [byId('trigger')],
  'databases/add': [],
  'databases/update': [byId('database', 'id', { name: 'Changed', fields: [{ name: 'stolen', type: 'string' }] })],
  'databases/get': [byId('database'), byId('database', 'db_id')],
  'databases/list': [],
  'databases/delete': [byId('database')],
  'databases/fields_get': [byId('database'), byId('database', 'list_id')],
  'resources/add': [
    {
      covers: ['db_ids'],
      kind: 'database',
      body: (r) => ({
        name: 'Iso',
        db_ids: [r],
        channels: { email: { sender: 'outbox', from_email: 'iso@example.com' } },
      }),
    },
  ],
  'resources/update': [
    byId('resource', 'id', { name: 'Changed' }),
    { covers: ['db_ids'], kind: 'database', body: (r) => ({ id: OWN.resource, db_ids: [OWN.db, r] }) },
  ],
  'resources/get': [byId('resource'), byId('resource', 'resource_id')],
  'resources/list': [],
  'resources/delete': [byId('resource')],
  'templates/add': [],
  'templates/update': [byId('template', 'id', { text: 'Changed' })],
  'templates/get': [byId('template'), byId('template', 'template_id')],
  'templates/list': [],
  'templates/delete': [byId('template')],
  'templates/preview': previewProbes(),
  // A test send: the same references, and the address it would go to.
  'templates/test_send': previewProbes({ test_email: 'iso.t@example.com' }),
  'templates/tests': [{ covers: ['template_id'], kind: 'template', body: (r) => ({ template_id: r }) }],
  'profiles/list': [{ covers: ['db_id'], kind: 'database', body: (r) => ({ db_id: r }) }],
  'account/get': [],
  'senders/list': [],
  'account/stats': [],
  'campaigns/triggers/stats': [byId('trigger', 'id', { date_from: '2026-11-01', date_to: '2026-11-30' })],
  ...suppressionProbes(),
};

/** templates/preview's references (and a test send's, with its address in `more`). */
function previewProbes(more: Body = {}): Probe[] {
  const covered = Object.keys(more);
  return [
    byId('template', 'id', more),
    {
      covers: ['db_id'],
      kind: 'database',
      body: (r) => ({ id: OWN.template, db_id: r, profile_id: MISSING.profile, ...more }),
    },
    {
      covers: ['profile_id'],
      kind: 'profile',
      body: (r) => ({ id: OWN.template, db_id: OWN.db, profile_id: r, ...more }),
    },
    {
      covers: ['resource_id', 'data', ...covered],
      kind: 'resource',
      body: (r) => ({ id: OWN.template, data: { email: 'iso.p@example.com' }, resource_id: r, ...more }),
    },
  ];
}

/** The stop-list methods: every one names its list by `id`. */
function suppressionProbes(): Record<string, Probe[]> {
  const values: Record<string, Body> = {
    email: { email: 'iso.s@example.com' },
    domain: { domain: 'iso.example' },
    phone: { phone: '+12025550143' },
  };
  const many: Record<string, Body> = {
    email: { emails: ['iso.s@example.com'] },
    domain: { domains: ['iso.example'] },
    phone: { phones: ['+12025550143'] },
  };
  const out: Record<string, Probe[]> = {
    'suppresses/add': [],
    'suppresses/update': [byId('suppression', 'id', { name: 'Stolen' })],
    'suppresses/get': [byId('suppression')],
    'suppresses/list': [],
    'suppresses/entries': [byId('suppression')],
    'suppresses/delete': [byId('suppression')],
  };
  for (const kind of ['email', 'domain', 'phone']) {
    out[`suppresses/${kind}_check`] = [byId('suppression', 'id', values[kind])];
    out[`suppresses/${kind}_add`] = [byId('suppression', 'id', values[kind])];
    out[`suppresses/${kind}s_add`] = [byId('suppression', 'id', many[kind])];
    out[`suppresses/${kind}_remove`] = [byId('suppression', 'id', values[kind])];
    out[`suppresses/${kind}_clear`] = [byId('suppression')];
  }
  return out;
}

/** Schema parameters that name an object (each must be probed where a method takes it). */
const REFERENCES = new Set([
  'id',
  'db_id',
  'list_id',
  'trigger_id',
  'resource_id',
  'template_id',
  'profile_id',
  'task_id',
  'db_ids',
  'data',
]);

/** The envelope, with the reference (and task ids, fresh per request) replaced by placeholders. */
function normalized(res: Response, ref: Json): unknown {
  const refText = String(ref).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const refPattern = new RegExp(`(?<![\\w-])${refText}(?![\\w-])`, 'g');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string')
      return v
        .replace(refPattern, '<REF>')
        .replace(/task_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<TASK>');
    if (typeof v === 'number') return v === ref ? '<REF>' : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { status: res.status, body: walk(res.json) };
}

let h: Harness;
/** Account 1's objects, by kind. */
const theirs: Record<Kind, Json[]> = {
  database: [1, 2],
  resource: [21, 22, 23],
  template: [5, 6, 7],
  trigger: [96, 85, 97, 98, 99, 100, 101, 102],
  profile: [],
  email: ['victim@example.com', 'partner@example.com'],
  task: [],
  suppression: [],
};
const theirMessages: number[] = [];

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

/** Everything of account 1 that a request could change, in one row. */
function accountOne(): Record<string, unknown> {
  return h.sql(
    `SELECT (SELECT count(*) FROM profiles WHERE account_id = 1) AS profiles,
            (SELECT coalesce(sum(updated_at), 0) FROM profiles WHERE account_id = 1) AS profiles_updated,
            (SELECT coalesce(sum(length(CAST(fields AS TEXT))), 0) FROM profiles WHERE account_id = 1) AS profiles_len,
            (SELECT count(*) FROM profile_values WHERE db_id IN (1, 2)) AS profile_values,
            (SELECT count(*) FROM subscriptions WHERE db_id IN (1, 2)) AS subscriptions,
            (SELECT coalesce(sum(status * 1000 + priority + updated_at), 0) FROM subscriptions WHERE db_id IN (1, 2)) AS subscriptions_sum,
            (SELECT count(*) FROM messages WHERE account_id = 1) AS messages,
            (SELECT count(*) FROM messages WHERE account_id = 1 AND status = 'scheduled') AS scheduled,
            (SELECT count(*) FROM messages WHERE account_id <> 1 AND profile_id IN (SELECT id FROM profiles WHERE account_id = 1)) AS launched_by_others,
            (SELECT count(*) FROM launches WHERE account_id = 1) AS launches,
            (SELECT count(*) FROM events WHERE account_id = 1) AS events,
            (SELECT count(*) FROM tasks WHERE account_id = 1) AS tasks,
            (SELECT count(*) FROM databases WHERE account_id = 1) AS databases,
            (SELECT coalesce(sum(length(CAST(fields AS TEXT)) + length(name)), 0) FROM databases WHERE account_id = 1) AS databases_sum,
            (SELECT count(*) FROM resources WHERE account_id = 1) AS resources,
            (SELECT coalesce(sum(length(CAST(db_ids AS TEXT)) + length(CAST(channels AS TEXT)) + length(name)), 0) FROM resources WHERE account_id = 1) AS resources_sum,
            (SELECT count(*) FROM templates WHERE account_id = 1) AS templates,
            (SELECT coalesce(sum(length(CAST(body AS TEXT)) + length(name)), 0) FROM templates WHERE account_id = 1) AS templates_sum,
            (SELECT count(*) FROM triggers WHERE account_id = 1) AS triggers,
            (SELECT coalesce(sum(length(CAST(definition AS TEXT)) + CASE WHEN is_active THEN 1 ELSE 0 END), 0) FROM triggers WHERE account_id = 1) AS triggers_sum,
            (SELECT config_version FROM accounts WHERE id = 1) AS config_version`,
  )[0];
}

beforeAll(async () => {
  h = await startHarness({ provision: FIXTURE });
  // Account 1: profiles in both of its databases, scheduled messages, a finished task.
  const victim = await h.post('campaigns/triggers/import_and_start_batch', {
    token: WRITE_TOKEN,
    trigger_id: 96,
    data: [
      {
        data: {
          email: 'victim@example.com',
          _fname: 'Victim',
          CRM_ID: 777,
          Custom_ID: 'victim',
          interests: ['vip'],
          phones: '+79001234567',
          subscriptions: [
            { channel: 'email', resource_id: 21, email: 'victim@example.com' },
            { channel: 'sms', resource_id: 21, phone: '+79001234567' },
            { channel: 'push', resource_id: 21, provider: 'android-firebase', subscription_id: 'victim-device' },
          ],
        },
      },
    ],
  });
  expect(victim.status, victim.body).toBe(200);
  const partner = await h.post('profiles/import', {
    token: WRITE_TOKEN,
    db_id: 2,
    data: {
      email: 'partner@example.com',
      subscriptions: [{ channel: 'email', resource_id: 23, email: 'partner@example.com' }],
    },
  });
  expect(partner.status, partner.body).toBe(200);
  theirs.profile.push(
    (victim.json.result as { profile_id: string }[])[0].profile_id,
    partner.json.profile_id as string,
  );
  const task = await h.post('campaigns/triggers/start_batch_task', {
    token: WRITE_TOKEN,
    trigger_id: 85,
    data: [{ email: 'victim@example.com' }],
  });
  expect(task.status, task.body).toBe(200);
  theirs.task.push((task.json.data as { task_id: string }).task_id);
  // Run account 1's task now: later task runs below must only find account 2's.
  expect(await runner().tick()).toBe(true);
  theirMessages.push(...h.sql<{ id: number }>('SELECT id FROM messages WHERE account_id = 1').map((m) => m.id));
  expect(theirMessages.length).toBeGreaterThanOrEqual(3);
  const list = await h.post('suppresses/add', { token: WRITE_TOKEN, name: 'Account 1 stop list' });
  expect(list.status, list.body).toBe(200);
  theirs.suppression.push((list.json.data as { saved_id: number }).saved_id);
  expect(
    (
      await h.post('suppresses/email_add', {
        token: WRITE_TOKEN,
        id: theirs.suppression[0],
        email: 'victim@example.com',
      })
    ).status,
  ).toBe(200);
  // Account 2 has objects of its own, so its lists are not empty.
  expect((await h.post('suppresses/add', { token: OTHER_TOKEN, name: 'Own stop list' })).status).toBe(200);
  const own = await h.post('campaigns/triggers/import_and_start_batch', {
    token: OTHER_TOKEN,
    trigger_id: OWN.trigger,
    data: [
      {
        data: {
          email: 'own@example.com',
          subscriptions: [{ channel: 'email', resource_id: OWN.resource, email: 'own@example.com' }],
        },
      },
    ],
  });
  expect(own.status, own.body).toBe(200);
});
afterAll(() => h.close());

describe('isolation between accounts', () => {
  it('every method of the registry says how its references are probed, and probes every reference parameter', () => {
    const missing = [...methods.keys()].filter((name) => !(name in PROBES));
    expect(missing, 'methods without isolation probes: add them to PROBES').toEqual([]);
    expect(
      Object.keys(PROBES).filter((name) => !methods.has(name)),
      'probes for methods that no longer exist',
    ).toEqual([]);
    for (const [name, method] of methods) {
      const params = Object.keys((method.params.json() as { properties?: Record<string, unknown> }).properties ?? {});
      const covered = new Set(PROBES[name].flatMap((p) => p.covers));
      const unprobed = params.filter((p) => REFERENCES.has(p) && !covered.has(p));
      expect(unprobed, `${name}: reference parameters without a probe`).toEqual([]);
    }
  });

  it("account 2's profile searches never match account 1's profiles (email, custom field, phone, push)", async () => {
    const before = accountOne();
    const own = (extra: Body) => h.post('profiles/get', { token: OTHER_TOKEN, db_id: OWN.db, ...extra });
    const nobody = await own({ email: 'not-imported-anywhere@example.com' });
    for (const res of [
      await own({ email: 'victim@example.com' }),
      await own({ matching: 'email_sub', email: 'victim@example.com' }),
      await own({ matching: 'phone', phone: '+79001234567' }),
      await own({ matching: 'push_sub', provider: 'android-firebase', subscription_id: 'victim-device' }),
      await own({ matching: 'custom', field_name: 'CRM_ID', field_value: 777 }),
    ]) {
      expect({ status: res.status, body: res.json }).toEqual({ status: nobody.status, body: nobody.json });
    }
    // A launch by a query in account 2's own database finds only account 2's profiles.
    const start = await h.post('campaigns/triggers/start', {
      token: OTHER_TOKEN,
      trigger_id: OWN.trigger,
      custom_request: {},
    });
    expect(start.status, start.body).toBe(200);
    expect(accountOne()).toEqual(before);
  });

  it("account 2 gets exactly the answer of a missing object for each of account 1's objects, and changes nothing of account 1", async () => {
    const before = accountOne();
    let compared = 0;
    for (const [name, probes] of Object.entries(PROBES)) {
      for (const probe of probes) {
        const missing = await h.post(name, { token: OTHER_TOKEN, ...probe.body(MISSING[probe.kind]) });
        expect(missing.status, `${name} ${JSON.stringify(probe.body(MISSING[probe.kind]))}: ${missing.body}`).not.toBe(
          500,
        );
        const expected = normalized(missing, MISSING[probe.kind]);
        for (const ref of theirs[probe.kind]) {
          const res = await h.post(name, { token: OTHER_TOKEN, ...probe.body(ref) });
          expect(
            normalized(res, ref),
            `${name} with account 1's ${probe.kind} ${String(ref)} (${probe.covers.join(', ')})`,
          ).toEqual(expected);
          compared++;
        }
      }
    }
    // Tasks account 2 submitted ran as tasks of account 2: what they did is what a missing id does.
    while (await runner().tick());
    expect(accountOne()).toEqual(before);
    expect(compared).toBeGreaterThan(200);
    console.log(`isolation: ${compared} references to account 1's objects, each answered like a missing one`);
  });

  it("a finished task of account 2 reports account 1's profiles exactly as missing ones", async () => {
    const submit = async (ref: Json) => {
      const res = await h.post('campaigns/triggers/start_batch_task', {
        token: OTHER_TOKEN,
        trigger_id: OWN.trigger,
        matching: 'profile_id',
        data: [{ profile_id: ref }],
      });
      expect(res.status, res.body).toBe(200);
      return (res.json.data as { task_id: string }).task_id;
    };
    const before = accountOne();
    const ids = [await submit(theirs.profile[0]), await submit(MISSING.profile)];
    while (await runner().tick());
    const [theirsDone, missingDone] = await Promise.all(
      ids.map((id) => h.post('tasks/status', { token: OTHER_TOKEN, task_id: id })),
    );
    expect(theirsDone.json.data).toEqual({
      status: 'completed',
      progress: 100,
      result: {
        result: [],
        errors: [{ index: 0, error: 404, error_text: 'Not found', error_debug: 'data[0]: Profile not found' }],
      },
    });
    expect(normalized(theirsDone, theirs.profile[0])).toEqual(normalized(missingDone, MISSING.profile));
    expect(accountOne()).toEqual(before);
    // And account 1 cannot see account 2's task either.
    const cross = await h.post('tasks/status', { token: WRITE_TOKEN, task_id: ids[0] });
    expect(cross.status).toBe(404);
  });

  it("lists never include account 1's objects", async () => {
    // senders/list answers senders by name (both accounts may name one alike) from the caller's own catalog.
    const lists = [...methods.keys()].filter((name) => name.endsWith('/list') && name !== 'senders/list');
    expect(lists).toEqual(
      expect.arrayContaining([
        'databases/list',
        'resources/list',
        'templates/list',
        'campaigns/triggers/list',
        'messages/list',
      ]),
    );
    const idsOf: Record<string, Json[]> = {
      'databases/list': theirs.database,
      'resources/list': theirs.resource,
      'templates/list': theirs.template,
      'campaigns/triggers/list': theirs.trigger,
      'messages/list': theirMessages,
      'suppresses/list': theirs.suppression,
      'profiles/list': theirs.profile,
    };
    /** What a list method needs besides a cursor (profiles/list pages one database). */
    const required: Record<string, Body> = { 'profiles/list': { db_id: OWN.db } };
    for (const name of lists) {
      // From the start, and from a cursor inside account 1's ids.
      for (const extra of [{}, { from_id: 1 }, { from_id: theirMessages[0] }, { limit: 1000 }]) {
        const res = await h.post(name, { token: OTHER_TOKEN, ...required[name], ...extra });
        expect(res.status, `${name}: ${res.body}`).toBe(200);
        const data = res.json.data as { id: number; profile_id?: string; trigger_id?: number }[];
        expect(data.length, `${name} shows account 2 its own objects`).toBeGreaterThan(0);
        // suppresses/list answers as Altcraft's page shows it: no total_count.
        if (name !== 'suppresses/list') expect(res.json.total_count).toBeGreaterThanOrEqual(data.length);
        for (const row of data) {
          expect(idsOf[name] ?? [], `${name} lists account 1's ${row.id}`).not.toContain(row.id);
          if (row.profile_id !== undefined) expect(theirs.profile).not.toContain(row.profile_id);
          if (row.trigger_id !== undefined) expect(theirs.trigger).not.toContain(row.trigger_id);
        }
        // Filters by account 1's objects find nothing rather than an error that would tell them apart.
        if (name === 'messages/list') {
          const byProfile = await h.post(name, { token: OTHER_TOKEN, profile_id: theirs.profile[0] });
          expect(byProfile.json).toMatchObject({ error: 0, data: [], total_count: 0 });
        }
      }
      // Account 1 sees its own objects in the same list (the list does work).
      const mine = await h.post(name, { token: WRITE_TOKEN, ...(name === 'profiles/list' ? { db_id: 1 } : {}) });
      expect((mine.json.data as { id: number }[]).some((row) => (idsOf[name] ?? []).includes(row.id))).toBe(true);
    }
    // total_count counts account 2's objects only.
    const triggers = await h.post('campaigns/triggers/list', { token: OTHER_TOKEN });
    expect(triggers.json.total_count).toBe((triggers.json.data as unknown[]).length);
  });
});
