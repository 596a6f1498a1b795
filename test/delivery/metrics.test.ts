// Delivery metrics with a real SMTP server and a real hook receiver: the sent and failed
// counters, the send latency histogram, the hook event counters and backlog, and the queue
// gauges move as the workers deliver.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { scrape } from '../helpers/metrics.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

let h: Harness;
let sink: SmtpSink;
let http: HttpReceiver;

beforeAll(async () => {
  sink = await startSmtpSink();
  http = await startHttpReceiver();
  h = await startHarness({
    provisionObject: deliveryProvision({ smtpUrl: sink.url, httpUrl: http.url, hookSecret: 'metrics-hook-secret' }),
    realClock: true,
    env: {
      HERALD_WORKERS: '1',
      HERALD_POLL_MS: '20',
      HERALD_RETRY_BASE_MS: '150',
      HERALD_HOOK_INTERVAL_MS: '50',
      HERALD_MAX_ATTEMPTS: '2',
    },
  });
});
afterAll(async () => {
  await h.close();
  await sink.close();
  await http.close();
});
beforeEach(() => {
  sink.mails.length = 0;
  sink.refuseWith = undefined;
  http.requests.length = 0;
});

const SENT = 'herald_messages_total{channel="email",status="sent"}';
const FAILED = 'herald_messages_total{channel="email",status="failed"}';
const LATENCY = 'herald_send_duration_seconds_count{channel="email",status="sent"}';
const HOOKS = 'herald_hook_events_total{outcome="delivered"}';

const values = async () => (await scrape(h)).values;
const read = async (key: string) => (await values()).get(key) ?? 0;
const launch = (emails: string[]) =>
  h.post('campaigns/triggers/import_and_start_batch', {
    token: TOKEN,
    trigger_id: 96,
    data: emails.map((email) => ({ data: { email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] } })),
  });

describe('delivery metrics', () => {
  it('a delivery through SMTP moves the sent counter, the latency histogram and the hook counters', async () => {
    const [sent, latency, hooks] = [await read(SENT), await read(LATENCY), await read(HOOKS)];
    expect((await launch(['m1@example.com', 'm2@example.com'])).status).toBe(200);
    await sink.waitFor(2);
    await expect.poll(() => read(SENT), { timeout: 5000 }).toBe(sent + 2);
    expect(await read(LATENCY)).toBe(latency + 2);
    // The import_api and send events reach the hook receiver: counted, and the backlog drains.
    await expect.poll(() => read(HOOKS), { timeout: 5000 }).toBeGreaterThanOrEqual(hooks + 4);
    await expect
      .poll(
        async () =>
          [...(await values())].filter(([k]) => k.startsWith('herald_hook_backlog_events{')).map(([, v]) => v),
        { timeout: 5000 },
      )
      .toEqual([0]);
    const after = await values();
    expect(after.get('herald_queue_due_messages')).toBe(0);
    expect(after.get('herald_queue_sending_messages')).toBe(0);
    expect(after.get('herald_messages_reclaimed_total{channel="email"}') ?? 0).toBe(0);
  });

  it('a permanent refusal moves the failed counter', async () => {
    const failed = await read(FAILED);
    sink.refuseWith = 550;
    expect((await launch(['refused@example.com'])).status).toBe(200);
    await expect.poll(() => read(FAILED), { timeout: 5000 }).toBe(failed + 1);
    expect(
      (await values()).get('herald_send_duration_seconds_count{channel="email",status="failed"}'),
    ).toBeGreaterThanOrEqual(1);
  });
});
