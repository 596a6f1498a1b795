// Version 3 of the tracking tokens (./tracking-token.ts): the same promises — nothing readable, no
// forgery, a click only to the URL it was made for — in fewer bytes and less work per email.
//
// - The message part of a click token and the open token are one AES block and a tag: the block
//   (kind, version, account, trigger, message) encrypted with AES-256 (a permutation: the ids are
//   unique, so no nonce is needed), the tag the first 8 bytes of that ciphertext encrypted under a
//   second key (a PRF on one block: forging a tag is a 2^-64 guess). 24 bytes, 32 characters, made by
//   two block operations on ciphers kept open — no cipher set-up and no random bytes per email.
// - The link part is the link's position and URL, encrypted with AES-256-CTR under a synthetic IV:
//   the first 12 bytes of an HMAC-SHA256 over the account, the trigger, the position and the URL
//   (SIV: the IV authenticates, and binds the part to its trigger without carrying the ids). It is
//   made once per link of a trigger and reused, so its cost does not count; its length does: 15
//   bytes more than the URL instead of 41 plus the ids.
// - A link reference (version 4) names a link stored by the delivery workers (./tracked-links.ts)
//   by its id: the id (32 bits) and an 8-byte tag, the first 8 bytes of the block (kind, version,
//   account, trigger, id) encrypted under a key of its own. 13 bytes, 18 characters, whatever the
//   URL; the click looks the URL up by account, trigger and id.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  timingSafeEqual,
  type Cipher,
  type Decipher,
} from 'node:crypto';

export const VERSION = 3;
/** The length of a message part (or open token) of version 3, in bytes. */
export const MESSAGE_BYTES = 24;
const BLOCK = 16;
const MAC = 8;
const SIV = 12;
/** The largest id a block has room for: accounts and triggers in 32 bits, messages in 48. */
const MAX_U32 = 2 ** 32 - 1;
const MAX_U48 = 2 ** 48 - 1;
const MAX_LINK = 0xffff;

export type MessageKind = 'o' | 'm';

interface Keys {
  /** AES-256-ECB under the block key: one block in, one block out, the cipher kept open. */
  encrypt: Cipher;
  decrypt: Decipher;
  tag: Cipher;
  linkMac: Buffer;
  linkKey: Buffer;
  refTag: Cipher;
}

const keyring = new Map<string, Keys>();

function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `herald tracking v3 ${purpose}`, 32));
}

function ecb(key: Buffer): Cipher {
  const c = createCipheriv('aes-256-ecb', key, null);
  c.setAutoPadding(false);
  return c;
}

function keysOf(secret: string): Keys {
  let k = keyring.get(secret);
  if (!k) {
    const block = derive(secret, 'block');
    const decrypt = createDecipheriv('aes-256-ecb', block, null);
    decrypt.setAutoPadding(false);
    k = {
      encrypt: ecb(block),
      decrypt,
      tag: ecb(derive(secret, 'tag')),
      linkMac: derive(secret, 'link mac'),
      linkKey: derive(secret, 'link key'),
      refTag: ecb(derive(secret, 'link ref')),
    };
    if (keyring.size >= 8) keyring.clear();
    keyring.set(secret, k);
  }
  return k;
}

const within = (v: number, max: number) => Number.isSafeInteger(v) && v >= 0 && v <= max;
const fits = (account: number, trigger: number, message: number) =>
  within(account, MAX_U32) && within(trigger, MAX_U32) && within(message, MAX_U48);

/**
 * One block through a cipher kept open. Only whole blocks ever go in, so none is held back; were
 * one ever to come out short, the cipher's state is not trusted again.
 */
function blockOf(secret: string, cipher: Cipher | Decipher, input: Buffer): Buffer {
  const out = cipher.update(input);
  if (out.length !== BLOCK) {
    keyring.delete(secret);
    throw new Error('a tracking cipher answered a partial block');
  }
  return out;
}

/** The message part of kind `kind`, or undefined when an id does not fit a block (version 2 then). */
export function sealMessage(
  secret: string,
  kind: MessageKind,
  account: number,
  trigger: number,
  message: number,
): Buffer | undefined {
  if (!fits(account, trigger, message)) return undefined;
  const k = keysOf(secret);
  const plain = Buffer.allocUnsafe(BLOCK);
  plain[0] = kind.charCodeAt(0);
  plain[1] = VERSION;
  plain.writeUInt32BE(account, 2);
  plain.writeUInt32BE(trigger, 6);
  plain.writeUIntBE(message, 10, 6);
  const block = blockOf(secret, k.encrypt, plain);
  const out = Buffer.allocUnsafe(MESSAGE_BYTES);
  block.copy(out, 0);
  blockOf(secret, k.tag, block).copy(out, BLOCK, 0, MAC);
  return out;
}

/** The ids of a message part of kind `kind`, or undefined when it is not one made with `secret`. */
export function openMessage(
  secret: string,
  kind: MessageKind,
  raw: Buffer,
): { accountId: number; triggerId: number; messageId: number } | undefined {
  if (raw.length !== MESSAGE_BYTES) return undefined;
  const k = keysOf(secret);
  const block = raw.subarray(0, BLOCK);
  if (!timingSafeEqual(blockOf(secret, k.tag, block).subarray(0, MAC), raw.subarray(BLOCK))) return undefined;
  const plain = blockOf(secret, k.decrypt, block);
  if (plain[0] !== kind.charCodeAt(0) || plain[1] !== VERSION) return undefined;
  return { accountId: plain.readUInt32BE(2), triggerId: plain.readUInt32BE(6), messageId: plain.readUIntBE(10, 6) };
}

function siv(k: Keys, account: number, trigger: number, plain: Buffer): Buffer {
  const ids = Buffer.allocUnsafe(8);
  ids.writeUInt32BE(account, 0);
  ids.writeUInt32BE(trigger, 4);
  return createHmac('sha256', k.linkMac).update(ids).update(plain).digest().subarray(0, SIV);
}

const ivOf = (s: Buffer) => Buffer.concat([s, Buffer.alloc(BLOCK - SIV)]);

/** The link part: version, synthetic IV, the position and URL encrypted; undefined when it cannot be one. */
export function sealLink(
  secret: string,
  account: number,
  trigger: number,
  link: number,
  url: string,
): Buffer | undefined {
  if (!fits(account, trigger, 0) || !within(link, MAX_LINK)) return undefined;
  const k = keysOf(secret);
  const plain = Buffer.concat([Buffer.of(link >> 8, link & 0xff), Buffer.from(url, 'utf8')]);
  const s = siv(k, account, trigger, plain);
  const cipher = createCipheriv('aes-256-ctr', k.linkKey, ivOf(s));
  return Buffer.concat([Buffer.of(VERSION), s, cipher.update(plain), cipher.final()]);
}

/** The position and URL of a link part made for this account and trigger, or undefined. */
export function openLink(
  secret: string,
  account: number,
  trigger: number,
  raw: Buffer,
): { link: number; url: string } | undefined {
  if (raw.length < 1 + SIV + 3 || raw[0] !== VERSION) return undefined;
  const k = keysOf(secret);
  const s = raw.subarray(1, 1 + SIV);
  const decipher = createDecipheriv('aes-256-ctr', k.linkKey, ivOf(s));
  const plain = Buffer.concat([decipher.update(raw.subarray(1 + SIV)), decipher.final()]);
  if (!timingSafeEqual(siv(k, account, trigger, plain), s)) return undefined;
  return { link: (plain[0]! << 8) | plain[1]!, url: plain.subarray(2).toString('utf8') };
}

export const REF_VERSION = 4;
/** The length of a link reference: version, id, tag. */
export const REF_BYTES = 1 + 4 + MAC;

function refTag(secret: string, k: Keys, account: number, trigger: number, id: number): Buffer {
  const plain = Buffer.alloc(BLOCK);
  plain[0] = 0x72; // 'r'
  plain[1] = REF_VERSION;
  plain.writeUInt32BE(account, 2);
  plain.writeUInt32BE(trigger, 6);
  plain.writeUInt32BE(id, 10);
  return blockOf(secret, k.refTag, plain).subarray(0, MAC);
}

/** The link part naming stored link `id` of this account and trigger; undefined when an id does not fit. */
export function sealLinkRef(secret: string, account: number, trigger: number, id: number): Buffer | undefined {
  if (!fits(account, trigger, 0) || !within(id, MAX_U32)) return undefined;
  const out = Buffer.allocUnsafe(REF_BYTES);
  out[0] = REF_VERSION;
  out.writeUInt32BE(id, 1);
  refTag(secret, keysOf(secret), account, trigger, id).copy(out, 5);
  return out;
}

/** The stored link's id of a link reference made for this account and trigger, or undefined. */
export function openLinkRef(secret: string, account: number, trigger: number, raw: Buffer): number | undefined {
  if (raw.length !== REF_BYTES || raw[0] !== REF_VERSION || !fits(account, trigger, 0)) return undefined;
  const id = raw.readUInt32BE(1);
  return timingSafeEqual(refTag(secret, keysOf(secret), account, trigger, id), raw.subarray(5)) ? id : undefined;
}
