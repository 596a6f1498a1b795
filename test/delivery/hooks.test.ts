// Action hooks with a fake clock: ordered batches, retries with backoff, dead letters after
// the retry window, filters; and the event triggers (api_import, subscribe).
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/core/catalog/cache.js';
import { defaultHookOptions, HookDispatcher } from '../../src/core/hooks/dispatcher.js';
import { defaultGuard } from '../../src/senders/factory.js';
import { httpHookTransport } from '../../src/senders/hook-transport.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { rows, startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';

let http: HttpReceiver;
let h: Harness;
const HOUR = 3_600_000;

const dispatcher = () =>
  new HookDispatcher(
    {
      store: h.store,
      clock: h.clock,
      catalogs: new CatalogCache(h.store),
      transport: httpHookTransport(defaultGuard()),
      log: pino({ level: 'silent' }),
    },
    { ...defaultHookOptions, retryBaseMs: 1000 },
  );
const profile = (email: string) => ({ data: { email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] } });
const events = () =>
  http.requests
    .filter((r) => r.path === '/hooks')
    .flatMap((r) => r.json as { event_type: string; profile_id: string; event_id: string }[]);

beforeAll(async () => {
  http = await startHttpReceiver();
});
afterAll(() => http.close());
beforeEach(async () => {
  http.requests.length = 0;
  http.respond = undefined;
  http.answers.length = 0;
  h = await startHarness({
    provisionObject: deliveryProvision({
      smtpUrl: 'smtp://127.0.0.1:9',
      httpUrl: http.url,
      hookEvents: ['import_api'],
    }),
  });
});
afterEach(() => h.close());

describe('hook delivery', () => {
  it('delivers events in order, in batches of at most 100', async () => {
    await h.post('profiles/import_batch', {
      token: TOKEN,
      db_id: 1,
      data: Array.from({ length: 250 }, (_, i) => profile(`h${i}@example.com`)),
    });
    expect(await dispatcher().tick()).toBe(250);
    const batches = http.requests.filter((r) => r.path === '/hooks').map((r) => (r.json as unknown[]).length);
    expect(batches).toEqual([100, 100, 50]);
    const ids = events().map((e) => Number(e.event_id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(await dispatcher().tick()).toBe(0);
  });

  it('retries a failing hook with backoff, keeping order, then goes on', async () => {
    await h.post('profiles/import', { token: TOKEN, db_id: 1, data: profile('first@example.com').data });
    http.respond = { status: 503 };
    const d = dispatcher();
    expect(await d.tick()).toBe(0);
    const state = rows<{ attempts: number; next_attempt_at: number }>(
      h,
      'SELECT attempts, next_attempt_at FROM hook_states',
    )[0];
    expect(state.attempts).toBe(1);
    expect(state.next_attempt_at).toBeGreaterThan(h.clock.now());
    await h.post('profiles/import', { token: TOKEN, db_id: 1, data: profile('second@example.com').data });
    http.respond = undefined;
    expect(await d.tick()).toBe(0); // still waiting for the retry time
    h.clock.ms = state.next_attempt_at;
    expect(await d.tick()).toBe(2);
    expect(events().map((e) => e.event_type)).toEqual(['import_api', 'import_api']);
    expect(Number(events()[0].event_id)).toBeLessThan(Number(events()[1].event_id));
  });

  it('moves events to the dead-letter list after the retry window and continues', async () => {
    await h.post('profiles/import', { token: TOKEN, db_id: 1, data: profile('dead@example.com').data });
    http.respond = { status: 500 };
    const d = dispatcher();
    await d.tick();
    h.clock.advance(25 * HOUR);
    await d.tick();
    expect(rows(h, 'SELECT COUNT(*) AS n FROM hook_dead_letters')[0]).toEqual({ n: 1 });
    expect(d.deadLettered).toBe(1);
    http.respond = undefined;
    await h.post('profiles/import', { token: TOKEN, db_id: 1, data: profile('alive@example.com').data });
    expect(await d.tick()).toBe(1);
    expect(events()).toHaveLength(1);
  });
});

describe('hook retries', () => {
  const state = () =>
    rows<{ attempts: number; next_attempt_at: number; cursor: number }>(
      h,
      'SELECT attempts, next_attempt_at, cursor FROM hook_states',
    )[0];

  it('doubles the delay with each failure (±20 %), and waits at least what Retry-After asks', async () => {
    await h.post('profiles/import', { token: TOKEN, db_id: 1, data: profile('backoff@example.com').data });
    http.respond = { status: 500 };
    const d = dispatcher();
    for (const [attempt, base] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
    ] as const) {
      await d.tick();
      const s = state();
      expect(s.attempts).toBe(attempt);
      expect(s.next_attempt_at - h.clock.now()).toBeGreaterThanOrEqual(base * 0.8);
      expect(s.next_attempt_at - h.clock.now()).toBeLessThanOrEqual(base * 1.2);
      h.clock.ms = s.next_attempt_at;
    }
    http.respond = { status: 503, headers: { 'retry-after': '120' } };
    await d.tick();
    expect(state().next_attempt_at - h.clock.now()).toBe(120_000);
    expect(events()).toHaveLength(0);
  });

  it('passes over the events a hook does not want, and remembers it did', async () => {
    await h.close();
    // A second hook wants only unsub: the import_api events the first one wants are not for it.
    const provision = deliveryProvision({
      smtpUrl: 'smtp://127.0.0.1:9',
      httpUrl: http.url,
      hookEvents: ['import_api'],
    });
    provision.accounts[0].action_hooks.push({ url: `${http.url}/unsub-only`, events: ['unsub'] });
    h = await startHarness({ provisionObject: provision });
    await h.post('profiles/import_batch', {
      token: TOKEN,
      db_id: 1,
      data: Array.from({ length: 3 }, (_, i) => profile(`unwanted${i}@example.com`)),
    });
    const last = rows<{ id: number }>(h, 'SELECT max(id) AS id FROM events')[0].id;
    expect(await dispatcher().tick()).toBe(3);
    expect(http.requests.map((r) => r.path)).toEqual(['/hooks']);
    const states = rows<{ cursor: number; attempts: number; delivered: number }>(
      h,
      'SELECT cursor, attempts, delivered FROM hook_states ORDER BY hook_id',
    );
    expect(states).toEqual([
      { cursor: last, attempts: 0, delivered: 3 },
      { cursor: last, attempts: 0, delivered: 0 },
    ]);
  });
});

describe('a hook batch that goes through while the next one fails', () => {
  it('keeps what went through, retries the rest alone, and starts a fresh failure streak', async () => {
    await h.post('profiles/import', { token: TOKEN, db_id: 1, data: profile('early@example.com').data });
    const d = dispatcher();
    http.answers.push(503);
    expect(await d.tick()).toBe(0);
    const failingSince = h.clock.now();
    await h.post('profiles/import_batch', {
      token: TOKEN,
      db_id: 1,
      data: Array.from({ length: 150 }, (_, i) => profile(`part${i}@example.com`)),
    });

    // 23 hours into the failure, the hook takes one batch of 100 and refuses the next.
    h.clock.ms = failingSince + 23 * HOUR;
    http.answers.push(200, 500);
    expect(await d.tick()).toBe(100);
    const state = () =>
      rows<{ cursor: number; attempts: number; next_attempt_at: number; first_failure_at: number; delivered: number }>(
        h,
        'SELECT cursor, attempts, next_attempt_at, first_failure_at, delivered FROM hook_states',
      )[0];
    const delivered = events().map((e) => Number(e.event_id));
    expect(delivered).toHaveLength(100);
    expect(state()).toMatchObject({
      cursor: delivered[99],
      attempts: 1,
      first_failure_at: h.clock.now(),
      delivered: 100,
    });
    // The first retry of a fresh streak: the base delay, ±20 %.
    expect(state().next_attempt_at - h.clock.now()).toBeGreaterThanOrEqual(800);
    expect(state().next_attempt_at - h.clock.now()).toBeLessThanOrEqual(1200);

    // 25 hours after the first failure, but 2 after the hook last answered: not dead-lettered.
    h.clock.ms = failingSince + 25 * HOUR;
    http.answers.push(500);
    expect(await d.tick()).toBe(0);
    expect(rows(h, 'SELECT COUNT(*) AS n FROM hook_dead_letters')[0]).toEqual({ n: 0 });

    h.clock.advance(HOUR);
    expect(await d.tick()).toBe(51);
    const all = events().map((e) => Number(e.event_id));
    expect(all).toHaveLength(151);
    expect(new Set(all).size).toBe(151);
    expect(all).toEqual([...all].sort((a, b) => a - b));
  });
});

describe('event triggers', () => {
  it('api_import fires on every API import and subscribe on a new subscribed subscription, unless skip_triggers', async () => {
    await h.close();
    h = await startHarness({
      provisionObject: deliveryProvision(
        { smtpUrl: 'smtp://127.0.0.1:9', httpUrl: http.url },
        {
          triggers: [
            {
              id: 70,
              name: 'On import',
              trigger_type: 'api_import',
              send_channel: 'email',
              resource_id: 21,
              list_id: 1,
              is_active: true,
              content: [{ message_id: 5 }],
            },
            {
              id: 71,
              name: 'On subscribe',
              trigger_type: 'subscribe',
              send_channel: 'sms',
              resource_id: 21,
              list_id: 1,
              is_active: true,
              content: [{ message_id: 6 }],
            },
          ],
        },
      ),
    });
    await h.post('profiles/import', {
      token: TOKEN,
      db_id: 1,
      data: {
        email: 'ev@example.com',
        subscriptions: [
          { channel: 'email', email: 'ev@example.com', resource_id: 21 },
          { channel: 'sms', phone: '+79001234567', resource_id: 21 },
        ],
      },
    });
    const count = (trigger: number) =>
      rows<{ n: number }>(
        h,
        "SELECT COUNT(*) AS n FROM messages WHERE trigger_id = ? AND status = 'scheduled'",
        trigger,
      )[0].n;
    expect(count(70)).toBe(1);
    expect(count(71)).toBe(1);
    // Updating without a status change: api_import fires again, subscribe does not.
    await h.post('profiles/import', { token: TOKEN, db_id: 1, data: { email: 'ev@example.com', _fname: 'Eve' } });
    expect(count(70)).toBe(2);
    expect(count(71)).toBe(1);
    await h.post('profiles/import', {
      token: TOKEN,
      db_id: 1,
      skip_triggers: true,
      data: { email: 'ev@example.com', _fname: 'Eva' },
    });
    expect(count(70)).toBe(2);
    // Unsubscribe, then subscribe again: subscribe fires once more.
    await h.post('profiles/import', {
      token: TOKEN,
      db_id: 1,
      data: {
        email: 'ev@example.com',
        subscriptions: [{ channel: 'sms', phone: '+79001234567', resource_id: 21, status: 1 }],
      },
    });
    await h.post('profiles/import', {
      token: TOKEN,
      db_id: 1,
      data: {
        email: 'ev@example.com',
        subscriptions: [{ channel: 'sms', phone: '+79001234567', resource_id: 21, status: 'subscribed' }],
      },
    });
    expect(count(71)).toBe(2);
  });
});
