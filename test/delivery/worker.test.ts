// The delivery worker with a fake clock: delays, retries, leases and send-time checks are
// driven by advancing time and calling tick(), against a real SMTP server.
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/core/catalog/cache.js';
import { defaultRetryPolicy } from '../../src/core/delivery/retry.js';
import { SenderPool } from '../../src/core/delivery/sender-pool.js';
import { DeliveryWorker, type DeliveryOptions } from '../../src/core/delivery/worker.js';
import { createSender } from '../../src/senders/factory.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { rows, startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

let sink: SmtpSink;
let http: HttpReceiver;
let h: Harness;
let senders: SenderPool;

const MINUTE = 60_000;
const options = (o: Partial<DeliveryOptions> = {}): DeliveryOptions => ({
  batchSize: 50,
  leaseMs: MINUTE,
  pollMs: 1000,
  concurrency: 8,
  retry: { ...defaultRetryPolicy, maxAttempts: 3 },
  publicUrl: 'http://localhost:8080',
  secret: 'test-secret',
  ...o,
});
const worker = (o: Partial<DeliveryOptions> = {}) =>
  new DeliveryWorker(
    { store: h.store, clock: h.clock, catalogs: new CatalogCache(h.store), senders, log: pino({ level: 'silent' }) },
    options(o),
  );
const profile = (email: string) => ({
  data: { _fname: 'Ann', email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] },
});
const statusOf = (email: string) =>
  rows<{ status: string; attempts: number; due_at: number; reclaims: number; skip_reason: string | null }>(
    h,
    'SELECT status, attempts, due_at, reclaims, skip_reason FROM messages WHERE address = ? ORDER BY id',
    email,
  );

beforeAll(async () => {
  sink = await startSmtpSink();
  http = await startHttpReceiver();
});
afterAll(async () => {
  await sink.close();
  await http.close();
});
beforeEach(async () => {
  sink.mails.length = 0;
  sink.refuseWith = undefined;
  h = await startHarness({ provisionObject: deliveryProvision({ smtpUrl: sink.url, httpUrl: http.url }) });
  senders = new SenderPool(createSender);
});
afterEach(async () => {
  await senders.close();
  await h.close();
});

describe('scheduling', () => {
  it('holds a message until skip_minutes + timeout have passed', async () => {
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 99,
      timeout: { hours: 1, minutes: 2 },
      data: [profile('later@example.com')],
    });
    const w = worker();
    expect(statusOf('later@example.com')[0].due_at).toBe(h.clock.now() + 63 * MINUTE);
    expect(await w.tick()).toBe(0);
    h.clock.advance(63 * MINUTE - 1);
    expect(await w.tick()).toBe(0);
    h.clock.advance(1);
    expect(await w.tick()).toBe(1);
    await sink.waitFor(1);
    expect(statusOf('later@example.com')[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('claims due messages in due order', async () => {
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      timeout: { minutes: 5 },
      data: [profile('second@example.com')],
    });
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: [profile('first@example.com')],
    });
    h.clock.advance(10 * MINUTE);
    await worker({ batchSize: 1, concurrency: 1 }).tick();
    await sink.waitFor(1);
    expect(sink.mails[0].envelopeTo).toEqual(['first@example.com']);
  });
});

describe('retries', () => {
  it('backs off exponentially on transient failures and fails after the attempt limit', async () => {
    sink.refuseWith = 451;
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: [profile('flaky@example.com')],
    });
    const w = worker({ retry: { ...defaultRetryPolicy, maxAttempts: 3, baseMs: MINUTE, factor: 3 } });
    const start = h.clock.now();
    expect(await w.tick()).toBe(1);
    const first = statusOf('flaky@example.com')[0];
    expect(first).toMatchObject({ status: 'scheduled', attempts: 1 });
    expect(first.due_at - start).toBeGreaterThanOrEqual(0.8 * MINUTE);
    expect(first.due_at - start).toBeLessThanOrEqual(1.2 * MINUTE);
    h.clock.ms = first.due_at;
    expect(await w.tick()).toBe(1);
    const second = statusOf('flaky@example.com')[0];
    expect(second.due_at - first.due_at).toBeGreaterThanOrEqual(0.8 * 3 * MINUTE);
    expect(second.due_at - first.due_at).toBeLessThanOrEqual(1.2 * 3 * MINUTE);
    h.clock.ms = second.due_at;
    expect(await w.tick()).toBe(1);
    expect(statusOf('flaky@example.com')[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(sink.mails).toHaveLength(0);
  });
});

describe('leases', () => {
  it('reclaims a message whose worker died after its lease expired, with the same Message-ID', async () => {
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: [profile('crash@example.com')],
    });
    // A worker that claimed and then died: the claim is taken, no outcome recorded.
    const claimed = await h.store.claimMessages(h.clock.now(), 10, MINUTE);
    expect(claimed).toHaveLength(1);
    const w = worker();
    expect(await w.tick()).toBe(0);
    h.clock.advance(MINUTE + 1);
    expect(await w.tick()).toBe(1);
    const [mail] = await sink.waitFor(1);
    expect(mail.parsed.messageId).toBe(`<herald.${claimed[0].id}.1@example.com>`);
    expect(statusOf('crash@example.com')[0]).toMatchObject({ status: 'sent', attempts: 2, reclaims: 1 });
    expect(w.stats.reclaimed).toBe(1);
    // The dead worker's late outcome no longer counts: its claim token is stale.
    await h.store.recordOutcomes(
      [{ kind: 'failed', id: claimed[0].id, claimToken: claimed[0].claimToken, error: 'late' }],
      h.clock.now(),
    );
    expect(statusOf('crash@example.com')[0].status).toBe('sent');
  });

  it('two workers never claim the same message', async () => {
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: Array.from({ length: 40 }, (_, i) => profile(`pair${i}@example.com`)),
    });
    const [a, b] = await Promise.all([
      h.store.claimMessages(h.clock.now(), 25, MINUTE),
      h.store.claimMessages(h.clock.now(), 25, MINUTE),
    ]);
    const ids = [...a, ...b].map((m) => m.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
  });
});

describe('send-time checks', () => {
  it('skips messages whose subscription was unsubscribed or whose profile was deleted', async () => {
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      timeout: { minutes: 1 },
      data: [profile('gone@example.com'), profile('quiet@example.com')],
    });
    await h.post('profiles/import', {
      token: TOKEN,
      db_id: 1,
      data: {
        email: 'quiet@example.com',
        subscriptions: [{ channel: 'email', email: 'quiet@example.com', resource_id: 21, status: 'unsubscribed' }],
      },
    });
    await h.post('profiles/delete', { token: TOKEN, db_id: 1, email: 'gone@example.com' });
    h.clock.advance(MINUTE);
    await worker().tick();
    expect(statusOf('quiet@example.com')[0]).toMatchObject({
      status: 'skipped',
      skip_reason: 'subscription is unsubscribed',
    });
    expect(statusOf('gone@example.com')[0]).toMatchObject({ status: 'cancelled' });
    expect(sink.mails).toHaveLength(0);
  });
});

describe('A/B split', () => {
  it('gives each profile a stable variant by a hash of its id', async () => {
    const tpl = { id: 8, name: 'B', channel: 'email', subject: 'Variant B for {lead._fname}', text: 'B' };
    await h.close();
    h = await startHarness({
      provisionObject: deliveryProvision(
        { smtpUrl: sink.url, httpUrl: http.url },
        {
          templates: [tpl],
          triggers: [
            {
              id: 80,
              name: 'AB',
              trigger_type: 'api_call',
              send_channel: 'email',
              resource_id: 21,
              list_id: 1,
              is_active: true,
              content: [{ message_id: 5 }, { message_id: 8 }],
            },
          ],
        },
      ),
    });
    const emails = Array.from({ length: 20 }, (_, i) => `ab${i}@example.com`);
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 80,
      data: emails.map(profile),
    });
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 80,
      data: emails.map(profile),
    });
    await worker().tick();
    const mails = await sink.waitFor(40);
    const variantOf = new Map<string, Set<string>>();
    for (const m of mails) {
      const to = m.envelopeTo[0];
      const v = String(m.parsed.subject).startsWith('Variant B') ? 'B' : 'A';
      variantOf.set(to, (variantOf.get(to) ?? new Set()).add(v));
    }
    expect([...variantOf.values()].every((s) => s.size === 1)).toBe(true);
    const counts = [...variantOf.values()].map((s) => [...s][0]);
    expect(counts.filter((v) => v === 'A').length).toBeGreaterThan(0);
    expect(counts.filter((v) => v === 'B').length).toBeGreaterThan(0);
  });
});

describe('graceful stop', () => {
  it('finishes the send in flight and gives back the claimed messages it had not started', async () => {
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: Array.from({ length: 5 }, (_, i) => profile(`stop${i}@example.com`)),
    });
    sink.delayMs = 200;
    const w = worker({ batchSize: 5, concurrency: 1 });
    w.start();
    await sink.waitFor(1);
    await w.stop();
    sink.delayMs = 0;
    const states = rows<{ status: string; attempts: number; lease_until: number | null }>(
      h,
      "SELECT status, attempts, lease_until FROM messages WHERE address LIKE 'stop%' ORDER BY id",
    );
    expect(states[0]).toEqual({ status: 'sent', attempts: 1, lease_until: null });
    expect(states.slice(1)).toEqual(
      Array.from({ length: 4 }, () => ({ status: 'scheduled', attempts: 0, lease_until: null })),
    );
    expect(sink.mails).toHaveLength(1);
  });
});

describe('retention', () => {
  it('purges finished messages and unused launches with their attachments after the retention period', async () => {
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      attach: { data: 'data:text/plain;base64,SGk=', name: 'a.txt' },
      data: [profile('old@example.com')],
    });
    await worker().tick();
    await sink.waitFor(1);
    const now = h.clock.now();
    expect(await h.store.purge(now)).toEqual({ messages: 0, events: 0 });
    h.clock.advance(31 * 86_400_000);
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      timeout: { days: 1 },
      data: [profile('new@example.com')],
    });
    const result = await h.store.purge(h.clock.now() - 30 * 86_400_000);
    expect(result.messages).toBe(1);
    expect(rows(h, 'SELECT address FROM messages')).toEqual([{ address: 'new@example.com' }]);
    expect(rows(h, 'SELECT COUNT(*) AS n FROM attachments')[0]).toEqual({ n: 0 });
    expect(rows(h, 'SELECT COUNT(*) AS n FROM launches')[0]).toEqual({ n: 1 });
  });
});
