// JSON request bodies: strict UTF-8, a nesting limit, no prototype keys (spec 01), finite numbers.
import { isUtf8 } from 'node:buffer';
import { invalid } from '../../core/base/errors.js';
import { LIMITS } from '../../core/base/limits.js';
import { isPlainObject } from '../../core/values/coerce.js';
import { partedItems } from '../../core/values/schema.js';
import { PLAIN_WIRE, type WirePolicy } from '../../core/values/wire.js';

/** JSON writes values as the decoders read them. */
export const jsonWire: WirePolicy = PLAIN_WIRE;

/** Deeper bodies are refused before anything recursive touches them. */
export const MAX_DEPTH = LIMITS.jsonDepth;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface Scan {
  /** The deepest nesting of objects and arrays (stops counting past the limit). */
  depth: number;
  /**
   * A number that may be beyond a double (JSON.parse makes it Infinity): 100 or more digits
   * before the point, or an exponent of 3 or more digits. Only then is the value walked.
   */
  bigNumber: boolean;
}

/** One pass over JSON text (strings skipped): its nesting, and whether a number may overflow. */
function scanJson(buf: Uint8Array, limit: number): Scan {
  let depth = 0;
  let max = 0;
  let inString = false;
  let digits = 0;
  let bigNumber = false;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      if (++digits >= 100) bigNumber = true;
      continue;
    }
    digits = 0;
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return { depth: max, bigNumber };
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x65 || c === 0x45) {
      // e/E outside a string: an exponent (or the e of true/false, followed by no digit).
      let j = i + 1;
      if (buf[j] === 0x2b || buf[j] === 0x2d) j++;
      let e = 0;
      while (j < n && buf[j] >= 0x30 && buf[j] <= 0x39) {
        e++;
        j++;
      }
      if (e >= 3) bigNumber = true;
      i = j - 1;
    }
  }
  return { depth: max, bigNumber };
}

/** Where a number is not finite (1e400 parses as Infinity): the error text naming its path. */
function findNonFinite(value: unknown, path: string): string | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? undefined
      : `${path || 'the body'}: the number is beyond the range of a double (±1.7976931348623157e308)`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNonFinite(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const hit = findNonFinite(value[key], path ? `${path}.${key}` : key);
      if (hit) return hit;
    }
  }
  return undefined;
}

// A \uD800–\uDFFF escape can leave a lone surrogate in a string: not Unicode text (no UTF-8 form),
// and PostgreSQL refuses it in a JSON document. Only escapes can produce one (the body is UTF-8).
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where a key or string holds a lone surrogate: the error text naming its path. */
function findLoneSurrogate(value: unknown, path: string): string | undefined {
  if (typeof value === 'string')
    return LONE_SURROGATE.test(value)
      ? `${path || 'the body'}: the text holds an unpaired surrogate escape (not valid Unicode)`
      : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findLoneSurrogate(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (LONE_SURROGATE.test(key))
        return path
          ? `${path}: a key holds an unpaired surrogate escape (not valid Unicode)`
          : 'the body holds a key with an unpaired surrogate escape (not valid Unicode)';
      const hit = findLoneSurrogate(value[key], path ? `${path}.${key}` : key);
      if (hit) return hit;
    }
  }
  return undefined;
}

function findForbiddenKey(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findForbiddenKey(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `${path ? `${path}.` : ''}${key}`;
      const hit = findForbiddenKey(value[key], path ? `${path}.${key}` : key);
      if (hit) return hit;
    }
  }
  return undefined;
}

/**
 * Bodies from this size on, for methods whose `data` is a batch of items, hand the items over
 * parsed a chunk at a time (`partedItems`): the engine imports chunk after chunk, and only the
 * chunk's raw items are in memory rather than the whole parsed array.
 */
export const PARTED_MIN_BYTES = 1024 * 1024;

export interface JsonBodyOptions {
  /** The method's `data` is a batch of items (`batchItems`): a large body may part them. */
  batchItems?: boolean;
  /** From what size on (PARTED_MIN_BYTES). */
  partedMinBytes?: number;
}

export function parseJsonBody(buf: Uint8Array, opts: JsonBodyOptions = {}): Record<string, unknown> {
  if (!isUtf8(buf)) throw invalid('the body is not valid UTF-8');
  const scan = scanJson(buf, MAX_DEPTH);
  if (scan.depth > MAX_DEPTH) throw invalid(`the body is nested deeper than ${MAX_DEPTH} levels`);
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const ranges =
    opts.batchItems && bytes.length >= (opts.partedMinBytes ?? PARTED_MIN_BYTES) ? dataItems(bytes, bom) : undefined;
  if (!ranges) return parseChecked(bytes.toString('utf8', bom), scan);
  // No stored text may hold U+0000: refused for the whole body before anything, as below.
  if (bytes.includes('\\u0000')) throw invalid('the body contains a NUL character (\\u0000)');
  const rest = `${bytes.toString('utf8', bom, ranges.arrayStart)}[]${bytes.toString('utf8', ranges.arrayEnd)}`;
  const body = parseChecked(rest, scan);
  body.data = partedItems(ranges.starts.length, (from, to) => parseItems(bytes, ranges, scan, from, to));
  return body;
}

/** JSON text parsed and checked: an object, no NUL, no prototype key, no lone surrogate, finite numbers. */
function parseChecked(text: string, scan: Scan): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(value)) throw invalid('the body must be a JSON object');
  // No stored text may hold U+0000 (PostgreSQL refuses it): refused here, whatever the store.
  if (text.includes('\\u0000')) throw invalid('the body contains a NUL character (\\u0000)');
  checkValue(value, suspectsOf(text, scan), '');
  return value;
}

/** What a text may hold that its parsed value must be walked for (each looked for once per text). */
interface Suspects {
  /** A prototype key, or an escape that may spell one. */
  keys: boolean;
  surrogates: boolean;
  bigNumbers: boolean;
}

const suspectsOf = (text: string, scan: Scan): Suspects => ({
  // A key may also be spelled with escapes (`"__prot\u006f__"`): any `\u` sends the body to the full check.
  keys:
    text.includes('"__proto__"') ||
    text.includes('"constructor"') ||
    text.includes('"prototype"') ||
    text.includes('\\u'),
  surrogates: SURROGATE_ESCAPE.test(text),
  bigNumbers: scan.bigNumber,
});

function checkValue(value: unknown, suspects: Suspects, path: string): void {
  if (suspects.keys) {
    const where = findForbiddenKey(value, path);
    if (where) throw invalid(`${where}: the key is not allowed`);
  }
  if (suspects.surrogates) {
    const problem = findLoneSurrogate(value, path);
    if (problem) throw invalid(problem);
  }
  // Finite numbers only: an overflowing literal would be stored as null or compared as Infinity.
  if (suspects.bigNumbers) {
    const problem = findNonFinite(value, path);
    if (problem) throw invalid(problem);
  }
}

/** Items [from, to) of a parted body, parsed and checked as the whole body would have been. */
function parseItems(bytes: Buffer, ranges: ItemRanges, scan: Scan, start: number, end: number): unknown[] {
  // As Array.prototype.slice takes them (within the items, negative from the end is not used).
  const from = Math.max(0, start);
  const to = Math.min(end, ranges.starts.length);
  if (to <= from) return [];
  const text = `[${bytes.toString('utf8', ranges.starts[from], ranges.ends[to - 1])}]`;
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    // Which item: each parsed alone, the first that fails named.
    for (let i = from; i < to; i++) {
      try {
        JSON.parse(bytes.toString('utf8', ranges.starts[i], ranges.ends[i]));
      } catch (err) {
        throw invalid(`invalid JSON: data[${i}]: ${(err as Error).message}`);
      }
    }
    throw invalid('invalid JSON: data');
  }
  // The ranges are those of the items: the text parses as exactly that many.
  if (!Array.isArray(items) || items.length !== to - from) throw invalid('invalid JSON: data');
  const suspects = suspectsOf(text, scan);
  if (suspects.keys || suspects.surrogates || suspects.bigNumbers)
    for (let k = 0; k < items.length; k++) checkValue(items[k], suspects, `data[${from + k}]`);
  return items;
}

/** Where the items of the body's top-level `data` array are: byte offsets, ends exclusive. */
interface ItemRanges {
  arrayStart: number;
  arrayEnd: number;
  starts: number[];
  ends: number[];
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const DATA_KEY = Buffer.from('data');

/**
 * The ranges of the items of the body's top-level `data` array, found in one pass (strings
 * skipped). Undefined whenever the body is not plainly such an object — not an object, no `data`
 * array, `data` given twice or a top-level key written with escapes, unbalanced or stray
 * characters: the whole body is then parsed as one, which says what is wrong with it.
 */
function dataItems(buf: Buffer, from: number): ItemRanges | undefined {
  const n = buf.length;
  let i = from;
  while (isSpace(buf[i])) i++;
  if (buf[i] !== 0x7b) return undefined;
  let depth = 0;
  let keyStart = -1;
  /** At depth 1: the next string is a key. */
  let expectKey = false;
  let dataKey = false;
  let dataKeys = 0;
  let ranges: ItemRanges | undefined;
  /** Inside the data array, at its own depth: where the current item began (-1: none yet). */
  let inData = false;
  let itemStart = -1;
  let lastEnd = -1;
  for (; i < n; i++) {
    const c = buf[i];
    if (c === 0x22) {
      const start = i;
      for (i++; i < n && buf[i] !== 0x22; i++) if (buf[i] === 0x5c) i++;
      if (i >= n) return undefined;
      if (depth === 1 && expectKey) {
        keyStart = start;
        const key = buf.subarray(start + 1, i);
        if (key.includes(0x5c)) return undefined;
        dataKey = key.equals(DATA_KEY);
        // `data` twice: JSON.parse keeps the last; the whole body is parsed as one then.
        if (dataKey && ++dataKeys > 1) return undefined;
        expectKey = false;
      } else if (inData && depth === 2) {
        if (itemStart < 0) itemStart = start;
        lastEnd = i + 1;
      }
      continue;
    }
    if (isSpace(c)) continue;
    if (c === 0x7b || c === 0x5b) {
      if (inData && depth === 2 && itemStart < 0) itemStart = i;
      depth++;
      if (depth === 1) expectKey = true;
      else if (depth === 2 && dataKey && c === 0x5b && keyStart >= 0) {
        if (ranges) return undefined;
        ranges = { arrayStart: i, arrayEnd: -1, starts: [], ends: [] };
        inData = true;
        itemStart = -1;
      }
      continue;
    }
    if (c === 0x7d || c === 0x5d) {
      depth--;
      if (inData && depth === 2) lastEnd = i + 1;
      else if (inData && depth === 1) {
        // The array's end: its last item (none when it is empty, but not after a comma).
        if (itemStart >= 0) {
          ranges!.starts.push(itemStart);
          ranges!.ends.push(lastEnd);
        } else if (ranges!.starts.length > 0) return undefined;
        ranges!.arrayEnd = i + 1;
        inData = false;
      }
      if (depth < 0) return undefined;
      if (depth === 0) {
        for (i++; i < n; i++) if (!isSpace(buf[i])) return undefined;
        return ranges && ranges.arrayEnd > 0 ? ranges : undefined;
      }
      continue;
    }
    if (c === 0x2c) {
      if (depth === 1) {
        expectKey = true;
        dataKey = false;
        keyStart = -1;
      } else if (inData && depth === 2) {
        if (itemStart < 0) return undefined;
        ranges!.starts.push(itemStart);
        ranges!.ends.push(lastEnd);
        itemStart = -1;
      }
      continue;
    }
    if (c === 0x3a) {
      if (depth === 1 && keyStart < 0) return undefined;
      continue;
    }
    // A number or literal: part of an item directly in the array, or of a value elsewhere.
    if (inData && depth === 2) {
      if (itemStart < 0) itemStart = i;
      lastEnd = i + 1;
    }
  }
  return undefined;
}
