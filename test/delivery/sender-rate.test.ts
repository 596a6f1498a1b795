// A sender's rate_per_second holds its messages to that rate: with 4 per second, five messages
// launched at once cannot all have reached the SMTP server less than a second after the launch,
// however fast the machine (the bound is the rate's, a lower bound: a slow machine only adds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const RATE = 4;
const COUNT = 5;

let sink: SmtpSink;
let h: Harness;

beforeAll(async () => {
  sink = await startSmtpSink();
  const provision = deliveryProvision({ smtpUrl: sink.url, httpUrl: 'http://127.0.0.1:9' });
  (provision.accounts[0].senders[0] as Record<string, unknown>).rate_per_second = RATE;
  h = await startHarness({
    provisionObject: provision,
    realClock: true,
    env: { HERALD_WORKERS: '1', HERALD_POLL_MS: '20', HERALD_DELIVERY_CONCURRENCY: '8' },
  });
});
afterAll(async () => {
  await h.close();
  await sink.close();
});

describe("a sender's rate_per_second", () => {
  it('spaces the messages 1/rate seconds apart: the last one arrives no sooner than (n - 1)/rate seconds after the launch', async () => {
    const emails = Array.from({ length: COUNT }, (_, i) => `rate${i}@example.com`);
    const launched = Date.now();
    const res = await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: emails.map((email) => ({ data: { email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] } })),
    });
    expect(res.status, res.body).toBe(200);
    const mails = await sink.waitFor(COUNT, 30_000);
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(emails);
    // Timers may fire a millisecond early; the spacing itself is exact (src/senders/rate-limit.test.ts).
    expect(Math.max(...mails.map((m) => m.receivedAt)) - launched).toBeGreaterThanOrEqual(
      ((COUNT - 1) * 1000) / RATE - 5,
    );
  });
});
