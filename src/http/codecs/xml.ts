// XML bodies and responses (spec 01). Parsing is strict (saxes): a DOCTYPE or entity
// declaration is refused, no entity is expanded, nesting is limited to 32 levels. The SAX
// events build plain values directly: text-only elements become strings, repeated elements
// arrays, `array="true"` an array of one item; typing is left to the method's schema.
import { isUtf8 } from 'node:buffer';
import { SaxesParser } from 'saxes';
import { invalid } from '../../core/base/errors.js';
import { LIMITS } from '../../core/base/limits.js';
import type { WirePolicy } from '../../core/values/wire.js';

export const MAX_XML_DEPTH = LIMITS.xmlDepth;

/**
 * What XML writes differently from JSON (spec 01), for the decoders: an empty element is an empty
 * value, an element given once where an array is meant is an array of one, system fields may drop
 * their leading underscore, and an item may hold the profile fields directly.
 */
export const xmlWire: WirePolicy = {
  name: 'xml',
  isEmpty: (value) => value === '',
  singleIsArray: true,
  fieldAlias: (name) => `_${name}`,
};
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

interface Frame {
  name: string;
  forcedArray: boolean;
  text: string;
  obj: Record<string, unknown> | undefined;
  /** Keys of `obj` whose array came from repetition (a third occurrence appends). */
  repeated: Set<string> | undefined;
}

function frameValue(f: Frame): unknown {
  if (f.obj) {
    if (f.text.trim() !== '') throw invalid(`<${f.name}> mixes text and elements`);
    return f.forcedArray ? [f.obj] : f.obj;
  }
  if (f.forcedArray) return f.text === '' ? [] : [f.text];
  return f.text;
}

function attach(parent: Frame, name: string, value: unknown, forced: boolean): void {
  const obj = (parent.obj ??= {});
  if (!Object.hasOwn(obj, name)) {
    obj[name] = value;
    return;
  }
  const existing = obj[name];
  // A non-forced value is never an array, so an array here came from array="true" or repetition.
  const list = parent.repeated?.has(name)
    ? (existing as unknown[])
    : Array.isArray(existing)
      ? [...existing]
      : [existing];
  if (forced && Array.isArray(value)) list.push(...value);
  else list.push(value);
  obj[name] = list;
  (parent.repeated ??= new Set()).add(name);
}

export function parseXmlBody(buf: Uint8Array): Record<string, unknown> {
  if (!isUtf8(buf)) throw invalid('the body is not valid UTF-8');
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  const parser = new SaxesParser({ position: false });
  const root: Frame = { name: '#document', forcedArray: false, text: '', obj: undefined, repeated: undefined };
  const stack: Frame[] = [root];
  let failure: string | undefined;
  let rootName: string | undefined;

  parser.on('doctype', () => {
    failure ??= 'a DOCTYPE or entity declaration is not allowed';
  });
  parser.on('opentag', (tag) => {
    if (failure) return;
    if (stack.length === 1) rootName = tag.name;
    if (FORBIDDEN.has(tag.name)) failure = `element <${tag.name}> is not allowed`;
    if (stack.length > MAX_XML_DEPTH) failure = `the body is nested deeper than ${MAX_XML_DEPTH} levels`;
    const arrayAttr = tag.attributes.array;
    stack.push({ name: tag.name, forcedArray: arrayAttr === 'true', text: '', obj: undefined, repeated: undefined });
  });
  parser.on('text', (t) => {
    if (stack.length > 1) stack[stack.length - 1].text += t;
  });
  parser.on('cdata', (t) => {
    if (stack.length > 1) stack[stack.length - 1].text += t;
  });
  parser.on('closetag', () => {
    const frame = stack.pop();
    if (!frame || failure) return;
    try {
      attach(stack[stack.length - 1], frame.name, frameValue(frame), frame.forcedArray);
    } catch (err) {
      failure = (err as Error).message;
    }
  });
  try {
    parser.write(text).close();
  } catch (err) {
    // Entities of a refused DOCTYPE are never declared: name the DOCTYPE, not the undefined entity.
    if (failure) throw invalid(`invalid XML: ${failure}`);
    throw invalid(`invalid XML: ${(err as Error).message.replace(/^undefined:/, '').trim()}`);
  }
  if (failure) throw invalid(`invalid XML: ${failure}`);
  if (rootName !== 'xml')
    throw invalid(`invalid XML: the root element must be <xml>${rootName ? `, got <${rootName}>` : ''}`);
  const body = root.obj?.xml;
  // `<xml/>`, or a root holding only whitespace (a pretty-printed empty body): no parameters.
  if (typeof body === 'string' && body.trim() === '') return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('invalid XML: <xml> must hold parameters');
  return body as Record<string, unknown>;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
// Characters XML 1.0 cannot carry at all (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone
// surrogates): a stored value or an echoed field name may hold them; they are written as U+FFFD.
const NOT_XML_CHAR =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const escapeText = (s: string): string => s.replace(NOT_XML_CHAR, '\ufffd').replace(/[&<>]/g, (c) => ESCAPES[c]);

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A name character: ASCII letters, "_" (and digits, "-", "." after the first), letters, digits and marks from U+00C0 on. */
function isNameChar(ch: string, first: boolean): boolean {
  if (/^[A-Za-z_]$/.test(ch) || (!first && /^[0-9.-]$/.test(ch))) return true;
  if ((ch.codePointAt(0) ?? 0) < 0xc0) return false;
  return first ? /^\p{L}$/u.test(ch) : /^[\p{L}\p{Nd}\p{Mn}]$/u.test(ch);
}

/** An object key as an element name: characters no XML name may hold become "_". */
function elementName(key: string): string {
  if (PLAIN_NAME.test(key)) return key;
  const chars = [...key].map((ch, i) =>
    isNameChar(ch, i === 0) ? ch : i === 0 && isNameChar(ch, false) ? `_${ch}` : '_',
  );
  return chars.length === 0 ? '_' : chars.join('');
}

function writeValue(out: string[], name: string, value: unknown): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`<${name}/>`);
    for (const item of value) writeValue(out, name, item);
    return;
  }
  if (value === null || value === undefined) {
    out.push(`<${name}/>`);
    return;
  }
  if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [k, v] of Object.entries(value)) writeValue(out, elementName(k), v);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeText(String(value))}</${name}>`);
}

/** An envelope as XML: root <xml>, keys in order, no prolog. */
export function encodeXml(envelope: Record<string, unknown>): string {
  const out: string[] = ['<xml>'];
  for (const [k, v] of Object.entries(envelope)) writeValue(out, k, v);
  out.push('</xml>');
  return out.join('');
}
