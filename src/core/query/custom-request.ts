// custom_request (spec 05, campaigns/triggers/start): a MongoDB-syntax query over profile fields
// compiled to a ProfileQuery plan. Supported: equality, $eq, $ne, $in, $nin, $gt, $gte, $lt,
// $lte, $exists, $and, $or; any other operator is a 400 naming it. Values are coerced to the
// field's type with the rule of spec 01 and normalised as the value table stores them. Depth,
// conditions and list sizes are bounded (LIMITS), so every store can run what compiles.
import type { DatabaseDef } from '../catalog/types.js';
import { DecodeError, within } from '../base/errors.js';
import { LIMITS } from '../base/limits.js';
import { ARRAY_KINDS, decodeElement, decodeFieldValue, fieldSpecs, type FieldSpec } from '../fields/field-specs.js';
import { DATE_ENCODINGS, emailKey, parseDateValue } from '../values/formats.js';
import { INDEXED_SYSTEM } from '../profiles/profile-state.js';
import { indexText } from '../matching/keys.js';
import { describe, isPlainObject, toBool, toNumber, toStr } from '../values/coerce.js';
import type { Bound, FieldSource, ProfileQuery } from './plan.js';

export const QUERY_OPERATORS = [
  '$eq',
  '$ne',
  '$in',
  '$nin',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$exists',
  '$and',
  '$or',
] as const;

/** Kinds compared as numbers: their value rows carry `num` (dates as epoch ms); `number` is _lat/_lon in the document. */
const NUM_KINDS = new Set(['int', 'float', 'date', 'number']);

function unsupported(op: string): DecodeError {
  return new DecodeError(`operator ${op} is not supported; supported are ${QUERY_OPERATORS.join(', ')} and equality`);
}

interface FieldRef {
  spec: FieldSpec;
  source: FieldSource;
}

/**
 * What one compilation has seen so far: the size limits (LIMITS.customRequest*) are checked as
 * the query is read, so a huge or deep one is refused before anything recursive goes far.
 */
interface Compilation {
  db: DatabaseDef;
  terms: number;
}

/** Compiles `custom_request` (an object, or a string holding one) for a database; throws 400 naming the path. */
export function compileCustomRequest(raw: unknown, db: DatabaseDef): ProfileQuery {
  try {
    let value = raw;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        throw new DecodeError('expected a query object (or a string holding one in JSON)');
      }
    }
    return query(value, { db, terms: 0 }, 0);
  } catch (err) {
    if (err instanceof DecodeError) throw err.toApiError('custom_request');
    throw err;
  }
}

/** A query object; `depth` is the number of $and/$or around it. */
function query(value: unknown, c: Compilation, depth: number): ProfileQuery {
  if (!isPlainObject(value)) throw new DecodeError(`expected a query object, got ${describe(value)}`);
  const parts: ProfileQuery[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === '$and' || key === '$or') {
      if (depth >= LIMITS.customRequestDepth)
        throw new DecodeError(`is nested deeper than ${LIMITS.customRequestDepth} levels of $and/$or`);
      parts.push(
        within(key, () => ({ kind: key === '$and' ? 'and' : 'or', of: subqueries(v, c, depth + 1) }) as ProfileQuery),
      );
    } else if (key.startsWith('$')) {
      throw unsupported(key).at(key);
    } else {
      parts.push(within(key, () => fieldQuery(fieldRef(key, c.db), v, c)));
    }
  }
  if (parts.length === 0) return { kind: 'all' };
  return parts.length === 1 ? parts[0] : { kind: 'and', of: parts };
}

function subqueries(v: unknown, c: Compilation, depth: number): ProfileQuery[] {
  if (!Array.isArray(v) || v.length === 0) throw new DecodeError('expected a non-empty array of queries');
  return v.map((q, i) => within(i, () => query(q, c, depth)));
}

/** Counts one condition on a field against LIMITS.customRequestTerms. */
function countTerm(c: Compilation): void {
  if (++c.terms > LIMITS.customRequestTerms)
    throw new DecodeError(`the query has more than ${LIMITS.customRequestTerms} conditions`);
}

function fieldRef(name: string, db: DatabaseDef): FieldRef {
  const spec = fieldSpecs(db).get(name);
  if (!spec) throw new DecodeError(`field '${name}' is not defined in database ${db.id}`);
  if (spec.kind === 'object' || spec.kind === 'arr_object')
    throw new DecodeError(`field '${name}' of type ${spec.kind} cannot be queried`);
  return { spec, source: spec.custom || INDEXED_SYSTEM.has(name) ? 'index' : 'document' };
}

function fieldQuery(f: FieldRef, v: unknown, c: Compilation): ProfileQuery {
  if (!isPlainObject(v)) {
    countTerm(c);
    return equals(f, v);
  }
  const ops = Object.keys(v);
  if (ops.length === 0 || ops.some((op) => !op.startsWith('$')))
    throw new DecodeError('equality with an object is not supported; give a value or operators ($eq, $in, …)');
  const parts: ProfileQuery[] = [];
  const range: { lower?: Bound; upper?: Bound }[] = [];
  for (const op of ops) {
    const arg = v[op];
    within(op, () => {
      countTerm(c);
      switch (op) {
        case '$eq':
          parts.push(equals(f, arg));
          break;
        case '$ne':
          parts.push({ kind: 'not', of: equals(f, arg) });
          break;
        case '$in':
          parts.push(anyOf(f, arg));
          break;
        case '$nin':
          parts.push({ kind: 'not', of: anyOf(f, arg) });
          break;
        case '$gt':
        case '$gte':
          range.push({ lower: { value: bound(f, arg), inclusive: op === '$gte' } });
          break;
        case '$lt':
        case '$lte':
          range.push({ upper: { value: bound(f, arg), inclusive: op === '$lte' } });
          break;
        case '$exists': {
          const present: ProfileQuery = { kind: 'present', source: f.source, field: f.spec.name };
          parts.push(toBool(arg) ? present : { kind: 'not', of: present });
          break;
        }
        default:
          throw unsupported(op);
      }
    });
  }
  if (range.length > 0) parts.push(...rangeQueries(f, range));
  return parts.length === 1 ? parts[0] : { kind: 'and', of: parts };
}

/**
 * One range over a scalar field (a single value row answers every bound). An array field keeps
 * MongoDB's meaning: each bound may be met by a different element.
 */
function rangeQueries(f: FieldRef, bounds: { lower?: Bound; upper?: Bound }[]): ProfileQuery[] {
  const column = NUM_KINDS.has(f.spec.kind) ? 'num' : 'text';
  const base = { kind: 'range', source: f.source, field: f.spec.name, column } as const;
  if (ARRAY_KINDS.has(f.spec.kind)) return bounds.map((b) => ({ ...base, ...b }));
  const merged: { lower?: Bound; upper?: Bound } = {};
  for (const b of bounds) Object.assign(merged, b);
  return [{ ...base, ...merged }];
}

function equals(f: FieldRef, v: unknown): ProfileQuery {
  // MongoDB: `{field: null}` matches profiles without the field.
  if (v === null) return { kind: 'not', of: { kind: 'present', source: f.source, field: f.spec.name } };
  if (Array.isArray(v) || isPlainObject(v))
    throw new DecodeError(`expected a value, got ${describe(v)}; use $in for a list`);
  const value = encode(f, v);
  if (value === undefined) return { kind: 'not', of: { kind: 'present', source: f.source, field: f.spec.name } };
  return { kind: 'values', source: f.source, field: f.spec.name, values: [value] };
}

function anyOf(f: FieldRef, v: unknown): ProfileQuery {
  if (!Array.isArray(v)) throw new DecodeError(`expected an array, got ${describe(v)}`);
  if (v.length > LIMITS.customRequestListValues)
    throw new DecodeError(`has more than ${LIMITS.customRequestListValues} values`);
  const values = new Set<string | number>();
  let absent = false;
  v.forEach((item, i) =>
    within(i, () => {
      if (item === null) absent = true;
      else if (Array.isArray(item) || isPlainObject(item))
        throw new DecodeError(`expected a value, got ${describe(item)}`);
      else {
        const value = encode(f, item);
        if (value === undefined) absent = true;
        else values.add(value);
      }
    }),
  );
  const hit: ProfileQuery = { kind: 'values', source: f.source, field: f.spec.name, values: [...values] };
  if (!absent) return hit;
  return { kind: 'or', of: [hit, { kind: 'not', of: { kind: 'present', source: f.source, field: f.spec.name } }] };
}

// A query given as a string is parsed here, not by the body codec: its text gets the codec's
// rule (no stored or compared text holds U+0000 or an unpaired surrogate; PostgreSQL refuses both).
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkText(v: unknown): void {
  if (typeof v === 'string' && BAD_TEXT.test(v))
    throw new DecodeError('the text holds a NUL character or an unpaired surrogate (not valid text)');
}

/** A value as the field stores it: value-table text for indexed fields, the typed value for document fields. */
function encode(f: FieldRef, v: unknown): string | number | undefined {
  const { spec } = f;
  checkText(v);
  const typed = ARRAY_KINDS.has(spec.kind) ? decodeElement(spec, v) : decodeFieldValue(spec, v);
  if (typed === null || typed === undefined) return undefined;
  if (f.source === 'document') return typeof typed === 'number' ? typed : String(typed);
  return indexText(spec, typed) ?? String(typed);
}

/** A range bound: a number (numbers; dates as epoch ms) or text compared as stored. */
function bound(f: FieldRef, v: unknown): string | number {
  const { spec } = f;
  if (v === null || Array.isArray(v) || isPlainObject(v)) throw new DecodeError(`expected a value, got ${describe(v)}`);
  checkText(v);
  if (spec.kind === 'date') {
    const ms = parseDateValue(v);
    if (ms === undefined) throw new DecodeError(`incorrect date ${describe(v)}, expected ${DATE_ENCODINGS}`);
    return ms;
  }
  if (NUM_KINDS.has(spec.kind)) return toNumber(v);
  // Text bounds need not be valid values themselves (`{"email": {"$gte": "m"}}`).
  const text = toStr(v);
  if (spec.kind === 'email') return emailKey(text);
  if (
    spec.kind === 'bdate' ||
    spec.kind === 'datetime' ||
    spec.kind === 'sex' ||
    spec.kind === 'country' ||
    spec.kind === 'enum' ||
    spec.kind === 'bool'
  ) {
    const typed = decodeFieldValue(spec, v);
    return typed === null ? text : String(typed);
  }
  return text;
}
