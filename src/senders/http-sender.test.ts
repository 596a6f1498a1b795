// The HTTP sender against a real provider endpoint on loopback: the body and headers it posts,
// how each answer is classified (2xx sent; 429 and 5xx retried, with Retry-After; other statuses
// permanent), and a destination the guard denies.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../test/helpers/http-receiver.js';
import type { SmsOut, PushOut } from '../core/delivery/outgoing.js';
import { httpSender } from './http.js';
import { parseRetryAfter } from './request.js';
import { OutboundGuard, parseDenyList } from './outbound.js';

let http: HttpReceiver;
const guard = new OutboundGuard({ deny: parseDenyList('169.254.0.0/16'), timeoutMs: 5000 });
beforeAll(async () => {
  http = await startHttpReceiver();
});
afterAll(async () => {
  await http.close();
  await guard.close();
});
beforeEach(() => {
  http.requests.length = 0;
  http.answers.length = 0;
  http.respond = undefined;
});

const sms: SmsOut = {
  channel: 'sms',
  ref: 7,
  messageId: '<herald.7.1@example.com>',
  to: '+79001112233',
  text: 'Code 1234',
  vars: { lead: {}, subscription: {} },
};
const push: PushOut = {
  channel: 'push',
  ref: 8,
  messageId: '<herald.8.1@example.com>',
  to: { provider: 'ios-apns', subscription_id: 'T-1' },
  title: 'Hi',
  text: 'News',
  url: 'https://shop.example/x',
  image: 'https://shop.example/i.png',
  vars: { lead: {}, subscription: {} },
};
const sender = (url = `${http.url}/sms`, headers: Record<string, string> = { Authorization: 'Bearer s3cret' }) =>
  httpSender({ id: 1, accountId: 1, name: 'gw', type: 'http', url, headers }, guard);

describe('the HTTP sender', () => {
  it('posts the SMS and push bodies as JSON with the configured headers', async () => {
    expect(await sender().send(sms)).toEqual({ ok: true });
    expect(await sender(`${http.url}/push`, {}).send(push)).toEqual({ ok: true });
    const [a, b] = http.requests;
    expect(a.path).toBe('/sms');
    expect(a.json).toEqual({ to: '+79001112233', text: 'Code 1234', message_id: '<herald.7.1@example.com>' });
    expect(a.headers['content-type']).toBe('application/json');
    expect(a.headers.authorization).toBe('Bearer s3cret');
    expect(b.json).toEqual({
      to: { provider: 'ios-apns', subscription_id: 'T-1' },
      title: 'Hi',
      text: 'News',
      url: 'https://shop.example/x',
      image: 'https://shop.example/i.png',
      message_id: '<herald.8.1@example.com>',
    });
    expect(b.headers.authorization).toBeUndefined();
  });

  it('takes any 2xx as sent', async () => {
    http.answers.push(202, 299);
    expect(await sender().send(sms)).toEqual({ ok: true });
    expect(await sender().send(sms)).toEqual({ ok: true });
  });

  it("retries 429 and 5xx, with the provider's Retry-After; other statuses are permanent", async () => {
    http.respond = { status: 429, headers: { 'retry-after': '7' } };
    expect(await sender().send(sms)).toEqual({ ok: false, transient: true, error: 'HTTP 429: {}', retryAfterMs: 7000 });
    http.respond = { status: 500 };
    expect(await sender().send(sms)).toEqual({ ok: false, transient: true, error: 'HTTP 500: {}' });
    http.respond = { status: 503 };
    expect(await sender().send(sms)).toMatchObject({ ok: false, transient: true });
    for (const status of [300, 400, 404, 499]) {
      http.respond = { status };
      expect(await sender().send(sms), String(status)).toEqual({
        ok: false,
        transient: false,
        error: `HTTP ${status}: {}`,
      });
    }
  });

  it('does not retry a denied destination, and retries a refused connection', async () => {
    expect(await sender('http://169.254.169.254/sms').send(sms)).toMatchObject({
      ok: false,
      transient: false,
      error: expect.stringMatching(/^HERALD_DENIED_ADDRESS: .*denied/),
    });
    expect(await sender('http://127.0.0.1:9/sms').send(sms)).toMatchObject({
      ok: false,
      transient: true,
      error: expect.stringMatching(/^ECONNREFUSED: /),
    });
  });
});

describe('Retry-After', () => {
  const now = Date.UTC(2026, 10, 27, 10, 0, 0);
  it('reads delta-seconds and HTTP dates (never negative), and ignores anything else', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3000);
    expect(parseRetryAfter(['5', '9'], now)).toBe(5000);
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(parseRetryAfter(new Date(now - 90_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
