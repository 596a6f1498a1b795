// The push senders on their own against the real peers of this process: the outbound guard keeps
// each of them from a denied address (nothing is contacted), the APNs provider token is renewed
// after 50 minutes and not before, and the FCM access token is asked for again only shortly
// before it expires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushOut } from '../../src/core/delivery/outgoing.js';
import { ApnsTokens, apnsSender } from '../../src/senders/apns.js';
import { FcmTokens, fcmSender } from '../../src/senders/fcm.js';
import { OutboundGuard, parseDenyList } from '../../src/senders/outbound.js';
import { webPushSender } from '../../src/senders/webpush.js';
import { WebPushHosts } from '../../src/senders/webpush-hosts.js';
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

let apns: ApnsService;
let fcm: FcmService;
let web: WebPushService;
const vapid = vapidKeys();
beforeAll(async () => {
  [apns, fcm, web] = await Promise.all([startApnsService(), startFcmService(), startWebPushService(vapid.publicKey)]);
});
afterAll(() => Promise.all([apns.close(), fcm.close(), web.close()]));

const push = (to: string): PushOut => ({
  channel: 'push',
  ref: 1,
  messageId: 'herald.1.1',
  to: { provider: 'p', subscription_id: to },
  title: 'T',
  text: 'X',
  url: '',
  image: '',
  vars: { lead: {}, subscription: {} },
});
const apnsSettings = () => ({
  teamId: apns.teamId,
  keyId: apns.keyId,
  privateKey: apns.privateKeyPem,
  topic: 'com.example.shop',
  environment: 'production' as const,
  apiUrl: apns.url,
});
const fcmSettings = () => {
  const sa = fcm.serviceAccount;
  return {
    projectId: sa.project_id,
    clientEmail: sa.client_email,
    privateKey: sa.private_key,
    privateKeyId: sa.private_key_id,
    tokenUri: sa.token_uri,
    apiUrl: fcm.url,
  };
};

describe('push senders and the outbound guard', () => {
  it('never connect to a denied address, and reach an allowed one', async () => {
    const denied = new OutboundGuard({ deny: parseDenyList('127.0.0.0/8,::1/128'), timeoutMs: 2000 });
    const allowed = new OutboundGuard({ deny: parseDenyList('169.254.0.0/16'), timeoutMs: 2000 });
    const browser = web.subscribe('guarded');
    const senders = (guard: OutboundGuard) => [
      apnsSender({ id: 1, accountId: 1, name: 'a', type: 'apns', apns: apnsSettings() }, guard),
      fcmSender({ id: 2, accountId: 1, name: 'f', type: 'fcm', fcm: fcmSettings() }, guard),
      webPushSender(
        {
          id: 3,
          accountId: 1,
          name: 'w',
          type: 'webpush',
          webpush: {
            subject: 'mailto:a@b.c',
            publicKey: vapid.publicKey,
            privateKey: vapid.privateKey,
            ttlSeconds: 60,
          },
        },
        guard,
        new WebPushHosts(web.origin),
      ),
    ];
    const targets = [deviceToken('guarded'), 'fcm-guarded', browser.json];
    const refused = await Promise.all(senders(denied).map((s, i) => s.send(push(targets[i]))));
    for (const r of refused)
      expect(r).toMatchObject({ ok: false, transient: false, error: expect.stringMatching(/denied/) });
    expect([apns.sessions, fcm.tokenRequests, web.received.length]).toEqual([0, 0, 0]);
    const sent = await Promise.all(senders(allowed).map((s, i) => s.send(push(targets[i]))));
    expect(sent.map((r) => r.ok)).toEqual([true, true, true]);
    expect([apns.received.length, fcm.sent.length, web.received.length]).toEqual([1, 1, 1]);
    await Promise.all([denied.close(), allowed.close()]);
  });
});

describe('provider tokens', () => {
  it('APNs: one token for 50 minutes, a new one after; an expired token is replaced only if 20 minutes old', () => {
    const tokens = new ApnsTokens(apnsSettings());
    const t0 = Date.now();
    const first = tokens.get(t0);
    expect(tokens.get(t0 + 49 * 60_000)).toBe(first);
    const second = tokens.get(t0 + 51 * 60_000);
    expect(second).not.toBe(first);
    expect(tokens.signed).toBe(2);
    // Apple says "expired" 5 minutes after signing: too young to renew (TooManyProviderTokenUpdates).
    tokens.expired(t0 + 56 * 60_000);
    expect(tokens.get(t0 + 56 * 60_000)).toBe(second);
    tokens.expired(t0 + 72 * 60_000);
    expect(tokens.get(t0 + 72 * 60_000)).not.toBe(second);
  });

  it('FCM: the access token is kept until five minutes before it expires, then asked for again', async () => {
    const guard = new OutboundGuard({ deny: parseDenyList('169.254.0.0/16'), timeoutMs: 2000 });
    const tokens = new FcmTokens(fcmSettings(), guard);
    const now = Date.now();
    const first = await tokens.get(now);
    // The peer's tokens live 3599 s.
    expect(await tokens.get(now + 54 * 60_000)).toBe(first);
    expect(tokens.fetched).toBe(1);
    const again = await tokens.get(now + 56 * 60_000);
    expect(again).not.toBe(first);
    expect(tokens.fetched).toBe(2);
    await guard.close();
  });
});
