// Open and click tokens (spec 07): what an open pixel or a rewritten link names — the message,
// and for a click the link and its URL — sealed with AES-256-GCM under a key derived from the
// server secret. A token reveals nothing (not the address, not the URL, which may carry personal
// data), cannot be forged or altered (404), and a click token redirects only to the URL sealed in it.
//
// A click token is `<message part>.<link part>`: the message part names the message (sealed once per
// email), the link part the trigger's link and its URL (sealed once per link and URL, then reused for
// every message of the trigger). An email of twenty links so costs a few seals, not twenty-one — the
// seal, a cipher set up for one token, is what tracking costs. Click tokens of one piece (the link
// and the message sealed together, as earlier versions made them) are still honoured.
//
// Version 2 seals with ./sealer.ts (sub-keys from a salt in the token, replaced after 2^20 seals);
// tokens of version 1 (one key per secret for every token) are still opened.
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { SEAL_OVERHEAD, Sealer } from './sealer.js';

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

const VERSION = 2;
const sealer = new Sealer('herald tracking link v2');
/** Version 1: one key per secret, the nonce in the token. */
const V1 = 1;
const IV = 12;
const TAG = 16;
/** A link longer than this is no link of ours. */
const MAX_TOKEN = 8192;
const OPEN = 'o';
const CLICK = 'c';
const CLICK_MESSAGE = 'm';
const CLICK_LINK = 'l';
/** Link parts kept per secret (each a few hundred bytes): the links of the triggers in use. */
const MAX_LINKS = 20_000;

const keys = new Map<string, Buffer>();
const linkParts = new Map<string, Map<string, string>>();

/** Version 1's key of a secret. */
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'herald tracking link', 32));
    if (keys.size > 8) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

/** The version and the kind, authenticated: an open token is never a click token. */
const aadOf = (version: number, kind: string) => Buffer.from(`${String.fromCharCode(version)}${kind}`, 'latin1');
const AAD = new Map([OPEN, CLICK, CLICK_MESSAGE, CLICK_LINK].map((k) => [k, aadOf(VERSION, k)]));

function seal(secret: string, kind: string, fields: unknown[]): string {
  const sealed = sealer.seal(secret, AAD.get(kind)!, JSON.stringify(fields));
  return Buffer.concat([Buffer.of(VERSION), sealed]).toString('base64url');
}

function open(secret: string, kind: string, token: string): unknown[] | undefined {
  if (token.length > MAX_TOKEN) return undefined;
  const raw = Buffer.from(token, 'base64url');
  // base64url decoding skips characters it does not know: only the exact encoding is ours.
  if (raw.toString('base64url') !== token) return undefined;
  let plain: Buffer | undefined;
  if (raw[0] === VERSION && raw.length >= 1 + SEAL_OVERHEAD + 2)
    plain = sealer.open(secret, AAD.get(kind) ?? aadOf(VERSION, kind), raw.subarray(1));
  else if (raw[0] === V1) plain = openV1(secret, kind, raw);
  if (!plain) return undefined;
  try {
    const fields = JSON.parse(plain.toString('utf8')) as unknown;
    return Array.isArray(fields) ? fields : undefined;
  } catch {
    return undefined;
  }
}

function openV1(secret: string, kind: string, raw: Buffer): Buffer | undefined {
  if (raw.length < 1 + IV + TAG + 2) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(1, 1 + IV));
    decipher.setAAD(Buffer.from(kind));
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    return Buffer.concat([decipher.update(raw.subarray(1 + IV, raw.length - TAG)), decipher.final()]);
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

/** The sealed link part of a click token (the same for every message of the trigger). */
function linkPart(secret: string, t: Omit<ClickTarget, 'messageId'>): string {
  let parts = linkParts.get(secret);
  if (!parts) {
    if (linkParts.size > 8) linkParts.clear();
    parts = new Map();
    linkParts.set(secret, parts);
  }
  const k = `${t.accountId} ${t.triggerId} ${t.link} ${t.url}`;
  let part = parts.get(k);
  if (part === undefined) {
    part = seal(secret, CLICK_LINK, [t.accountId, t.triggerId, t.link, t.url]);
    if (parts.size >= MAX_LINKS) parts.clear();
    parts.set(k, part);
  }
  return part;
}

/** The click tokens of one message: its part sealed once, each link's part sealed once per trigger. */
export function clickTokens(secret: string, t: TrackingTarget): (link: number, url: string) => string {
  let message: string | undefined;
  return (link, url) => {
    // Sealed at the first link: an email without links costs nothing.
    message ??= seal(secret, CLICK_MESSAGE, [t.accountId, t.triggerId, t.messageId]);
    return `${message}.${linkPart(secret, { accountId: t.accountId, triggerId: t.triggerId, link, url })}`;
  };
}

export function clickToken(secret: string, t: ClickTarget): string {
  return clickTokens(secret, t)(t.link, t.url);
}

export function verifyOpenToken(secret: string, token: string): TrackingTarget | undefined {
  const f = open(secret, OPEN, token);
  if (!f || !isId(f[0]) || !isId(f[1]) || !isId(f[2])) return undefined;
  return { accountId: f[0], triggerId: f[1], messageId: f[2] };
}

function clickTarget(f: unknown[] | undefined): ClickTarget | undefined {
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

export function verifyClickToken(secret: string, token: string): ClickTarget | undefined {
  const dot = token.indexOf('.');
  if (dot < 0) return clickTarget(open(secret, CLICK, token));
  if (token.length > MAX_TOKEN) return undefined;
  const m = open(secret, CLICK_MESSAGE, token.slice(0, dot));
  const l = open(secret, CLICK_LINK, token.slice(dot + 1));
  // Both parts of one account and trigger: a link part goes only with the messages of its trigger.
  if (!m || !l || m[0] !== l[0] || m[1] !== l[1]) return undefined;
  return clickTarget([m[0], m[1], m[2], l[2], l[3]]);
}
