// Delivery end to end in one process: real SMTP server, real HTTP receivers, real workers and
// timers. Requests go through the API; what arrives at the receivers is checked.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { EXAMPLES, rows, startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

let h: Harness;
let sink: SmtpSink;
let http: HttpReceiver;
const HOOK_SECRET = 'hook-s3cret';

beforeAll(async () => {
  sink = await startSmtpSink();
  http = await startHttpReceiver();
  h = await startHarness({
    provisionObject: deliveryProvision({ smtpUrl: sink.url, httpUrl: http.url, hookSecret: HOOK_SECRET }),
    realClock: true,
    env: {
      HERALD_WORKERS: '1',
      HERALD_POLL_MS: '20',
      HERALD_RETRY_BASE_MS: '150',
      HERALD_HOOK_INTERVAL_MS: '50',
      HERALD_PUBLIC_URL: 'https://herald.example',
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
  http.respond = undefined;
});

const example = (name: string) => readFileSync(`${EXAMPLES}${name}`, 'utf8');
const profile = (email: string, extra: Record<string, unknown> = {}) => ({
  data: {
    _fname: 'Ann',
    _lname: 'Lee',
    email,
    subscriptions: [{ channel: 'email', email, resource_id: 21 }],
    ...extra,
  },
});

describe('email delivery', () => {
  it('the seed JSON example delivers two emails to example@example.com', async () => {
    const res = await h.post('campaigns/triggers/import_and_start_batch', example('batch-email.request.json'));
    expect(res.status).toBe(200);
    const mails = await sink.waitFor(2);
    expect(mails.map((m) => m.envelopeTo)).toEqual([['example@example.com'], ['example@example.com']]);
    const m = mails[0].parsed;
    expect(m.subject).toBe('Welcome, Eva!');
    expect(m.from?.value[0]).toEqual({ address: 'shop@example.com', name: 'Demo shop' });
    expect(m.replyTo?.value[0].address).toBe('care@example.com');
    expect(m.text).toContain('Hello Eva Collins, you came from .');
    expect(m.html).toContain('<p>Hello Eva Collins');
    const ids = mails.map((x) => x.parsed.messageId);
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]).toMatch(/^<herald\.\d+\.1@example\.com>$/);
    const list = String(mails[0].raw.match(/List-Unsubscribe:\s*<([^>]+)>/)?.[1]);
    expect(list).toMatch(/^https:\/\/herald\.example\/u\/[\w-]+$/);
    expect(mails[0].raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    await expect
      .poll(() => rows(h, "SELECT COUNT(*) AS n FROM messages WHERE status = 'sent' AND trigger_id = 96")[0])
      .toEqual({ n: 2 });
  });

  it("empty sender and subject overrides in a trigger content, as Altcraft's pages send them, keep the template and resource values", async () => {
    const empty = { from_email: '', from_name: '', replyto_email: '', replyto_name: '', subject: '' };
    const added = await h.post('campaigns/triggers/add', {
      token: TOKEN,
      name: 'Empty overrides',
      trigger_type: 'api_call',
      send_channel: 'email',
      resource_id: 21,
      list_id: 1,
      is_active: true,
      content: [{ message_id: 5, ...empty }],
    });
    expect(added.json.error).toBe(0);
    const trigger = added.json.data as { id: number; content: unknown[] };
    expect(trigger.content).toEqual([{ message_id: 5 }]);
    const res = await h.post('campaigns/triggers/import_and_start', {
      token: TOKEN,
      trigger_id: trigger.id,
      ...profile('blank@example.com'),
    });
    expect(res.json.error).toBe(0);
    const [mail] = await sink.waitFor(1);
    expect(mail.parsed.subject).toBe('Welcome, Ann!');
    expect(mail.parsed.from?.value[0]).toEqual({ address: 'shop@example.com', name: 'Demo shop' });
    expect(mail.parsed.replyTo?.value[0].address).toBe('care@example.com');
  });

  it('the seed XML example delivers two emails too', async () => {
    const res = await h.post('campaigns/triggers/import_and_start_batch', example('batch-email.request.xml'));
    expect(res.status).toBe(200);
    const mails = await sink.waitFor(2);
    expect(mails.every((x) => x.envelopeTo[0] === 'example@example.com')).toBe(true);
  });

  it('renders variables, escapes HTML only, strips CR/LF from the subject, attaches files', async () => {
    const res = await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      content: { page: '<script>alert(1)</script>', order: { id: 42 } },
      attach: { data: 'data:text/csv;base64,SEVMTE8K', name: '../../etc/Attach\r\nBcc: x@evil.example.txt' },
      data: [profile('vars@example.com', { _fname: 'Bo & "Co"\r\nBcc: victim@evil.example', _lname: '<b>Lee</b>' })],
    });
    expect(res.status).toBe(200);
    const [mail] = await sink.waitFor(1);
    expect(mail.envelopeTo).toEqual(['vars@example.com']);
    expect(mail.parsed.subject).toBe('Welcome, Bo & "Co" Bcc: victim@evil.example!');
    expect(mail.parsed.headers.has('bcc')).toBe(false);
    expect(mail.parsed.html).toContain('Hello Bo &amp; &quot;Co&quot;');
    expect(mail.parsed.html).toContain('&lt;b&gt;Lee&lt;/b&gt;');
    expect(mail.parsed.html).toContain('you came from &lt;script&gt;alert(1)&lt;/script&gt;. Order 42.');
    expect(mail.parsed.html).toContain('<style>p { margin: 0 }</style>');
    expect(mail.parsed.text).toContain('you came from <script>alert(1)</script>. vars@example.com');
    expect(mail.parsed.attachments).toHaveLength(1);
    const a = mail.parsed.attachments[0];
    expect(a.filename).toBe('AttachBcc x@evil.example.txt');
    expect(a.contentType).toBe('text/csv');
    expect(a.content.toString()).toBe('HELLO\n');
  });

  it('the unsubscribe link shows a page, applies on POST, and later messages are skipped', async () => {
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: [profile('unsub@example.com')],
    });
    const [mail] = await sink.waitFor(1);
    const url = new URL(String(mail.raw.match(/List-Unsubscribe:\s*<([^>]+)>/)?.[1]));
    const page = await h.app.inject({ method: 'GET', url: url.pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('unsub@example.com');
    const forged = await h.app.inject({ method: 'POST', url: `${url.pathname}x` });
    expect(forged.statusCode).toBe(404);
    const done = await h.app.inject({
      method: 'POST',
      url: url.pathname,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.statusCode).toBe(200);
    const get = await h.post('profiles/get', { token: TOKEN, db_id: 1, email: 'unsub@example.com' });
    expect((get.json.data as { subscriptions: { status: number }[] }).subscriptions[0].status).toBe(1);
    const hooks = await http.waitFor(1, 5000, '/hooks');
    await expect
      .poll(() =>
        http.requests
          .filter((r) => r.path === '/hooks')
          .flatMap((r) => r.json as { event_type: string }[])
          .some((e) => e.event_type === 'unsub'),
      )
      .toBe(true);
    expect(hooks.length).toBeGreaterThan(0);
    // Launching again: the subscription is no longer subscribed, so nothing is sent.
    sink.mails.length = 0;
    await h.post('campaigns/triggers/import_and_start', {
      token: TOKEN,
      trigger_id: 96,
      data: { email: 'unsub@example.com' },
    });
    // A message launched after it is delivered: the worker had its chance at the first one.
    await h.post('campaigns/triggers/import_and_start', {
      token: TOKEN,
      trigger_id: 96,
      data: profile('later.proof@example.com').data,
    });
    const after = await sink.waitFor(1);
    expect(after.map((m) => m.envelopeTo)).toEqual([['later.proof@example.com']]);
    const last = rows<{ status: string; skip_reason: string }>(
      h,
      "SELECT status, skip_reason FROM messages WHERE address IS NULL AND profile_id = (SELECT id FROM profiles WHERE CAST(fields AS TEXT) LIKE '%unsub@example.com%') ORDER BY id DESC LIMIT 1",
    );
    expect(last).toEqual([{ status: 'skipped', skip_reason: 'no subscribed email subscription on resource 21' }]);
  });
});

describe('SMS and push', () => {
  it('posts SMS and push bodies to the HTTP providers', async () => {
    const sms = await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 97,
      matching: 'phone',
      content: { code: '1234' },
      data: [
        {
          data: {
            _fname: 'Sam',
            phones: '+79001112233',
            subscriptions: [{ channel: 'sms', phone: '+7 (900) 111-22-33', resource_id: 21 }],
          },
        },
      ],
    });
    expect(sms.status).toBe(200);
    const [smsReq] = await http.waitFor(1, 20_000, '/sms');
    expect(smsReq.json).toMatchObject({ to: '+79001112233', text: 'Code for Sam: 1234' });
    expect(smsReq.headers.authorization).toBe('Bearer sms-secret');

    const push = await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 98,
      matching: 'push_sub',
      content: { news: 'sale', path: 'sale' },
      data: [
        {
          data: {
            _fname: 'Pat',
            subscriptions: [
              { channel: 'push', provider: 'android-firebase', subscription_id: 'TOKEN-1', resource_id: 21 },
              { channel: 'push', provider: 'ios-apns', subscription_id: 'TOKEN-2', resource_id: 21 },
            ],
          },
        },
      ],
    });
    expect(push.status).toBe(200);
    const pushes = await http.waitFor(2, 20_000, '/push');
    const bodies = pushes.map((p) => p.json as Record<string, unknown>);
    expect(bodies.map((b) => b.to).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { provider: 'android-firebase', subscription_id: 'TOKEN-1' },
      { provider: 'ios-apns', subscription_id: 'TOKEN-2' },
    ]);
    expect(bodies[0]).toMatchObject({
      title: 'Hi Pat',
      text: 'News: sale',
      url: 'https://shop.example/sale',
      image: 'https://shop.example/i.png',
    });
  });
});

describe('action hooks', () => {
  it('posts signed batches carrying custom_data (the item’s own wins)', async () => {
    const res = await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      custom_data: { sending_time: '12:31:12' },
      data: [profile('hook1@example.com'), { ...profile('hook2@example.com'), custom_data: { mine: true } }],
    });
    expect(res.status).toBe(200);
    await sink.waitFor(2);
    await expect
      .poll(
        () =>
          http.requests
            .filter((r) => r.path === '/hooks')
            .flatMap((r) => r.json as { event_type: string }[])
            .filter((e) => e.event_type === 'send').length,
        { timeout: 5000 },
      )
      .toBeGreaterThanOrEqual(2);
    const batches = http.requests.filter((r) => r.path === '/hooks');
    for (const b of batches) {
      const expected = `sha256=${createHmac('sha256', HOOK_SECRET).update(b.body).digest('hex')}`;
      expect(b.headers['x-herald-signature']).toBe(expected);
      expect((b.json as unknown[]).length).toBeLessThanOrEqual(100);
    }
    const events = batches.flatMap((b) => b.json as Record<string, unknown>[]);
    const byEmail = (type: string, email: string) =>
      events.find((e) => e.event_type === type && JSON.stringify(e).includes(email)) as Record<string, unknown>;
    expect(byEmail('send', 'hook1@example.com')).toMatchObject({
      account_id: 1,
      list_id: 1,
      campaign_id: 96,
      custom_data: { sending_time: '12:31:12' },
      subscription: { channel: 'email', resource_id: 21, email: 'hook1@example.com' },
    });
    expect(byEmail('send', 'hook2@example.com')).toMatchObject({ custom_data: { mine: true } });
    const imports = events.filter((e) => e.event_type === 'import_api');
    expect(imports.length).toBeGreaterThanOrEqual(2);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  });
});

describe('failures and retries', () => {
  it('an SMTP server that refuses for a while then recovers gets every message exactly once', async () => {
    sink.refuseWith = 451;
    const emails = Array.from({ length: 5 }, (_, i) => `retry${i}@example.com`);
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: emails.map((e) => profile(e)),
    });
    await expect.poll(() => sink.refusals, { timeout: 5000 }).toBeGreaterThanOrEqual(5);
    await expect
      .poll(
        () =>
          rows(
            h,
            "SELECT COUNT(*) AS n FROM messages WHERE status = 'scheduled' AND attempts >= 1 AND last_error LIKE 'SMTP 451%'",
          )[0],
        { timeout: 5000 },
      )
      .toEqual({ n: 5 });
    sink.refuseWith = undefined;
    // Once every message is recorded as sent, none can be sent again: the sink holds all there will be.
    await expect
      .poll(() => rows(h, "SELECT COUNT(*) AS n FROM messages WHERE address LIKE 'retry%' AND status = 'sent'")[0], {
        timeout: 15_000,
      })
      .toEqual({ n: 5 });
    const mails = sink.mails;
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual([...emails].sort());
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(5);
  });

  it('an SMTP server that is down (connection refused) then back gets every message exactly once', async () => {
    const port = sink.port;
    await sink.close();
    const emails = Array.from({ length: 3 }, (_, i) => `down${i}@example.com`);
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: emails.map((e) => profile(e)),
    });
    await expect
      .poll(
        () =>
          rows(
            h,
            "SELECT COUNT(*) AS n FROM messages WHERE address LIKE 'down%' AND status = 'scheduled' AND attempts >= 1 AND last_error IS NOT NULL",
          )[0],
        { timeout: 10_000 },
      )
      .toEqual({ n: 3 });
    const back = await startSmtpSink(port);
    try {
      // Once every message is recorded as sent, none can be sent again: the sink holds all there will be.
      await expect
        .poll(() => rows(h, "SELECT COUNT(*) AS n FROM messages WHERE address LIKE 'down%' AND status = 'sent'")[0], {
          timeout: 20_000,
        })
        .toEqual({ n: 3 });
      expect(back.mails.map((m) => m.envelopeTo[0]).sort()).toEqual([...emails].sort());
    } finally {
      sink = back;
    }
  });

  it('a permanent SMTP refusal fails at once, keeps the error and emits undeliv', async () => {
    sink.refuseWith = 550;
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 96,
      data: [profile('bounce@example.com')],
    });
    await expect
      .poll(
        () => rows(h, "SELECT status, attempts, last_error FROM messages WHERE address = 'bounce@example.com'")[0],
        { timeout: 5000 },
      )
      .toMatchObject({ status: 'failed', attempts: 1 });
    expect(
      String(
        rows<{ last_error: string }>(h, "SELECT last_error FROM messages WHERE address = 'bounce@example.com'")[0]
          .last_error,
      ),
    ).toMatch(/^SMTP 550/);
    await expect
      .poll(
        () =>
          http.requests
            .filter((r) => r.path === '/hooks')
            .flatMap((r) => r.json as Record<string, unknown>[])
            .some((e) => e.event_type === 'undeliv'),
        { timeout: 5000 },
      )
      .toBe(true);
  });

  it('an HTTP provider answering 429 with Retry-After, then 500, then 200 gets the SMS once', async () => {
    http.respond = { status: 429, headers: { 'retry-after': '1' } };
    await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 97,
      matching: 'phone',
      content: { code: '9' },
      data: [
        {
          data: { phones: '+79005556677', subscriptions: [{ channel: 'sms', phone: '+79005556677', resource_id: 21 }] },
        },
      ],
    });
    await expect
      .poll(() => rows(h, "SELECT last_error FROM messages WHERE address = '+79005556677'")[0], { timeout: 5000 })
      .toMatchObject({ last_error: expect.stringMatching(/^HTTP 429/) });
    const due = rows<{ due_at: number; created_at: number }>(
      h,
      "SELECT due_at, created_at FROM messages WHERE address = '+79005556677'",
    )[0];
    expect(due.due_at - due.created_at).toBeGreaterThanOrEqual(1000);
    http.respond = { status: 500 };
    await expect
      .poll(() => rows(h, "SELECT last_error FROM messages WHERE address = '+79005556677'")[0], { timeout: 5000 })
      .toMatchObject({ last_error: 'HTTP 500: {}' });
    http.respond = undefined;
    const got = await http.waitFor(1, 20_000, '/sms');
    expect(got.filter((r) => (r.json as { to: string }).to === '+79005556677')).toHaveLength(1);
    await expect
      .poll(() => rows(h, "SELECT status FROM messages WHERE address = '+79005556677'")[0], { timeout: 5000 })
      .toEqual({ status: 'sent' });
  });
});
