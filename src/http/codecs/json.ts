// JSON request bodies: strict UTF-8, a nesting limit, no prototype keys (spec 01), finite numbers.
import { isUtf8 } from 'node:buffer';
import { invalid } from '../../core/base/errors.js';
import { LIMITS } from '../../core/base/limits.js';
import { isPlainObject } from '../../core/values/coerce.js';
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

export function parseJsonBody(buf: Uint8Array): Record<string, unknown> {
  if (!isUtf8(buf)) throw invalid('the body is not valid UTF-8');
  const scan = scanJson(buf, MAX_DEPTH);
  if (scan.depth > MAX_DEPTH) throw invalid(`the body is nested deeper than ${MAX_DEPTH} levels`);
  let text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(value)) throw invalid('the body must be a JSON object');
  // No stored text may hold U+0000 (PostgreSQL refuses it): refused here, whatever the store.
  if (text.includes('\\u0000')) throw invalid('the body contains a NUL character (\\u0000)');
  // A key may also be spelled with escapes (`"__prot\u006f__"`): any `\u` sends the body to the full check.
  if (
    text.includes('"__proto__"') ||
    text.includes('"constructor"') ||
    text.includes('"prototype"') ||
    text.includes('\\u')
  ) {
    const where = findForbiddenKey(value, '');
    if (where) throw invalid(`${where}: the key is not allowed`);
  }
  if (SURROGATE_ESCAPE.test(text)) {
    const problem = findLoneSurrogate(value, '');
    if (problem) throw invalid(problem);
  }
  // Finite numbers only: an overflowing literal would be stored as null or compared as Infinity.
  if (scan.bigNumber) {
    const problem = findNonFinite(value, '');
    if (problem) throw invalid(problem);
  }
  return value;
}
