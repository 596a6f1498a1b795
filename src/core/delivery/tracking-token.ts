// Open and click tokens (spec 07): what an open pixel or a rewritten link names — the message,
// and for a click the link and its URL — encrypted and authenticated under keys derived from the
// server secret. A token reveals nothing (not the address, not the URL, which may carry personal
// data), cannot be forged or altered (404), and a click token redirects only to the URL sealed in it.
//
// A click token is `<message part>.<link part>`: the message part names the message (sealed once per
// email), the link part the trigger's link and its URL (sealed once per link and URL, then reused for
// every message of the trigger). An email of twenty links so costs one message part, not twenty-one
// seals. Click tokens of one piece (the link and the message sealed together, as earlier versions
// made them) are still honoured.
//
// Version 3 (./compact-token.ts) is what Herald makes: a message part of 24 bytes (one AES block and
// a tag) and, for a link the delivery worker has stored (./tracked-links.ts), a link part of 13
// bytes naming it by id (version 4); other links (personalised ones) get a link part of 15 bytes
// more than their URL. Version 2 sealed with ./sealer.ts (sub-keys
// from a salt in the token) and is still made for ids too large for a block; tokens of versions 2
// and 1 (one key per secret for every token) are still opened.
import { createDecipheriv, hkdfSync } from 'node:crypto';
import {
  MESSAGE_BYTES,
  openLink,
  openLinkRef,
  openMessage,
  REF_VERSION,
  sealLink,
  sealLinkRef,
  sealMessage,
  type MessageKind,
} from './compact-token.js';
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

/** A click token whose link part names a stored link: its position and URL are looked up by id. */
export interface StoredLinkTarget extends TrackingTarget {
  linkId: number;
}

/** The stored link's id for a link at this position with this URL, when there is one. */
export type LinkRefOf = (link: number, url: string) => number | undefined;

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
/** The characters of a version 3 message part. */
const MESSAGE_CHARS = Math.ceil((MESSAGE_BYTES * 4) / 3);
/** Link parts kept (each a few hundred bytes): the links of the triggers in use. */
const MAX_LINKS = 20_000;
const MAX_KEPT_URL = 2048;

const keys = new Map<string, Buffer>();
/** Per secret, per account and trigger: the link parts by position and URL. */
const linkParts = new Map<string, Map<string, TriggerLinks>>();

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

/** The message part of kind `kind` (version 3, or 2 when an id does not fit a block). */
function messagePart(secret: string, kind: MessageKind, legacyKind: string, t: TrackingTarget): string {
  return (
    sealMessage(secret, kind, t.accountId, t.triggerId, t.messageId)?.toString('base64url') ??
    seal(secret, legacyKind, [t.accountId, t.triggerId, t.messageId])
  );
}

export function openToken(secret: string, t: TrackingTarget): string {
  return messagePart(secret, 'o', OPEN, t);
}

/**
 * The link parts of one trigger's links, by position and URL: looked up per link of every email, so
 * the lookup is two steps on strings the caller keeps (their hashes are computed once).
 */
type TriggerLinks = Map<string, string>[];
let linksKept = 0;

/** One trigger's entry of a per-secret cache, made when missing (the caches of 8 secrets at most). */
function triggerEntry<T>(
  cache: Map<string, Map<string, T>>,
  secret: string,
  t: Pick<TrackingTarget, 'accountId' | 'triggerId'>,
  make: () => T,
): T {
  let bySecret = cache.get(secret);
  if (!bySecret) {
    if (cache.size > 8) cache.clear();
    bySecret = new Map();
    cache.set(secret, bySecret);
  }
  const key = `${t.accountId} ${t.triggerId}`;
  let entry = bySecret.get(key);
  if (entry === undefined) bySecret.set(key, (entry = make()));
  return entry;
}

/** The link part of a click token (the same for every message of the trigger). */
function linkPart(secret: string, links: TriggerLinks, t: Omit<ClickTarget, 'messageId'>): string {
  const urls = (links[t.link] ??= new Map());
  let part = urls.get(t.url);
  if (part === undefined) {
    part =
      sealLink(secret, t.accountId, t.triggerId, t.link, t.url)?.toString('base64url') ??
      seal(secret, CLICK_LINK, [t.accountId, t.triggerId, t.link, t.url]);
    // A long URL (a personalised one can be) is sealed each time: the cache stays a few megabytes.
    if (t.url.length > MAX_KEPT_URL) return part;
    if (++linksKept > MAX_LINKS) {
      linkParts.clear();
      linksKept = 0;
    }
    urls.set(t.url, part);
  }
  return part;
}

/** Link references made, per secret, by account and trigger, then by stored link id. */
const refParts = new Map<string, Map<string, Map<number, string>>>();
let refsKept = 0;

/** The link part naming stored link `id` (the same for every message of the trigger). */
function refPart(secret: string, refs: Map<number, string>, t: TrackingTarget, id: number): string | undefined {
  let part = refs.get(id);
  if (part === undefined) {
    part = sealLinkRef(secret, t.accountId, t.triggerId, id)?.toString('base64url');
    if (part === undefined) return undefined;
    if (++refsKept > MAX_LINKS) {
      refParts.clear();
      refsKept = 0;
    }
    refs.set(id, part);
  }
  return part;
}

/**
 * The click tokens of one message: its part made once, each link's part once per trigger — a
 * reference to the stored link where `refOf` names one, else the sealed position and URL.
 */
export function clickTokens(
  secret: string,
  t: TrackingTarget,
  refOf?: LinkRefOf,
): (link: number, url: string) => string {
  let message: string | undefined;
  let links: TriggerLinks | undefined;
  let refs: Map<number, string> | undefined;
  return (link, url) => {
    // Made at the first link: an email without links costs nothing.
    message ??= messagePart(secret, 'm', CLICK_MESSAGE, t);
    // A message part of version 2 (ids too large for version 3) goes with link parts of version 2,
    // sealed each time (a message id beyond 2^48 is not one a server reaches).
    if (message.length !== MESSAGE_CHARS)
      return `${message}.${seal(secret, CLICK_LINK, [t.accountId, t.triggerId, link, url])}`;
    const id = refOf?.(link, url);
    const ref =
      id === undefined
        ? undefined
        : refPart(secret, (refs ??= triggerEntry(refParts, secret, t, () => new Map())), t, id);
    if (ref !== undefined) return `${message}.${ref}`;
    links ??= triggerEntry(linkParts, secret, t, (): TriggerLinks => []);
    return `${message}.${linkPart(secret, links, { accountId: t.accountId, triggerId: t.triggerId, link, url })}`;
  };
}

export function clickToken(secret: string, t: ClickTarget): string {
  return clickTokens(secret, t)(t.link, t.url);
}

/** The raw bytes of a version 3 message part, or undefined when `token` is not one. */
function compact(token: string): Buffer | undefined {
  if (token.length !== MESSAGE_CHARS) return undefined;
  const raw = Buffer.from(token, 'base64url');
  return raw.length === MESSAGE_BYTES && raw.toString('base64url') === token ? raw : undefined;
}

export function verifyOpenToken(secret: string, token: string): TrackingTarget | undefined {
  const raw = compact(token);
  if (raw) return openMessage(secret, 'o', raw);
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

/** What a click token names: the link with its URL, or a stored link by id; undefined when it is not ours. */
export function verifyClickToken(secret: string, token: string): ClickTarget | StoredLinkTarget | undefined {
  const dot = token.indexOf('.');
  if (dot < 0) return clickTarget(open(secret, CLICK, token));
  if (token.length > MAX_TOKEN) return undefined;
  const messageRaw = compact(token.slice(0, dot));
  if (messageRaw) {
    const m = openMessage(secret, 'm', messageRaw);
    const linkToken = token.slice(dot + 1);
    const linkRaw = Buffer.from(linkToken, 'base64url');
    if (!m || linkRaw.toString('base64url') !== linkToken) return undefined;
    if (linkRaw[0] === REF_VERSION) {
      const linkId = openLinkRef(secret, m.accountId, m.triggerId, linkRaw);
      return linkId === undefined ? undefined : { ...m, linkId };
    }
    if (linkRaw[0] === VERSION) {
      // A link beyond the 65,536 positions of version 3 has a link part of version 2.
      const l = open(secret, CLICK_LINK, linkToken);
      if (!l || l[0] !== m.accountId || l[1] !== m.triggerId) return undefined;
      return clickTarget([m.accountId, m.triggerId, m.messageId, l[2], l[3]]);
    }
    const l = openLink(secret, m.accountId, m.triggerId, linkRaw);
    return l ? clickTarget([m.accountId, m.triggerId, m.messageId, l.link, l.url]) : undefined;
  }
  const m = open(secret, CLICK_MESSAGE, token.slice(0, dot));
  const l = open(secret, CLICK_LINK, token.slice(dot + 1));
  // Both parts of one account and trigger: a link part goes only with the messages of its trigger.
  if (!m || !l || m[0] !== l[0] || m[1] !== l[1]) return undefined;
  return clickTarget([m[0], m[1], m[2], l[2], l[3]]);
}
