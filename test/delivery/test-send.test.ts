// Test sends (templates/preview with test_email or test_phone, spec 05): the template rendered as
// the preview renders it goes once through the resource's sender — a real SMTP server, a real
// HTTP gateway — recorded as a test (templates/tests) and kept out of every counter, message list
// and report; a read token may preview but not send; bad addresses and channels are 400s that
// queue nothing; a sender's refusal is recorded, not retried.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { TEST_SENDS_PER_HOUR } from '../../src/core/manage/template-test-send.js';

const READER = 'test-send-read-token-0123';
let h: Harness;
let sink: SmtpSink;
let http: HttpReceiver;
let profileId: string;
/** A call with the write token, unless the body names another. */
const post = (method: string, body: Record<string, unknown>) => h.post(method, { token: TOKEN, ...body });

beforeAll(async () => {
  sink = await startSmtpSink();
  http = await startHttpReceiver();
  const provision = deliveryProvision({ smtpUrl: sink.url, httpUrl: http.url });
  provision.accounts[0].tokens.push({ token: READER, role: 'read' });
  h = await startHarness({
    provisionObject: provision,
    realClock: true,
    env: { HERALD_WORKERS: '1', HERALD_POLL_MS: '20' },
  });
  const res = await post('profiles/import', {
    db_id: 1,
    data: {
      email: 'ann@example.com',
      _fname: 'Ann',
      _lname: 'Lee',
      subscriptions: [{ channel: 'email', resource_id: 21, email: 'ann@example.com' }],
    },
  });
  expect(res.status).toBe(200);
  profileId = res.json.profile_id as string;
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

type TestSend = { id: number; status: string; address: string; error: string | null; channel: string };

/** The test send once it is no longer queued or being sent (polled: the worker sends it). */
async function settled(id: number): Promise<TestSend> {
  const until = Date.now() + 10_000;
  for (;;) {
    const res = await post('templates/tests', { limit: 100 });
    expect(res.status).toBe(200);
    const t = (res.json.data as TestSend[]).find((x) => x.id === id);
    if (t && t.status !== 'scheduled' && t.status !== 'sending') return t;
    if (Date.now() > until) throw new Error(`test send ${id} still ${t?.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const counters = async () => ({
  stats: (await post('account/stats', {})).json.data,
  status: (await post('campaigns/status', { id: 96 })).json.data,
  messages: (await post('messages/list', { trigger_id: 96 })).json.data,
});

describe('a test send of an email template', () => {
  it('sends the preview once through the resource sender, recorded as a test and counted nowhere', async () => {
    const before = await counters();
    const res = await post('templates/preview', {
      id: 5,
      db_id: 1,
      profile_id: profileId,
      content: { page: 'the shop', order: { id: 7 } },
      test_email: 'Me@Example.org',
    });
    expect(res.status).toBe(200);
    const data = res.json.data as Record<string, unknown>;
    expect(data.subject).toBe('Welcome, Ann!');
    const test = data.test as { id: number; status: string; address: string; resource_id: number };
    expect(test).toMatchObject({ status: 'scheduled', address: 'Me@Example.org', resource_id: 21 });

    const [mail] = await sink.waitFor(1);
    // The SMTP exchange writes the domain in lower case.
    expect(mail.envelopeTo).toEqual(['Me@example.org']);
    expect(mail.parsed.subject).toBe('Welcome, Ann!');
    expect(mail.parsed.from?.value[0]).toEqual({ address: 'shop@example.com', name: 'Demo shop' });
    expect(mail.parsed.replyTo?.value[0].address).toBe('care@example.com');
    // The body is the preview's: the profile's values, the request's content, the placeholder link.
    expect(mail.parsed.html).toBe(data.html);
    expect(mail.parsed.text?.trim()).toBe(String(data.text).trim());
    expect(String(data.html)).toContain('Hello Ann Lee, you came from the shop. Order 7.');
    expect(String(data.html)).toContain('href="#unsubscribe-preview"');
    expect(mail.parsed.messageId).toBe(`<herald.test.${test.id}.1@example.com>`);
    expect(mail.parsed.headers.get('x-herald-test')).toBe('true');
    expect(mail.raw).not.toMatch(/List-Unsubscribe/i);
    expect(mail.raw).not.toMatch(/\/t\/o\//);

    expect(await settled(test.id)).toMatchObject({ status: 'sent', address: 'Me@Example.org', error: null });
    expect(await counters()).toEqual(before);
    // Sent once: nothing more arrives while the worker keeps polling.
    await post('templates/preview', { id: 6, data: { _fname: 'Z' }, test_phone: '+79001234567' });
    await http.waitFor(1, 10_000, '/sms');
    expect(sink.mails).toHaveLength(1);
  });

  it('sends an inline template for sample fields', async () => {
    const res = await post('templates/preview', {
      channel: 'email',
      subject: 'Hi {lead._fname}',
      text: 'Sample for {subscription.email}',
      data: { _fname: 'Bo', email: 'bo@example.net' },
      resource_id: 21,
      test_email: 'qa@example.org',
    });
    expect(res.status).toBe(200);
    const [mail] = await sink.waitFor(1);
    expect(mail.parsed.subject).toBe('Hi Bo');
    expect(mail.parsed.text?.trim()).toBe('Sample for bo@example.net');
    const listed = (await post('templates/tests', {})).json.data as { template_id: number | null }[];
    expect(listed[0].template_id).toBeNull();
  });

  it('records the sender’s refusal, once, without retrying', async () => {
    sink.refuseWith = 451;
    const res = await post('templates/preview', { id: 5, data: { _fname: 'X' }, test_email: 'qa@example.org' });
    expect(res.status).toBe(200);
    const id = (res.json.data as { test: { id: number } }).test.id;
    const t = await settled(id);
    expect(t.status).toBe('failed');
    expect(t.error).toMatch(/451/);
    expect(sink.refusals).toBeGreaterThan(0);
    sink.refuseWith = undefined;
    const refused = sink.refusals;
    // Another round of the worker passes; the failed test is not sent again.
    await post('templates/preview', { id: 5, data: { _fname: 'Y' }, test_email: 'qa2@example.org' });
    await sink.waitFor(1);
    expect(sink.mails.map((m) => m.envelopeTo)).toEqual([['qa2@example.org']]);
    expect(sink.refusals).toBe(refused);
  });
});

describe('a test send of an SMS template', () => {
  it('goes to test_phone through the resource SMS gateway, the phone normalised', async () => {
    const res = await post('templates/preview', {
      id: 6,
      data: { _fname: 'Cy' },
      content: { code: 4321 },
      test_phone: '+7 (900) 765-43-21',
    });
    expect(res.status).toBe(200);
    const [req] = await http.waitFor(1, 10_000, '/sms');
    expect(req.headers.authorization).toBe('Bearer sms-secret');
    expect(JSON.stringify(req.json)).toContain('Code for Cy: 4321');
    expect(JSON.stringify(req.json)).toContain('+79007654321');
    const id = (res.json.data as { test: { id: number } }).test.id;
    expect(await settled(id)).toMatchObject({ status: 'sent', channel: 'sms', address: '+79007654321' });
  });
});

describe('refusals', () => {
  const refused = async (body: Record<string, unknown>, token = TOKEN) => {
    const before = (await post('templates/tests', { limit: 100 })).json.data as unknown[];
    const res = await post('templates/preview', { ...body, token });
    const after = (await post('templates/tests', { limit: 100 })).json.data as unknown[];
    expect(after).toHaveLength(before.length);
    return res;
  };

  it('a read token previews but cannot send a test', async () => {
    expect((await post('templates/preview', { id: 5, data: {}, token: READER })).status).toBe(200);
    const res = await refused({ id: 5, data: {}, test_email: 'qa@example.org' }, READER);
    expect(res.status).toBe(403);
    expect(res.json.error_debug).toMatch(/read token cannot call templates\/test_send/);
  });

  it.each([
    [{ id: 5, data: {}, test_email: 'not an address' }, 400, /test_email: 'not an address' is not an email address/],
    [
      { id: 5, data: {}, test_phone: '+79001234567' },
      400,
      /test_phone: a test send of an email template goes to test_email/,
    ],
    [{ id: 6, data: {}, test_phone: '12' }, 400, /test_phone: '12' is not a phone number/],
    [{ id: 7, data: {}, test_email: 'qa@example.org' }, 400, /a push template has no test send/],
    [{ id: 5, data: {}, resource_id: 404, test_email: 'qa@example.org' }, 404, /resource 404/],
    [{ id: 5, data: {}, test_email: 'qa@example.org', subject: 'Hi {lead._fname' }, 400, /unclosed|brace/i],
  ])('%j is a %i that queues nothing', async (body, status, reason) => {
    const res = await refused(body);
    expect(res.status).toBe(status);
    expect(res.json.error_debug).toMatch(reason);
  });
});

describe('the hourly limit', () => {
  it(`refuses the test send past ${TEST_SENDS_PER_HOUR} in an hour with a 429, queuing nothing`, async () => {
    const sent = ((await post('templates/tests', { limit: 100 })).json.data as unknown[]).length;
    for (let i = sent; i < TEST_SENDS_PER_HOUR; i++) {
      const res = await post('templates/preview', { id: 6, data: {}, test_phone: '+79001234567' });
      expect(res.status).toBe(200);
    }
    const res = await post('templates/preview', { id: 6, data: {}, test_phone: '+79001234567' });
    expect(res.status).toBe(429);
    expect(res.json.error_debug).toBe(`at most ${TEST_SENDS_PER_HOUR} test sends an hour`);
    expect((await post('templates/tests', { limit: 100 })).json.data).toHaveLength(TEST_SENDS_PER_HOUR);
  });
});
