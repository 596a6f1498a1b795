// Delivery feedback end to end (spec 07), on the test's store (SQLite, or PostgreSQL with
// HERALD_TEST_STORE=postgres): a real SMTP server that rejects one recipient with 550 5.1.1 and
// accepts the others; signed mail with VERP return paths; DSNs and ARF reports written as mail
// servers write them, delivered over SMTP to Herald's built-in MX; what they do to messages,
// subscriptions, hook events and the next launch; reading a report twice changes nothing.
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { arf, deliverReport, dsn } from '../helpers/reports.js';

const BOUNCE_DOMAIN = 'bounce.example.com';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_KEY = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

let h: Harness;
let sink: SmtpSink;
let http: HttpReceiver;
let mx: number;

beforeAll(async () => {
  sink = await startSmtpSink();
  http = await startHttpReceiver();
  const provision = deliveryProvision({
    smtpUrl: sink.url,
    httpUrl: http.url,
    hookEvents: ['send', 'undeliv', 'hbounce', 'sbounce', 'complain'],
  });
  const senders = provision.accounts[0].senders as Record<string, unknown>[];
  senders[0] = {
    ...senders[0],
    dkim: {
      domain: 'example.com',
      selector: 'herald',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  };
  h = await startHarness({
    provisionObject: provision,
    realClock: true,
    env: {
      HERALD_WORKERS: '1',
      HERALD_POLL_MS: '20',
      HERALD_HOOK_INTERVAL_MS: '50',
      HERALD_BOUNCE_DOMAIN: BOUNCE_DOMAIN,
      HERALD_INBOUND_SMTP_PORT: '0',
      HERALD_INBOUND_SMTP_HOST: '127.0.0.1',
      HERALD_SOFT_BOUNCE_LIMIT: '3',
    },
  });
  mx = h.engine.inboundPort as number;
});
afterAll(async () => {
  await h?.close();
  await sink.close();
  await http.close();
});
beforeEach(() => {
  sink.mails.length = 0;
  sink.rejectRecipients.clear();
  http.requests.length = 0;
});

const send = async (...emails: string[]) => {
  const res = await h.post('campaigns/triggers/import_and_start_batch', {
    token: TOKEN,
    trigger_id: 96,
    data: emails.map((email) => ({
      data: { _fname: 'Ann', email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] },
    })),
  });
  expect(res.status).toBe(200);
};
const messages = (email: string) =>
  h.sql<{
    id: number;
    status: string;
    bounce: string | null;
    feedback_reason: string | null;
    skip_reason: string | null;
  }>('SELECT id, status, bounce, feedback_reason, skip_reason FROM messages WHERE address = ? ORDER BY id', email);
const subscription = (email: string) =>
  h.sql<{ status: number; soft_bounces: number }>(
    "SELECT status, soft_bounces FROM subscriptions WHERE channel = 'email' AND address = ?",
    email,
  )[0];
const hookEvents = (type: string, email?: string) =>
  http.requests
    .filter((r) => r.path === '/hooks')
    .flatMap(
      (r) =>
        r.json as {
          event_type: string;
          message_id: string;
          subscription: { email?: string };
          event_data: Record<string, unknown>;
        }[],
    )
    .filter((e) => e.event_type === type && (email === undefined || e.subscription?.email === email));
const mailTo = async (email: string) => {
  await expect.poll(() => sink.mails.some((m) => m.envelopeTo.includes(email)), { timeout: 10_000 }).toBe(true);
  const mail = sink.mails.find((m) => m.envelopeTo.includes(email));
  if (!mail) throw new Error(`no mail to ${email}`);
  return mail;
};
const mxCount = async (outcome: string) =>
  Number(
    new RegExp(`herald_inbound_mail_total\\{outcome="${outcome}"\\} (\\d+)`).exec(await h.engine.metrics.text())?.[1] ??
      0,
  );
const HARDBOUNCED = 3;
const COMPLAINED = 2;
const SUSPENDED = 5;

describe('mail as sent', () => {
  it('is signed (DKIM verifies against the public key) and goes out with a VERP return path', async () => {
    await send('signed@example.com');
    const mail = await mailTo('signed@example.com');
    expect(mail.envelopeFrom).toMatch(/^b-[0-9a-z]+-[0-9a-f]{16}@bounce\.example\.com$/);
    const resolver = async (name: string) => {
      if (name !== 'herald._domainkey.example.com') throw Object.assign(new Error('none'), { code: 'ENOTFOUND' });
      return [[`v=DKIM1; k=rsa; p=${PUBLIC_KEY}`]];
    };
    const verified = await dkimVerify(Buffer.from(mail.raw), { resolver });
    expect(verified.results.map((r) => [r.status.result, r.signingDomain])).toEqual([['pass', 'example.com']]);
  });
});

describe('synchronous rejections', () => {
  it('550 5.1.1 bounces the message hard and the subscription becomes hardbounced; the others are sent', async () => {
    sink.rejectRecipients.set('gone@example.com', '550 5.1.1 User unknown');
    await send('gone@example.com', 'here@example.com');
    await mailTo('here@example.com');
    await expect.poll(() => messages('gone@example.com')[0]?.status, { timeout: 10_000 }).toBe('bounced');
    expect(messages('gone@example.com')[0]).toMatchObject({
      bounce: 'hard',
      feedback_reason: expect.stringMatching(/5\.1\.1 User unknown/),
    });
    expect(subscription('gone@example.com').status).toBe(HARDBOUNCED);
    expect(subscription('here@example.com').status).toBe(0);
    await expect.poll(() => messages('here@example.com')[0]?.status).toBe('sent');
    await expect.poll(() => hookEvents('hbounce', 'gone@example.com').length, { timeout: 5000 }).toBe(1);
    await expect.poll(() => hookEvents('undeliv', 'gone@example.com').length, { timeout: 5000 }).toBe(1);

    // The next launch for that profile sends nothing to it: the subscription is no longer subscribed.
    sink.rejectRecipients.clear();
    await send('gone@example.com', 'here2@example.com');
    await mailTo('here2@example.com');
    await expect.poll(() => messages('here2@example.com')[0]?.status).toBe('sent');
    expect(messages('gone@example.com').filter((m) => m.status === 'sent' || m.status === 'scheduled')).toEqual([]);
    expect(sink.mails.some((m) => m.envelopeTo.includes('gone@example.com'))).toBe(false);
  });

  it('550 5.7.1 (policy) fails the message and leaves the subscription alone', async () => {
    sink.rejectRecipients.set('policy@example.com', '550 5.7.1 Rejected by policy');
    await send('policy@example.com');
    await expect.poll(() => messages('policy@example.com')[0]?.status, { timeout: 10_000 }).toBe('failed');
    expect(messages('policy@example.com')[0].bounce).toBeNull();
    expect(subscription('policy@example.com').status).toBe(0);
  });
});

describe('the built-in MX', () => {
  it('a DSN to the VERP address bounces the message hard, once: the same DSN twice changes nothing', async () => {
    await send('later@example.com');
    const mail = await mailTo('later@example.com');
    await expect.poll(() => messages('later@example.com')[0]?.status).toBe('sent');
    const report = dsn({
      to: mail.envelopeFrom,
      recipient: 'later@example.com',
      action: 'failed',
      status: '5.1.1',
      diagnostic: '550 5.1.1 <later@example.com>: Recipient address rejected: User unknown',
      originalMessageId: String(mail.parsed.messageId),
    });
    await deliverReport(mx, mail.envelopeFrom, report);
    expect(messages('later@example.com')[0]).toMatchObject({
      status: 'bounced',
      bounce: 'hard',
      feedback_reason: expect.stringContaining('User unknown'),
    });
    expect(subscription('later@example.com').status).toBe(HARDBOUNCED);
    await expect.poll(() => hookEvents('hbounce', 'later@example.com').length, { timeout: 5000 }).toBe(1);
    expect(hookEvents('hbounce', 'later@example.com')[0].event_data).toMatchObject({
      source: 'dsn',
      status: '5.1.1',
      recipient: 'later@example.com',
    });
    await expect.poll(() => hookEvents('undeliv', 'later@example.com').length, { timeout: 5000 }).toBe(1);

    const before = await mxCount('duplicate');
    await deliverReport(mx, mail.envelopeFrom, report);
    expect(await mxCount('duplicate')).toBe(before + 1);
    const id = messages('later@example.com')[0].id;
    expect(Number(h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM message_events WHERE message_id = ?', id)[0].n)).toBe(
      1,
    );
    expect(
      Number(
        h.sql<{ n: number }>(
          "SELECT COUNT(*) AS n FROM events WHERE type = 'hbounce' AND CAST(payload AS TEXT) LIKE ?",
          '%later@example.com%',
        )[0].n,
      ),
    ).toBe(1);
  });

  it('an ARF complaint found by the quoted Message-ID makes the message and the subscription complained', async () => {
    await send('angry@example.com');
    const mail = await mailTo('angry@example.com');
    await expect.poll(() => messages('angry@example.com')[0]?.status).toBe('sent');
    await deliverReport(
      mx,
      `fbl@${BOUNCE_DOMAIN}`,
      arf({
        to: `fbl@${BOUNCE_DOMAIN}`,
        feedbackType: 'abuse',
        recipient: 'angry@example.com',
        originalMessageId: String(mail.parsed.messageId),
      }),
    );
    expect(messages('angry@example.com')[0].status).toBe('complained');
    expect(subscription('angry@example.com').status).toBe(COMPLAINED);
    await expect.poll(() => hookEvents('complain', 'angry@example.com').length, { timeout: 5000 }).toBe(1);
  });

  it('three soft bounces in a row suspend the subscription', async () => {
    for (let i = 1; i <= 3; i++) {
      sink.mails.length = 0;
      await send('full@example.com');
      const mail = await mailTo('full@example.com');
      await expect.poll(() => messages('full@example.com')[i - 1]?.status).toBe('sent');
      await deliverReport(
        mx,
        mail.envelopeFrom,
        dsn({
          to: mail.envelopeFrom,
          recipient: 'full@example.com',
          action: 'delayed',
          status: '4.2.2',
          diagnostic: '452 4.2.2 Mailbox full',
          originalMessageId: String(mail.parsed.messageId),
          reportId: `<delay.${i}@mx.receiver.example>`,
        }),
      );
      expect(subscription('full@example.com')).toEqual({ status: i < 3 ? 0 : SUSPENDED, soft_bounces: i });
      expect(messages('full@example.com')[i - 1]).toMatchObject({ status: 'bounced', bounce: 'soft' });
    }
    await expect.poll(() => hookEvents('sbounce', 'full@example.com').length, { timeout: 5000 }).toBe(3);
    expect(hookEvents('undeliv', 'full@example.com')).toHaveLength(0);
  });

  it('a forged VERP address, mail that is no report, and a non-abuse ARF identify nothing; other domains are refused', async () => {
    await send('safe@example.com');
    const mail = await mailTo('safe@example.com');
    await expect.poll(() => messages('safe@example.com')[0]?.status).toBe('sent');
    const forged = mail.envelopeFrom.replace(/-([0-9a-f])/, (_m, c: string) => `-${c === '0' ? '1' : '0'}`);
    const unmatched = await mxCount('unmatched');
    const dropped = await mxCount('dropped');
    await deliverReport(
      mx,
      forged,
      dsn({
        to: forged,
        recipient: 'safe@example.com',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 no',
        originalMessageId: '<someone.else@example.org>',
      }),
    );
    await deliverReport(
      mx,
      `postmaster@${BOUNCE_DOMAIN}`,
      'From: a@b.example\r\nTo: postmaster@bounce.example.com\r\nSubject: hello\r\n\r\nJust saying hi.\r\n',
    );
    await deliverReport(
      mx,
      `fbl@${BOUNCE_DOMAIN}`,
      arf({
        to: `fbl@${BOUNCE_DOMAIN}`,
        feedbackType: 'not-spam',
        recipient: 'safe@example.com',
        originalMessageId: String(mail.parsed.messageId),
      }),
    );
    expect(await mxCount('unmatched')).toBe(unmatched + 1);
    expect(await mxCount('dropped')).toBe(dropped + 2);
    expect(messages('safe@example.com')[0].status).toBe('sent');
    expect(subscription('safe@example.com').status).toBe(0);
    await expect(deliverReport(mx, 'someone@example.org', 'Subject: x\r\n\r\nx\r\n')).rejects.toThrow(/550/);
  });
});
