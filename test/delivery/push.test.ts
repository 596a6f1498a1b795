// Push delivery to real protocol peers in this process: a Web Push service that checks the VAPID
// token and decrypts the payload with the browser's private key, an FCM service whose token
// endpoint verifies the service account's JWT, and an HTTP/2 APNs service that verifies the ES256
// provider token. One resource routes each provider to its sender, so one launch reaches a
// browser, an Android and an iOS device of one profile. Runs on SQLite and PostgreSQL.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rows, startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import {
  deviceToken,
  startApnsService,
  startFcmService,
  startWebPushService,
  vapidKeys,
  type ApnsService,
  type FcmService,
  type WebPushService,
} from '../helpers/push-peers.js';

let h: Harness;
let web: WebPushService;
let fcm: FcmService;
let apns: ApnsService;
let hooks: HttpReceiver;
const vapid = vapidKeys();

function provision(keyDir: string) {
  writeFileSync(join(keyDir, 'service-account.json'), JSON.stringify(fcm.serviceAccount));
  writeFileSync(join(keyDir, 'AuthKey.p8'), apns.privateKeyPem);
  return {
    accounts: [
      {
        id: 1,
        name: 'Push shop',
        tokens: [{ token: TOKEN, role: 'write' }],
        senders: [
          {
            name: 'web',
            type: 'webpush',
            vapid: {
              subject: 'mailto:push@shop.example',
              public_key: vapid.publicKey,
              private_key: { env: 'TEST_VAPID_PRIVATE' },
            },
          },
          {
            name: 'android',
            type: 'fcm',
            service_account: { file: join(keyDir, 'service-account.json') },
            api_url: fcm.url,
          },
          {
            name: 'ios',
            type: 'apns',
            team_id: apns.teamId,
            key_id: apns.keyId,
            private_key: { file: join(keyDir, 'AuthKey.p8') },
            topic: 'com.example.shop',
            api_url: apns.url,
          },
        ],
        databases: [{ id: 1, name: 'Customers' }],
        resources: [
          {
            id: 21,
            name: 'App',
            db_ids: [1],
            channels: { push: { sender: 'web', providers: { 'android-firebase': 'android', 'ios-apns': 'ios' } } },
          },
        ],
        templates: [
          {
            id: 7,
            name: 'Push',
            channel: 'push',
            title: 'Hi {lead._fname}',
            text: 'News: {apicontent.news}',
            url: 'https://shop.example/{apicontent.path}',
            image: 'https://shop.example/i.png',
          },
          { id: 8, name: 'Push with a way out', channel: 'push', title: 'Hi', text: 'Stop: {unsubscribe}' },
        ],
        triggers: [
          {
            id: 98,
            name: 'Push',
            trigger_type: 'api_call',
            send_channel: 'push',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 7 }],
          },
          {
            id: 99,
            name: 'Push with a way out',
            trigger_type: 'api_call',
            send_channel: 'push',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 8 }],
          },
        ],
        action_hooks: [{ url: `${hooks.url}/hooks`, events: ['send_push', 'undeliv', 'unsub'] }],
      },
    ],
  };
}

beforeAll(async () => {
  web = await startWebPushService(vapid.publicKey);
  fcm = await startFcmService();
  apns = await startApnsService();
  hooks = await startHttpReceiver();
  const keyDir = mkdtempSync(join(tmpdir(), 'herald-keys-'));
  h = await startHarness({
    provisionObject: provision(keyDir),
    realClock: true,
    env: {
      HERALD_WORKERS: '1',
      HERALD_POLL_MS: '20',
      HERALD_RETRY_BASE_MS: '100',
      HERALD_HOOK_INTERVAL_MS: '50',
      // The local push service's exact origin (plain http on a port): nothing else is reachable.
      HERALD_WEBPUSH_HOSTS: `fcm.googleapis.com,${web.origin}`,
    },
  });
}, 30_000);
// The harness reads {"env"} references from the process environment.
process.env.TEST_VAPID_PRIVATE = vapid.privateKey;

afterAll(async () => {
  await h?.close();
  await Promise.all([web?.close(), fcm?.close(), apns?.close(), hooks?.close()]);
});
beforeEach(() => {
  hooks.requests.length = 0;
});

const launch = (data: unknown, content: Record<string, unknown> = { news: 'sale', path: 'sale' }) =>
  h.post('campaigns/triggers/import_and_start_batch', {
    token: TOKEN,
    trigger_id: 98,
    matching: 'push_sub',
    content,
    data,
  });

const pushSub = (provider: string, subscription_id: string) => ({
  channel: 'push',
  provider,
  subscription_id,
  resource_id: 21,
});

type MessageRow = {
  status: string;
  provider_id: string | null;
  sender_id: number | null;
  last_error: string | null;
  attempts: number;
};
const messageOf = (address: string) =>
  rows<MessageRow>(
    h,
    'SELECT status, provider_id, sender_id, last_error, attempts FROM messages WHERE address = ? ORDER BY id DESC LIMIT 1',
    address,
  )[0];
const subscriptionOf = (address: string) =>
  rows<{ status: number; data: string }>(h, 'SELECT status, data FROM subscriptions WHERE address = ?', address)[0];
const hookEvents = () =>
  hooks.requests.flatMap(
    (r) =>
      r.json as { event_type: string; subscription: Record<string, unknown>; event_data: Record<string, unknown> }[],
  );

describe('one launch, three push services', () => {
  it('reaches a browser, an Android and an iOS device of one profile, each through its own protocol', async () => {
    const browser = web.subscribe('ann-laptop');
    const android = 'fcm-token-ann-phone';
    const iphone = deviceToken('ann-iphone');
    const res = await launch([
      {
        data: {
          _fname: 'Ann',
          subscriptions: [
            pushSub('chrome-webpush', browser.json),
            pushSub('android-firebase', android),
            pushSub('ios-apns', iphone),
          ],
        },
      },
    ]);
    expect(res.status).toBe(200);

    await expect.poll(() => web.received.length + fcm.sent.length + apns.received.length, { timeout: 15_000 }).toBe(3);
    expect(web.refused).toEqual([]);
    expect(fcm.refused).toEqual([]);
    expect(apns.refused).toEqual([]);
    // Web Push: the payload decrypted with the browser's private key, the VAPID token for this push service.
    expect(web.received[0].payload).toEqual({
      title: 'Hi Ann',
      text: 'News: sale',
      url: 'https://shop.example/sale',
      image: 'https://shop.example/i.png',
    });
    expect(web.received[0].vapid).toMatchObject({ aud: web.origin, sub: 'mailto:push@shop.example' });
    // FCM HTTP v1: the message for the registration token.
    expect(fcm.sent[0]).toMatchObject({
      token: android,
      notification: { title: 'Hi Ann', body: 'News: sale', image: 'https://shop.example/i.png' },
      data: { url: 'https://shop.example/sale' },
    });
    // APNs: the alert for the device token, with a stable apns-id.
    expect(apns.received[0]).toMatchObject({
      token: iphone,
      topic: 'com.example.shop',
      payload: { aps: { alert: { title: 'Hi Ann', body: 'News: sale' } }, url: 'https://shop.example/sale' },
    });

    // Each message keeps the provider's id of it: the Location of the push message, FCM's name, the apns-id.
    await expect.poll(() => messageOf(`chrome-webpush|${browser.json}`)?.status, { timeout: 5000 }).toBe('sent');
    expect(messageOf(`chrome-webpush|${browser.json}`).provider_id).toMatch(
      new RegExp(`^${web.origin}/messages/\\d+$`),
    );
    await expect
      .poll(() => messageOf(`android-firebase|${android}`)?.provider_id, { timeout: 5000 })
      .toMatch(/^projects\/herald-test\/messages\/0:\d+$/);
    await expect
      .poll(() => messageOf(`ios-apns|${iphone}`)?.provider_id, { timeout: 5000 })
      .toBe(apns.received[0].apnsId);
    const senders = new Set(
      [`chrome-webpush|${browser.json}`, `android-firebase|${android}`, `ios-apns|${iphone}`].map(
        (a) => messageOf(a).sender_id,
      ),
    );
    expect(senders.size).toBe(3);
  });

  it('reuses the FCM access token, the APNs provider token and the one HTTP/2 session across messages', async () => {
    const before = { token: fcm.tokenRequests, jwts: apns.jwts.size, sessions: apns.sessions };
    // Two launches one after the other: the second finds the token and the session of the first.
    for (const round of [1, 2]) {
      const sent = fcm.sent.length + apns.received.length;
      const data = Array.from({ length: 6 }, (_, i) => ({
        data: {
          _fname: `P${round}${i}`,
          subscriptions: [
            pushSub('android-firebase', `fcm-token-${round}-${i}`),
            pushSub('ios-apns', deviceToken(`iphone-${round}-${i}`)),
          ],
        },
      }));
      expect((await launch(data)).status).toBe(200);
      await expect.poll(() => fcm.sent.length + apns.received.length - sent, { timeout: 15_000 }).toBe(12);
    }
    // One token request and one provider token for the sender's whole life so far, over one session.
    expect(fcm.tokenRequests).toBe(Math.max(before.token, 1));
    expect(apns.jwts.size).toBe(Math.max(before.jwts, 1));
    expect(apns.sessions).toBe(Math.max(before.sessions, 1));
    expect(fcm.tokenRequests + apns.jwts.size + apns.sessions).toBe(3);
  });
});

describe('the unsubscribe link in a push message', () => {
  it('is in the text where the template asks for it, and unsubscribes the device it was sent to', async () => {
    const token = deviceToken('leaving-iphone');
    const res = await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 99,
      matching: 'push_sub',
      data: [{ data: { _fname: 'L', subscriptions: [pushSub('ios-apns', token)] } }],
    });
    expect(res.status).toBe(200);
    await expect.poll(() => apns.received.some((r) => r.token === token), { timeout: 15_000 }).toBe(true);
    const payload = apns.received.find((r) => r.token === token)?.payload as { aps: { alert: { body: string } } };
    const body = payload.aps.alert.body;
    const url = new URL(body.replace(/^Stop: /, ''));
    expect(url.pathname).toMatch(/^\/u\/[\w-]+$/);
    const done = await h.app.inject({ method: 'POST', url: url.pathname });
    expect(done.statusCode).toBe(200);
    expect(subscriptionOf(`ios-apns|${token}`).status).toBe(1);
    await expect
      .poll(() => hookEvents().some((e) => e.event_type === 'unsub' && e.subscription.subscription_id === token))
      .toBe(true);
  });
});

describe('answers that say the subscription is gone', () => {
  it('a push service answering 410 makes the browser subscription unsubscribed, with the reason, unsub and undeliv', async () => {
    const browser = web.subscribe('gone-laptop');
    web.answer.set('gone-laptop', 410);
    const address = `chrome-webpush|${browser.json}`;
    expect(
      (await launch([{ data: { _fname: 'Gus', subscriptions: [pushSub('chrome-webpush', browser.json)] } }])).status,
    ).toBe(200);
    await expect.poll(() => messageOf(address)?.status, { timeout: 10_000 }).toBe('failed');
    expect(messageOf(address)).toMatchObject({ attempts: 1, last_error: 'push service answered 410' });
    const sub = subscriptionOf(address);
    expect(sub.status).toBe(1);
    expect(JSON.parse(sub.data).statusReason).toMatch(/answered 410/);
    const about = () => hookEvents().filter((e) => e.subscription.subscription_id === browser.json);
    await expect
      .poll(
        () =>
          about()
            .map((e) => e.event_type)
            .sort(),
        { timeout: 5000 },
      )
      .toEqual(['undeliv', 'unsub']);
    expect(hookEvents().find((e) => e.event_type === 'unsub')?.event_data).toMatchObject({
      reason: expect.stringMatching(/410/),
    });
    // profiles/get shows why.
    const got = await h.post('profiles/get', {
      token: TOKEN,
      db_id: 1,
      matching: 'push_sub',
      provider: 'chrome-webpush',
      subscription_id: browser.json,
    });
    expect((got.json.data as { subscriptions: Record<string, unknown>[] }).subscriptions[0]).toMatchObject({
      status: 1,
      status_reason: expect.stringMatching(/410/),
    });
    // The next launch to it is skipped: nothing reaches the push service.
    const received = web.received.length;
    expect(
      (await launch([{ data: { _fname: 'Gus', subscriptions: [pushSub('chrome-webpush', browser.json)] } }])).status,
    ).toBe(200);
    await expect
      .poll(
        () =>
          rows<{ status: string; skip_reason: string | null }>(
            h,
            'SELECT status, skip_reason FROM messages WHERE profile_id = (SELECT profile_id FROM messages WHERE address = ? LIMIT 1) ORDER BY id DESC LIMIT 1',
            address,
          )[0],
        { timeout: 5000 },
      )
      .toMatchObject({ status: 'skipped' });
    expect(web.received.length).toBe(received);
  });

  it('APNs 410 Unregistered and 400 BadDeviceToken unsubscribe; 429 is retried and then delivered once', async () => {
    const gone = deviceToken('gone-iphone');
    const bad = deviceToken('bad-iphone');
    const busy = deviceToken('busy-iphone');
    apns.answers.set(gone, [{ status: 410, reason: 'Unregistered' }]);
    apns.answers.set(bad, [{ status: 400, reason: 'BadDeviceToken' }]);
    apns.answers.set(busy, [{ status: 429, reason: 'TooManyRequests' }]);
    const data = [gone, bad, busy].map((t, i) => ({
      data: { _fname: `I${i}`, subscriptions: [pushSub('ios-apns', t)] },
    }));
    expect((await launch(data)).status).toBe(200);
    await expect.poll(() => messageOf(`ios-apns|${busy}`)?.status, { timeout: 15_000 }).toBe('sent');
    expect(messageOf(`ios-apns|${busy}`).attempts).toBe(2);
    expect(apns.received.filter((r) => r.token === busy)).toHaveLength(1);
    expect(messageOf(`ios-apns|${gone}`)).toMatchObject({ status: 'failed', last_error: 'APNs 410 Unregistered' });
    expect(messageOf(`ios-apns|${bad}`)).toMatchObject({ status: 'failed', last_error: 'APNs 400 BadDeviceToken' });
    expect(subscriptionOf(`ios-apns|${gone}`).status).toBe(1);
    expect(subscriptionOf(`ios-apns|${bad}`).status).toBe(1);
    expect(subscriptionOf(`ios-apns|${busy}`).status).toBe(0);
  });

  it('FCM UNREGISTERED makes the Android subscription unsubscribed', async () => {
    fcm.unregistered.add('fcm-token-uninstalled');
    expect(
      (
        await launch([
          { data: { _fname: 'Una', subscriptions: [pushSub('android-firebase', 'fcm-token-uninstalled')] } },
        ])
      ).status,
    ).toBe(200);
    await expect
      .poll(() => messageOf('android-firebase|fcm-token-uninstalled')?.status, { timeout: 10_000 })
      .toBe('failed');
    expect(messageOf('android-firebase|fcm-token-uninstalled').last_error).toMatch(/^FCM 404 UNREGISTERED/);
    const sub = subscriptionOf('android-firebase|fcm-token-uninstalled');
    expect(sub.status).toBe(1);
    expect(JSON.parse(sub.data).statusReason).toMatch(/UNREGISTERED/);
  });
});

describe('what a push subscription is', () => {
  it('a Web Push subscription_id that is not a PushSubscription is an invalid subscription', async () => {
    const bad = await launch([{ data: { _fname: 'Ivy', subscriptions: [pushSub('chrome-webpush', 'not-json')] } }]);
    expect(bad.status).toBe(200);
    expect(JSON.stringify(bad.json)).toMatch(/subscriptions\[0\]\.subscription_id.*PushSubscription as JSON/);
    const skipped = await h.post('campaigns/triggers/import_and_start_batch', {
      token: TOKEN,
      trigger_id: 98,
      matching: 'push_sub',
      skip_invalid_subscriptions: true,
      data: [
        {
          data: {
            _fname: 'Ivy',
            subscriptions: [
              pushSub('chrome-webpush', '{"endpoint": "https://x"}'),
              pushSub('ios-apns', 'not hex'),
              pushSub('android-firebase', 'fcm-token-ivy'),
            ],
          },
        },
      ],
    });
    expect(skipped.status).toBe(200);
    expect(rows(h, "SELECT address FROM subscriptions WHERE address LIKE '%ivy%' OR address LIKE '%not%'")).toEqual([
      { address: 'android-firebase|fcm-token-ivy' },
    ]);
  });

  it('an endpoint outside HERALD_WEBPUSH_HOSTS is never contacted: the message fails at once', async () => {
    const browser = web.subscribe('elsewhere');
    const elsewhere = browser.json.replace(web.origin, 'https://push.attacker.example');
    expect(
      (await launch([{ data: { _fname: 'Eve', subscriptions: [pushSub('chrome-webpush', elsewhere)] } }])).status,
    ).toBe(200);
    await expect.poll(() => messageOf(`chrome-webpush|${elsewhere}`)?.status, { timeout: 10_000 }).toBe('failed');
    expect(messageOf(`chrome-webpush|${elsewhere}`).last_error).toMatch(
      /push\.attacker\.example is not one of HERALD_WEBPUSH_HOSTS/,
    );
    expect(subscriptionOf(`chrome-webpush|${elsewhere}`).status).toBe(0);
  });
});
