// JSON request bodies: strict UTF-8, a nesting limit, and no prototype keys (spec 01).
import { isUtf8 } from 'node:buffer';
import { invalid } from '../../core/base/errors.js';
import { isPlainObject } from '../../core/values/coerce.js';
import { PLAIN_WIRE, type WirePolicy } from '../../core/values/wire.js';

/** JSON writes values as the decoders read them. */
export const jsonWire: WirePolicy = PLAIN_WIRE;

/** Deeper bodies are refused before anything recursive touches them. */
export const MAX_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The deepest nesting of objects and arrays in JSON text (strings skipped). */
function nestingDepth(buf: Uint8Array, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

// A \uD800–\uDFFF escape can leave a lone surrogate in a string: not Unicode text (no UTF-8 form),
// and PostgreSQL refuses it in a JSON document. Only escapes can produce one (the body is UTF-8).
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where a key or string holds a lone surrogate: the error text naming its path. */
function findLoneSurrogate(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? `${path || 'the body'}: the text holds an unpaired surrogate escape (not valid Unicode)` : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findLoneSurrogate(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (LONE_SURROGATE.test(key)) return path ? `${path}: a key holds an unpaired surrogate escape (not valid Unicode)` : 'the body holds a key with an unpaired surrogate escape (not valid Unicode)';
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
  if (nestingDepth(buf, MAX_DEPTH) > MAX_DEPTH) throw invalid(`the body is nested deeper than ${MAX_DEPTH} levels`);
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
  if (text.includes('"__proto__"') || text.includes('"constructor"') || text.includes('"prototype"') || text.includes('\\u')) {
    const where = findForbiddenKey(value, '');
    if (where) throw invalid(`${where}: the key is not allowed`);
  }
  if (SURROGATE_ESCAPE.test(text)) {
    const problem = findLoneSurrogate(value, '');
    if (problem) throw invalid(problem);
  }
  return value;
}
