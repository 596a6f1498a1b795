// VERP return paths (spec 07): with a bounce domain, the envelope sender of every email is
// `b-<token>@<bounce domain>`, the token naming the message and signed with a key derived from the
// server secret, so a bounce finds its message without storage and a forged or altered address
// identifies nothing. Lower case only: some mail servers fold the case of local parts.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const MAC_HEX = 16;
const TOKEN = /^b-([0-9a-z]{1,12})-([0-9a-f]{16})$/;
const keys = new Map<string, Buffer>();

function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'herald', 'herald verp return path', 32));
    keys.set(secret, key);
  }
  return key;
}

const macOf = (secret: string, id: string): string =>
  createHmac('sha256', keyOf(secret)).update(id).digest('hex').slice(0, MAC_HEX);

/** The return path of a message: `b-<id>-<mac>@<domain>`. */
export function verpAddress(secret: string, messageId: number, domain: string): string {
  const id = messageId.toString(36);
  return `b-${id}-${macOf(secret, id)}@${domain}`;
}

/** The message a VERP address at the bounce domain names, or undefined (not ours, forged, altered). */
export function verpMessageId(secret: string, address: string, domain: string): number | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return undefined;
  const m = TOKEN.exec(address.slice(0, at).toLowerCase());
  if (!m) return undefined;
  const expected = Buffer.from(macOf(secret, m[1]));
  if (!timingSafeEqual(expected, Buffer.from(m[2]))) return undefined;
  const id = parseInt(m[1], 36);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}
