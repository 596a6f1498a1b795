// How a value is held where it is looked up — the value table, subscription addresses, match
// keys: as it is when short, else as its first characters, a separator and its SHA-256 digest.
// Every index entry then stays small whatever the value (PostgreSQL refuses B-tree entries over
// about 2,700 bytes), and equality still finds a long value: the probe is keyed the same way.
// Profile documents and subscription data keep the values themselves.
import { createHash } from 'node:crypto';
import { LIMITS } from '../base/limits.js';

/**
 * Separates the kept characters of a long value from its digest. A value that holds it is keyed
 * too, whatever its length, so a value held as it is never looks like a key: two different
 * values never share an index entry. (Store migration 005 re-keys older rows by this rule.)
 */
export const DIGEST_MARK = '\u001f';

/** The first `count` characters (code points) of `s`, never splitting a surrogate pair. */
function leadingChars(s: string, count: number): string {
  let i = 0;
  for (let n = 0; n < count && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return s.slice(0, i);
}

/** The index entry of a value (see the module comment). */
export function indexKey(value: string): string {
  // At most 3 UTF-8 bytes per UTF-16 unit: most values need no byte count.
  const short =
    value.length * 3 <= LIMITS.indexedValueBytes || Buffer.byteLength(value, 'utf8') <= LIMITS.indexedValueBytes;
  if (short && !value.includes(DIGEST_MARK)) return value;
  const digest = createHash('sha256').update(value, 'utf8').digest('hex');
  return `${leadingChars(value, LIMITS.indexPrefixLength)}${DIGEST_MARK}${digest}`;
}
