// Outgoing requests are checked against the deny list (server-side request forgery): a provider
// or hook pointed at the cloud metadata address is never contacted, and the deny list is
// configurable.
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/core/catalog/cache.js';
import { defaultRetryPolicy } from '../../src/core/delivery/retry.js';
import { SenderPool } from '../../src/core/delivery/sender-pool.js';
import { DeliveryWorker } from '../../src/core/delivery/worker.js';
import { senderFactory } from '../../src/senders/factory.js';
import { OutboundGuard, parseDenyList } from '../../src/senders/outbound.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { rows, startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';

let http: HttpReceiver;
beforeAll(async () => {
  http = await startHttpReceiver();
});
afterAll(() => http.close());
beforeEach(() => {
  http.requests.length = 0;
});

async function sendOneSms(h: Harness, deny: string): Promise<{ status: string; attempts: number; last_error: string }> {
  await h.post('campaigns/triggers/import_and_start', {
    token: TOKEN,
    trigger_id: 97,
    matching: 'phone',
    content: { code: '1' },
    data: { phones: '+79007654321', subscriptions: [{ channel: 'sms', phone: '+79007654321', resource_id: 21 }] },
  });
  const guard = new OutboundGuard({ deny: parseDenyList(deny), timeoutMs: 2000 });
  const senders = new SenderPool(senderFactory(guard));
  const worker = new DeliveryWorker(
    { store: h.store, clock: h.clock, catalogs: new CatalogCache(h.store), senders, log: pino({ level: 'silent' }) },
    { batchSize: 10, leaseMs: 60_000, pollMs: 1000, concurrency: 1, retry: defaultRetryPolicy, publicUrl: 'http://x', secret: 's' },
  );
  await worker.tick();
  await senders.close();
  await guard.close();
  return rows<{ status: string; attempts: number; last_error: string }>(h, "SELECT status, attempts, last_error FROM messages WHERE address = '+79007654321'")[0];
}

describe('outbound requests', () => {
  it('never contact the metadata address: the message fails at once, nothing is sent', async () => {
    const h = await startHarness({ provisionObject: deliveryProvision({ smtpUrl: 'smtp://127.0.0.1:9', httpUrl: 'http://169.254.169.254' }) });
    try {
      const m = await sendOneSms(h, '169.254.0.0/16,fe80::/10');
      expect(m).toMatchObject({ status: 'failed', attempts: 1 });
      expect(m.last_error).toMatch(/denied/);
    } finally {
      await h.close();
    }
  });

  it('follow a configured deny list, and reach what it allows', async () => {
    const h = await startHarness({ provisionObject: deliveryProvision({ smtpUrl: 'smtp://127.0.0.1:9', httpUrl: http.url }) });
    try {
      const denied = await sendOneSms(h, '127.0.0.0/8,::1/128');
      expect(denied).toMatchObject({ status: 'failed' });
      expect(http.requests).toHaveLength(0);
      const allowed = await sendOneSms(h, '169.254.0.0/16');
      expect(allowed).toMatchObject({ status: 'failed' }); // the first message stays failed…
      const sent = rows<{ status: string }>(h, "SELECT status FROM messages WHERE address = '+79007654321' ORDER BY id");
      expect(sent.map((r) => r.status)).toEqual(['failed', 'sent']); // …the second went out
      expect(http.requests).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('check the address a host name resolves to, at connection time: localhost under a loopback deny list is never reached', async () => {
    const viaName = http.url.replace('127.0.0.1', 'localhost');
    const h = await startHarness({ provisionObject: deliveryProvision({ smtpUrl: 'smtp://127.0.0.1:9', httpUrl: viaName }) });
    try {
      const denied = await sendOneSms(h, '127.0.0.0/8,::1/128');
      expect(denied).toMatchObject({ status: 'failed', attempts: 1 });
      expect(denied.last_error).toMatch(/localhost resolves only to denied addresses/);
      expect(http.requests).toHaveLength(0);
      // The same provider URL is reached when the deny list allows loopback: the refusal above was the guard's.
      await sendOneSms(h, '169.254.0.0/16');
      expect(rows<{ status: string }>(h, "SELECT status FROM messages WHERE address = '+79007654321' ORDER BY id").map((r) => r.status)).toEqual(['failed', 'sent']);
      expect(http.requests).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
