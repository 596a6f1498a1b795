// What a push subscription's subscription_id holds, by the sender that serves it: for Web Push
// the browser's PushSubscription as JSON (`JSON.stringify(subscription)`), for FCM and APNs the
// device token. A value of the wrong shape is an invalid subscription.
import type { SenderType } from '../catalog/types.js';

export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A PushSubscription is a few hundred characters; anything far longer is not one. */
const MAX_WEB_PUSH = 4096;

const base64urlBytes = (s: unknown): number =>
  typeof s === 'string' && /^[A-Za-z0-9_-]+={0,2}$/.test(s) ? Buffer.from(s, 'base64url').length : -1;

/** The subscription, or why the text is not one. */
export function readWebPushSubscription(text: string): WebPushSubscription | string {
  if (text.length > MAX_WEB_PUSH) return `a Web Push subscription is at most ${MAX_WEB_PUSH} characters`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'a Web Push subscription_id is the browser\'s PushSubscription as JSON ({"endpoint", "keys": {"p256dh", "auth"}})';
  }
  const v = value as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } } | null;
  if (!v || typeof v !== 'object' || typeof v.endpoint !== 'string' || !v.keys || typeof v.keys !== 'object') {
    return 'a Web Push subscription needs endpoint and keys ({"endpoint", "keys": {"p256dh", "auth"}})';
  }
  let url: URL;
  try {
    url = new URL(v.endpoint);
  } catch {
    return 'the Web Push endpoint is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'the Web Push endpoint must be an https URL';
  const p256dh = v.keys.p256dh;
  const auth = v.keys.auth;
  if (base64urlBytes(p256dh) !== 65 || Buffer.from(String(p256dh), 'base64url')[0] !== 4)
    return 'keys.p256dh must be a P-256 public key in URL-safe base64';
  if (base64urlBytes(auth) !== 16) return 'keys.auth must be 16 bytes in URL-safe base64';
  return { endpoint: v.endpoint, keys: { p256dh: p256dh as string, auth: auth as string } };
}

/** Why `subscriptionId` cannot be sent by a sender of this type, or undefined when it can. */
export function pushTokenProblem(type: SenderType | undefined, subscriptionId: string): string | undefined {
  if (type === 'webpush') {
    const read = readWebPushSubscription(subscriptionId);
    return typeof read === 'string' ? read : undefined;
  }
  // An APNs device token is hex; checked, it can never reach the request path as anything else.
  if (type === 'apns' && !/^[0-9a-fA-F]{16,400}$/.test(subscriptionId)) return 'an APNs device token is hexadecimal';
  if (type === 'fcm' && !/^[\x21-\x7e]{1,4096}$/.test(subscriptionId))
    return 'an FCM registration token has no spaces or control characters';
  return undefined;
}
