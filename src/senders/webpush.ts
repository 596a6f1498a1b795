// The `webpush` sender (RFC 8030, 8291, 8292): the push template's title, text, url and image as
// JSON, encrypted with aes128gcm for the subscription's keys by the web-push library, POSTed to
// the subscription's endpoint with a VAPID token. The endpoint came in with the data: it must be
// on a host of HERALD_WEBPUSH_HOSTS, and the request passes the outbound guard. 201 is success
// (the Location header is the push service's id of the message); 404 and 410 mean the browser's
// subscription is gone, so the subscription becomes `unsubscribed`; 429 and 5xx are retried.
import webpush from 'web-push';
import type { SenderDef, WebPushSettings } from '../core/catalog/types.js';
import type { OutgoingMessage, Sender, SendResult } from '../core/delivery/outgoing.js';
import { readWebPushSubscription } from '../core/profiles/push-subscription.js';
import type { OutboundGuard } from './outbound.js';
import { RateLimiter } from './rate-limit.js';
import { answerSnippet, guardedRequest, networkFailure, type GuardedAnswer } from './request.js';
import type { WebPushHosts } from './webpush-hosts.js';

/** A VAPID token lives 12 hours (RFC 8292 allows 24) and is made again an hour before it ends. */
const VAPID_LIFETIME_S = 12 * 3600;
const VAPID_MARGIN_S = 3600;

/** One signed VAPID Authorization value per push service origin, reused until shortly before it expires. */
class VapidTokens {
  private readonly byAudience = new Map<string, { header: string; expires: number }>();

  constructor(private readonly settings: WebPushSettings) {}

  authorization(endpoint: string, nowS = Math.floor(Date.now() / 1000)): string {
    const audience = new URL(endpoint).origin;
    const known = this.byAudience.get(audience);
    if (known && known.expires - VAPID_MARGIN_S > nowS) return known.header;
    const expires = nowS + VAPID_LIFETIME_S;
    const { subject, publicKey, privateKey } = this.settings;
    const header = webpush.getVapidHeaders(
      audience,
      subject,
      publicKey,
      privateKey,
      'aes128gcm',
      expires,
    ).Authorization;
    this.byAudience.set(audience, { header, expires });
    return header;
  }
}

function readAnswer(res: GuardedAnswer): SendResult {
  const snippet = answerSnippet(res.text);
  if (res.status >= 200 && res.status < 300) {
    const location = res.headers.location;
    const id = Array.isArray(location) ? location[0] : location;
    return { ok: true, ...(id ? { providerId: id.slice(0, 500) } : {}) };
  }
  const error = `push service answered ${res.status}${snippet ? `: ${snippet}` : ''}`;
  if (res.status === 404 || res.status === 410) {
    return {
      ok: false,
      transient: false,
      error,
      subscription: {
        status: 'unsubscribed',
        reason: `the push service answered ${res.status}: the browser's subscription has expired or was removed`,
      },
    };
  }
  const transient = res.status === 429 || res.status >= 500;
  return { ok: false, transient, error, ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}) };
}

export function webPushSender(def: SenderDef, guard: OutboundGuard, hosts: WebPushHosts): Sender {
  const settings = def.webpush as WebPushSettings;
  const vapid = new VapidTokens(settings);
  const limiter = def.ratePerSecond ? new RateLimiter(def.ratePerSecond) : undefined;
  return {
    async send(m: OutgoingMessage): Promise<SendResult> {
      if (m.channel !== 'push')
        return { ok: false, transient: false, error: `a webpush sender cannot send ${m.channel}` };
      const subscription = readWebPushSubscription(m.to.subscription_id);
      if (typeof subscription === 'string') return { ok: false, transient: false, error: subscription };
      const denied = hosts.problem(subscription.endpoint);
      if (denied) return { ok: false, transient: false, error: denied };
      await limiter?.take();
      const payload = JSON.stringify({ title: m.title, text: m.text, url: m.url, image: m.image });
      let details: ReturnType<typeof webpush.generateRequestDetails>;
      try {
        // The library's global VAPID details stay unset: the Authorization is our cached token.
        details = webpush.generateRequestDetails(subscription, payload, {
          TTL: settings.ttlSeconds,
          headers: { Authorization: vapid.authorization(subscription.endpoint) },
        });
      } catch (err) {
        return { ok: false, transient: false, error: `web push: ${(err as Error).message}`.slice(0, 300) };
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(details.headers)) headers[k.toLowerCase()] = String(v);
      // undici sets the length itself from the body.
      delete headers['content-length'];
      try {
        return readAnswer(
          await guardedRequest(guard, { method: 'POST', url: details.endpoint, headers, body: details.body as Buffer }),
        );
      } catch (err) {
        return networkFailure(err);
      }
    },
    async close() {},
  };
}
