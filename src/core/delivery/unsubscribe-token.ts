// Unsubscribe links (spec 04): the subscription they act on is signed with the server secret
// (HMAC-SHA256), so a link can be neither forged nor pointed at another subscription.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Channel } from '../catalog/types.js';
import { CHANNELS } from '../catalog/types.js';

export interface UnsubscribeTarget {
  accountId: number;
  dbId: number;
  profileId: string;
  resourceId: number;
  channel: Channel;
  address: string;
  /** The message the link was sent in (for the event), 0 when unknown. */
  messageId: number;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, 18).toString('base64url');
}

export function unsubscribeToken(secret: string, t: UnsubscribeTarget): string {
  const payload = b64(JSON.stringify([t.accountId, t.dbId, t.profileId, t.resourceId, t.channel, t.address, t.messageId]));
  return `${payload}.${sign(secret, payload)}`;
}

export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeTarget | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 2048) return undefined;
  const payload = token.slice(0, dot);
  // Compared as text: base64 decoding ignores trailing characters, the text does not.
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(sign(secret, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const [accountId, dbId, profileId, resourceId, channel, address, messageId] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    if (typeof accountId !== 'number' || typeof dbId !== 'number' || typeof profileId !== 'string' || typeof resourceId !== 'number') return undefined;
    if (!(CHANNELS as readonly unknown[]).includes(channel) || typeof address !== 'string' || typeof messageId !== 'number') return undefined;
    return { accountId, dbId, profileId, resourceId, channel: channel as Channel, address, messageId };
  } catch {
    return undefined;
  }
}
