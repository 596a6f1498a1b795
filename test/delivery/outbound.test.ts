// Outgoing requests are checked against the deny list (server-side request forgery): a provider
// or hook pointed at the cloud metadata address is never contacted, and the deny list is
// configurable. SMTP connections are checked on the address connected to: a name whose answers
// differ between lookups cannot reach a denied address.
import { dnsCache } from 'nodemailer/lib/shared';
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
import { startSmtpSink } from '../helpers/smtp-sink.js';

let http: HttpReceiver;
beforeAll(async () => {
  http = await startHttpReceiver();
});
afterAll(() => http.close());
beforeEach(() => {
  http.requests.length = 0;
});

type MessageRow = { status: string; attempts: number; last_error: string };

async function sendOneSms(h: Harness, deny: string): Promise<MessageRow> {
  await h.post('campaigns/triggers/import_and_start', {
    token: TOKEN,
    trigger_id: 97,
    matching: 'phone',
    content: { code: '1' },
    data: { phones: '+79007654321', subscriptions: [{ channel: 'sms', phone: '+79007654321', resource_id: 21 }] },
  });
  await deliverDue(h, deny);
  return rows<MessageRow>(h, "SELECT status, attempts, last_error FROM messages WHERE address = '+79007654321'")[0];
}

async function sendOneEmail(h: Harness, deny: string): Promise<MessageRow> {
  const res = await h.post('campaigns/triggers/import_and_start', {
    token: TOKEN,
    trigger_id: 96,
    matching: 'email',
    data: {
      email: 'guarded@example.com',
      subscriptions: [{ channel: 'email', email: 'guarded@example.com', resource_id: 21 }],
    },
  });
  expect(res.status).toBe(200);
  await deliverDue(h, deny);
  return rows<MessageRow>(
    h,
    "SELECT status, attempts, last_error FROM messages WHERE address = 'guarded@example.com'",
  )[0];
}

/** One round of a delivery worker whose senders go through a guard with `deny`. */
async function deliverDue(h: Harness, deny: string): Promise<void> {
  const guard = new OutboundGuard({ deny: parseDenyList(deny), timeoutMs: 2000 });
  const senders = new SenderPool(senderFactory(guard));
  const worker = new DeliveryWorker(
    { store: h.store, clock: h.clock, catalogs: new CatalogCache(h.store), senders, log: pino({ level: 'silent' }) },
    {
      batchSize: 10,
      leaseMs: 60_000,
      pollMs: 1000,
      concurrency: 1,
      retry: defaultRetryPolicy,
      publicUrl: 'http://x',
      secret: 's',
    },
  );
  await worker.tick();
  await senders.close();
  await guard.close();
}

describe('outbound requests', () => {
  it('never contact the metadata address: the message fails at once, nothing is sent', async () => {
    const h = await startHarness({
      provisionObject: deliveryProvision({ smtpUrl: 'smtp://127.0.0.1:9', httpUrl: 'http://169.254.169.254' }),
    });
    try {
      const m = await sendOneSms(h, '169.254.0.0/16,fe80::/10');
      expect(m).toMatchObject({ status: 'failed', attempts: 1 });
      expect(m.last_error).toMatch(/denied/);
    } finally {
      await h.close();
    }
  });

  it('follow a configured deny list, and reach what it allows', async () => {
    const h = await startHarness({
      provisionObject: deliveryProvision({ smtpUrl: 'smtp://127.0.0.1:9', httpUrl: http.url }),
    });
    try {
      const denied = await sendOneSms(h, '127.0.0.0/8,::1/128');
      expect(denied).toMatchObject({ status: 'failed' });
      expect(http.requests).toHaveLength(0);
      const allowed = await sendOneSms(h, '169.254.0.0/16');
      expect(allowed).toMatchObject({ status: 'failed' }); // the first message stays failed…
      const sent = rows<{ status: string }>(
        h,
        "SELECT status FROM messages WHERE address = '+79007654321' ORDER BY id",
      );
      expect(sent.map((r) => r.status)).toEqual(['failed', 'sent']); // …the second went out
      expect(http.requests).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('check the address a host name resolves to, at connection time: localhost under a loopback deny list is never reached', async () => {
    const viaName = http.url.replace('127.0.0.1', 'localhost');
    const h = await startHarness({
      provisionObject: deliveryProvision({ smtpUrl: 'smtp://127.0.0.1:9', httpUrl: viaName }),
    });
    try {
      const denied = await sendOneSms(h, '127.0.0.0/8,::1/128');
      expect(denied).toMatchObject({ status: 'failed', attempts: 1 });
      expect(denied.last_error).toMatch(/localhost resolves only to denied addresses/);
      expect(http.requests).toHaveLength(0);
      // The same provider URL is reached when the deny list allows loopback: the refusal above was the guard's.
      await sendOneSms(h, '169.254.0.0/16');
      expect(
        rows<{ status: string }>(h, "SELECT status FROM messages WHERE address = '+79007654321' ORDER BY id").map(
          (r) => r.status,
        ),
      ).toEqual(['failed', 'sent']);
      expect(http.requests).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe('SMTP connections', () => {
  it('never reach a host name that resolves to a denied address (permanent failure, nothing received)', async () => {
    const sink = await startSmtpSink();
    const h = await startHarness({
      provisionObject: deliveryProvision({ smtpUrl: `smtp://localhost:${sink.port}`, httpUrl: http.url }),
    });
    try {
      const m = await sendOneEmail(h, '127.0.0.0/8,::1/128');
      expect(m).toMatchObject({ status: 'failed', attempts: 1 });
      expect(m.last_error).toMatch(/denied/);
      expect(sink.mails).toHaveLength(0);
    } finally {
      await h.close();
      await sink.close();
    }
  });

  it('are checked on the address connected to, not on an earlier lookup of the name', async () => {
    // nodemailer keeps a name's answers for five minutes whatever their TTL: it still holds an
    // earlier answer for localhost (127.0.0.2, denied, where the SMTP server listens) while the
    // name now resolves to 127.0.0.1 (allowed) — a rebinding the check must not be fooled by.
    const sink = await startSmtpSink(0, { host: '127.0.0.2' });
    dnsCache.set('localhost', { value: { addresses: ['127.0.0.2'] }, expires: Date.now() + 300_000 });
    const h = await startHarness({
      provisionObject: deliveryProvision({ smtpUrl: `smtp://localhost:${sink.port}`, httpUrl: http.url }),
    });
    try {
      const m = await sendOneEmail(h, '127.0.0.2/32');
      // Connected to what the guard checked (127.0.0.1, where nothing listens): a retryable failure.
      expect(m.status).not.toBe('sent');
      expect(sink.mails).toHaveLength(0);
    } finally {
      dnsCache.delete('localhost');
      await h.close();
      await sink.close();
    }
  });

  it('reach an allowed address by name', async () => {
    const sink = await startSmtpSink();
    const h = await startHarness({
      provisionObject: deliveryProvision({ smtpUrl: `smtp://localhost:${sink.port}`, httpUrl: http.url }),
    });
    try {
      const m = await sendOneEmail(h, '169.254.0.0/16');
      expect(m.status).toBe('sent');
      expect(sink.mails).toHaveLength(1);
    } finally {
      await h.close();
      await sink.close();
    }
  });
});
