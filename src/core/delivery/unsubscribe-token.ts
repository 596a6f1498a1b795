// Unsubscribe links (spec 04): the subscription they act on travels in the link, encrypted and
// authenticated with a key derived from the server secret (AES-256-GCM, ./sealer.ts), so a link
// reveals nothing (not the address, not the profile) and can be neither forged nor pointed at
// another subscription — and it needs no storage, so it works as long as the secret does, past the
// retention of the message it came in. Links of earlier versions are still honoured: version 2
// (a key derived for every link from a salt of its own — a key derivation per message, the reason
// for version 3) and the first form (the target in readable base64, signed with HMAC-SHA256;
// recognised by its dot).
import { createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Channel } from '../catalog/types.js';
import { CHANNELS } from '../catalog/types.js';
import { SEAL_OVERHEAD, Sealer } from './sealer.js';

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

const VERSION = 3;
const sealer = new Sealer('herald unsubscribe link v3');
const AAD = Buffer.of(VERSION);
/** Version 2: a key and nonce derived for each link from a salt of its own. */
const V2 = 2;
const SALT = 12;
const TAG = 16;
/** A push subscription id can be long; anything longer than this is no link of ours. */
const MAX_TOKEN = 2048;

/** Version 2's key and nonce of a link. */
function keyOf(secret: string, salt: Uint8Array): { key: Buffer; iv: Buffer } {
  const okm = Buffer.from(hkdfSync('sha256', secret, salt, 'herald unsubscribe link', 32 + 12));
  return { key: okm.subarray(0, 32), iv: okm.subarray(32) };
}

export function unsubscribeToken(secret: string, t: UnsubscribeTarget): string {
  const plain = JSON.stringify([t.accountId, t.dbId, t.profileId, t.resourceId, t.channel, t.address, t.messageId]);
  return Buffer.concat([AAD, sealer.seal(secret, AAD, plain)]).toString('base64url');
}

export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeTarget | undefined {
  if (token.length > MAX_TOKEN) return undefined;
  const plain = token.includes('.') ? openLegacy(secret, token) : openSealed(secret, token);
  return plain === undefined ? undefined : targetOf(plain);
}

function openSealed(secret: string, token: string): string | undefined {
  const raw = Buffer.from(token, 'base64url');
  // base64url decoding skips characters it does not know: only the exact encoding is ours.
  if (raw.toString('base64url') !== token) return undefined;
  if (raw[0] === VERSION && raw.length >= 1 + SEAL_OVERHEAD + 2)
    return sealer.open(secret, AAD, raw.subarray(1))?.toString('utf8');
  return raw[0] === V2 ? openV2(secret, raw) : undefined;
}

function openV2(secret: string, raw: Buffer): string | undefined {
  if (raw.length < 1 + SALT + TAG + 2) return undefined;
  const { key, iv } = keyOf(secret, raw.subarray(1, 1 + SALT));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.of(V2));
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    return Buffer.concat([decipher.update(raw.subarray(1 + SALT, raw.length - TAG)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}

/** The earlier form, `base64url(target).hmac`: kept so that links already sent keep working. */
function openLegacy(secret: string, token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  const payload = token.slice(0, dot);
  // Compared as text: base64 decoding ignores trailing characters, the text does not.
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(
    createHmac('sha256', secret).update(payload).digest().subarray(0, 18).toString('base64url'),
  );
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return Buffer.from(payload, 'base64url').toString('utf8');
}

function targetOf(plain: string): UnsubscribeTarget | undefined {
  try {
    const [accountId, dbId, profileId, resourceId, channel, address, messageId] = JSON.parse(plain) as unknown[];
    if (
      typeof accountId !== 'number' ||
      typeof dbId !== 'number' ||
      typeof profileId !== 'string' ||
      typeof resourceId !== 'number'
    )
      return undefined;
    if (
      !(CHANNELS as readonly unknown[]).includes(channel) ||
      typeof address !== 'string' ||
      typeof messageId !== 'number'
    )
      return undefined;
    return { accountId, dbId, profileId, resourceId, channel: channel as Channel, address, messageId };
  } catch {
    return undefined;
  }
}
