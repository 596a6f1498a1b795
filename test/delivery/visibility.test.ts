// messages/list and campaigns/log_v2 after real deliveries (fake clock, worker ticks).
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/core/catalog/cache.js';
import { defaultRetryPolicy } from '../../src/core/delivery/retry.js';
import { SenderPool } from '../../src/core/delivery/sender-pool.js';
import { DeliveryWorker } from '../../src/core/delivery/worker.js';
import { createSender } from '../../src/senders/factory.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

let h: Harness;
let sink: SmtpSink;
let senders: SenderPool;

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await startHarness({ provisionObject: deliveryProvision({ smtpUrl: sink.url, httpUrl: 'http://127.0.0.1:9' }) });
  senders = new SenderPool(createSender);
  await h.post('campaigns/triggers/import_and_start_batch', {
    token: TOKEN,
    trigger_id: 96,
    data: [
      {
        data: {
          email: 'one@example.com',
          subscriptions: [{ channel: 'email', email: 'one@example.com', resource_id: 21 }],
        },
      },
      {
        data: {
          email: 'two@example.com',
          subscriptions: [{ channel: 'email', email: 'two@example.com', resource_id: 21 }],
        },
      },
      { data: { email: 'nosub@example.com' } },
    ],
  });
  await h.post('campaigns/triggers/import_and_start', {
    token: TOKEN,
    trigger_id: 96,
    data: {
      email: 'bad@example.com',
      subscriptions: [{ channel: 'email', email: 'bad@example.com', resource_id: 21 }],
    },
  });
  const worker = new DeliveryWorker(
    { store: h.store, clock: h.clock, catalogs: new CatalogCache(h.store), senders, log: pino({ level: 'silent' }) },
    {
      batchSize: 50,
      leaseMs: 60_000,
      pollMs: 1000,
      concurrency: 1,
      retry: defaultRetryPolicy,
      publicUrl: 'http://x',
      secret: 's',
    },
  );
  await worker.tick();
});
afterAll(async () => {
  await senders.close();
  await h.close();
  await sink.close();
});

describe('messages/list', () => {
  it('lists the account’s messages with filters, paging and total_count', async () => {
    const all = await h.post('messages/list', { token: TOKEN, trigger_id: 96 });
    expect(all.status).toBe(200);
    const data = all.json.data as Record<string, unknown>[];
    expect(all.json.total_count).toBe(4);
    expect(data.map((m) => [m.address, m.status])).toEqual([
      ['one@example.com', 'sent'],
      ['two@example.com', 'sent'],
      [null, 'skipped'],
      ['bad@example.com', 'sent'],
    ]);
    expect(data[2]).toMatchObject({
      skip_reason: 'no subscribed email subscription on resource 21',
      sent_at: null,
      attempts: 0,
    });
    expect(data[0]).toMatchObject({ trigger_id: 96, channel: 'email', resource_id: 21, attempts: 1 });
    expect(String(data[0].sent_at)).toMatch(/^\d{4}-\d\d-\d\dT/);

    const page = await h.post('messages/list', { token: TOKEN, trigger_id: 96, limit: 2, from_id: data[1].id });
    expect((page.json.data as unknown[]).length).toBe(2);
    expect(page.json.total_count).toBe(4);
    expect((page.json.data as { id: number }[])[0].id).toBe(data[1].id);

    // Newest first: the same messages in descending ids; from_id is then the highest of the page.
    const newest = await h.post('messages/list', { token: TOKEN, trigger_id: 96, order: 'desc' });
    expect((newest.json.data as { id: number }[]).map((m) => m.id)).toEqual(data.map((m) => m.id).reverse());
    const older = await h.post('messages/list', {
      token: TOKEN,
      trigger_id: 96,
      order: 'desc',
      limit: 2,
      from_id: data[2].id,
    });
    expect((older.json.data as { id: number }[]).map((m) => m.id)).toEqual([data[2].id, data[1].id]);
    expect(older.json.total_count).toBe(4);
    expect((await h.post('messages/list', { token: TOKEN, order: 'newest' })).status).toBe(400);

    const skipped = await h.post('messages/list', { token: TOKEN, status: 'skipped' });
    expect(skipped.json.total_count).toBe(1);
    const byProfile = await h.post('messages/list', {
      token: TOKEN,
      profile_id: data[0].profile_id,
      status: ['sent', 'failed'],
    });
    expect(byProfile.json.total_count).toBe(1);
  });

  it('refuses a bad status, a zero limit and an unknown trigger; answers in XML too', async () => {
    expect((await h.post('messages/list', { token: TOKEN, status: 'lost' })).status).toBe(400);
    expect((await h.post('messages/list', { token: TOKEN, limit: 0 })).status).toBe(400);
    expect((await h.post('messages/list', { token: TOKEN, trigger_id: 12345 })).status).toBe(404);
    const xml = await h.post('messages/list', `<xml><token>${TOKEN}</token><status>skipped</status></xml>`);
    expect(xml.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><data><id>\d+<\/id>.*<\/data><total_count>1<\/total_count><\/xml>$/,
    );
  });
});

describe('campaigns/log_v2', () => {
  it('logs launches and outcomes in time order', async () => {
    const res = await h.post('campaigns/log_v2', { token: TOKEN, id: 96 });
    expect(res.status).toBe(200);
    const data = res.json.data as { level: string; state: string; message: string; value: string; event: string }[];
    // Everything happened at one instant of the fake clock: launches come first, then outcomes.
    expect(data.map((e) => e.event)).toEqual(['launch', 'launch', 'sent', 'sent', 'skipped', 'sent']);
    // Altcraft's vocabulary: upper-case levels, state start for a launch (empty otherwise), value a string.
    expect(data.map((e) => e.state)).toEqual(['start', 'start', '', '', '', '']);
    expect(data[0]).toMatchObject({ level: 'INFO', message: 'launched (API) for 3 message(s)', value: '3' });
    expect(data[1]).toMatchObject({ value: '1' });
    expect(data[4]).toMatchObject({
      level: 'WARNING',
      message: 'skipped: no subscribed email subscription on resource 21',
    });
    expect(
      data
        .filter((e) => e.event === 'sent')
        .map((e) => e.message)
        .sort(),
    ).toEqual(['sent to bad@example.com', 'sent to one@example.com', 'sent to two@example.com']);
    expect(res.json.total_count).toBe(6);
    const limited = await h.post('campaigns/log_v2', { token: TOKEN, id: 96, limit: 2 });
    expect((limited.json.data as unknown[]).length).toBe(2);
    expect(limited.json.total_count).toBe(6);
    expect((await h.post('campaigns/log_v2', { token: TOKEN, id: 4242 })).status).toBe(404);
  });
});
