// Open and click tokens (spec 07): what an open pixel or a rewritten link names — the message,
// and for a click the link and its URL — sealed with AES-256-GCM under a key derived from the
// server secret. A token reveals nothing (not the address, not the URL, which may carry personal
// data), cannot be forged or altered (404), and a click token redirects only to the URL sealed in it.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface TrackingTarget {
  accountId: number;
  triggerId: number;
  messageId: number;
}

export interface ClickTarget extends TrackingTarget {
  /** The link's position among the tracked links of the HTML part (0-based). */
  link: number;
  url: string;
}

const VERSION = 1;
const IV = 12;
const TAG = 16;
/** A link longer than this is no link of ours. */
const MAX_TOKEN = 8192;
const OPEN = 'o';
const CLICK = 'c';

const keys = new Map<string, Buffer>();

/** One key per secret (derived once: a token costs one AES-GCM operation, not a key derivation). */
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'herald tracking link', 32));
    if (keys.size > 8) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

function seal(secret: string, kind: string, fields: unknown[]): string {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  // The kind is authenticated: an open token is never a click token.
  cipher.setAAD(Buffer.from(kind));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

function open(secret: string, kind: string, token: string): unknown[] | undefined {
  if (token.length > MAX_TOKEN) return undefined;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < 1 + IV + TAG + 2 || raw[0] !== VERSION || raw.toString('base64url') !== token) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(1, 1 + IV));
    decipher.setAAD(Buffer.from(kind));
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    const plain = Buffer.concat([decipher.update(raw.subarray(1 + IV, raw.length - TAG)), decipher.final()]).toString(
      'utf8',
    );
    const fields = JSON.parse(plain) as unknown;
    return Array.isArray(fields) ? fields : undefined;
  } catch {
    return undefined;
  }
}

/** An http(s) URL a Location header can carry: no whitespace or control character. */
export const REDIRECTABLE = /^https?:\/\/[^\s\x00-\x1f\x7f]+$/i;

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function openToken(secret: string, t: TrackingTarget): string {
  return seal(secret, OPEN, [t.accountId, t.triggerId, t.messageId]);
}

export function clickToken(secret: string, t: ClickTarget): string {
  return seal(secret, CLICK, [t.accountId, t.triggerId, t.messageId, t.link, t.url]);
}

export function verifyOpenToken(secret: string, token: string): TrackingTarget | undefined {
  const f = open(secret, OPEN, token);
  if (!f || !isId(f[0]) || !isId(f[1]) || !isId(f[2])) return undefined;
  return { accountId: f[0], triggerId: f[1], messageId: f[2] };
}

export function verifyClickToken(secret: string, token: string): ClickTarget | undefined {
  const f = open(secret, CLICK, token);
  if (
    !f ||
    !isId(f[0]) ||
    !isId(f[1]) ||
    !isId(f[2]) ||
    !isId(f[3]) ||
    typeof f[4] !== 'string' ||
    !REDIRECTABLE.test(f[4])
  )
    return undefined;
  return { accountId: f[0], triggerId: f[1], messageId: f[2], link: f[3], url: f[4] };
}
