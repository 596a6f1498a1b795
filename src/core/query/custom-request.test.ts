import { describe, expect, it } from 'vitest';
import type { DatabaseDef } from '../catalog/types.js';
import { ApiError } from '../base/errors.js';
import { LIMITS } from '../base/limits.js';
import { compileCustomRequest } from './custom-request.js';
import { scansProfiles } from './plan.js';

const db: DatabaseDef = {
  id: 1,
  accountId: 1,
  name: 'Customers',
  description: '',
  fields: [
    { name: 'CRM_ID', type: 'int' },
    { name: 'score', type: 'float' },
    { name: 'signup', type: 'date' },
    { name: 'tags', type: 'tags' },
    { name: 'vip', type: 'bool' },
    { name: 'level', type: 'enum', values: ['bronze', 'silver', 'gold'] },
    { name: 'attrs', type: 'object' },
  ],
};

const compile = (q: unknown) => compileCustomRequest(q, db);
const idx = (field: string) => ({ source: 'index', field });

function rejects(q: unknown, debug: RegExp): void {
  try {
    compile(q);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    expect((err as ApiError).debug).toMatch(debug);
    return;
  }
  throw new Error(`${JSON.stringify(q)} compiled`);
}

describe('compileCustomRequest', () => {
  it('turns equality and $eq into value lookups, typed and normalised like the value table', () => {
    expect(compile({ CRM_ID: '7' })).toEqual({ kind: 'values', ...idx('CRM_ID'), values: ['7'] });
    expect(compile({ email: { $eq: ' Ann@Example.COM ' } })).toEqual({
      kind: 'values',
      ...idx('email'),
      values: ['ann@example.com'],
    });
    expect(compile({ phones: '+7 (900) 111-22-33' })).toEqual({
      kind: 'values',
      ...idx('phones'),
      values: ['+79001112233'],
    });
    expect(compile({ vip: 1 })).toEqual({ kind: 'values', ...idx('vip'), values: ['true'] });
    expect(compile({ level: 2 })).toEqual({ kind: 'values', ...idx('level'), values: ['gold'] });
    expect(compile({ tags: 'a' })).toEqual({ kind: 'values', ...idx('tags'), values: ['a'] });
    expect(compile({ signup: '2026-01-02T03:04:05+01:00' })).toEqual({
      kind: 'values',
      ...idx('signup'),
      values: ['2026-01-02T02:04:05.000Z'],
    });
  });

  it('reads system fields other than email and phones from the profile document', () => {
    expect(compile({ _fname: 'Ann' })).toEqual({
      kind: 'values',
      source: 'document',
      field: '_fname',
      values: ['Ann'],
    });
    expect(compile({ _sex: 1 })).toEqual({ kind: 'values', source: 'document', field: '_sex', values: ['male'] });
    expect(compile({ _lat: { $gte: '55.5' } })).toEqual({
      kind: 'range',
      source: 'document',
      field: '_lat',
      column: 'num',
      lower: { value: 55.5, inclusive: true },
    });
    expect(scansProfiles(compile({ _fname: 'Ann' }))).toBe(true);
    expect(scansProfiles(compile({ _fname: 'Ann', CRM_ID: 1 }))).toBe(false);
  });

  it('compiles $ne, $in, $nin, $exists and null as MongoDB means them', () => {
    expect(compile({ CRM_ID: { $ne: 1 } })).toEqual({
      kind: 'not',
      of: { kind: 'values', ...idx('CRM_ID'), values: ['1'] },
    });
    expect(compile({ CRM_ID: { $in: [1, '2', 1] } })).toEqual({ kind: 'values', ...idx('CRM_ID'), values: ['1', '2'] });
    expect(compile({ CRM_ID: { $nin: [] } })).toEqual({
      kind: 'not',
      of: { kind: 'values', ...idx('CRM_ID'), values: [] },
    });
    expect(compile({ CRM_ID: { $exists: true } })).toEqual({ kind: 'present', ...idx('CRM_ID') });
    expect(compile({ CRM_ID: { $exists: 'false' } })).toEqual({
      kind: 'not',
      of: { kind: 'present', ...idx('CRM_ID') },
    });
    expect(compile({ CRM_ID: null })).toEqual({ kind: 'not', of: { kind: 'present', ...idx('CRM_ID') } });
    expect(compile({ CRM_ID: { $in: [null, 3] } })).toEqual({
      kind: 'or',
      of: [
        { kind: 'values', ...idx('CRM_ID'), values: ['3'] },
        { kind: 'not', of: { kind: 'present', ...idx('CRM_ID') } },
      ],
    });
    expect(scansProfiles(compile({ CRM_ID: { $ne: 1 } }))).toBe(true);
    expect(scansProfiles(compile({ CRM_ID: { $in: [1, 2] } }))).toBe(false);
  });

  it('merges the bounds of a scalar field into one range on num (numbers, dates) or text', () => {
    expect(compile({ score: { $gt: 1, $lte: '2.5' } })).toEqual({
      kind: 'range',
      ...idx('score'),
      column: 'num',
      lower: { value: 1, inclusive: false },
      upper: { value: 2.5, inclusive: true },
    });
    expect(compile({ signup: { $lt: '2026-02-01' } })).toEqual({
      kind: 'range',
      ...idx('signup'),
      column: 'num',
      upper: { value: Date.UTC(2026, 1, 1), inclusive: false },
    });
    expect(compile({ email: { $gte: 'M' } })).toEqual({
      kind: 'range',
      ...idx('email'),
      column: 'text',
      lower: { value: 'm', inclusive: true },
    });
    // Each bound of an array field may be met by another element.
    expect(compile({ tags: { $gt: 'a', $lt: 'c' } })).toEqual({
      kind: 'and',
      of: [
        { kind: 'range', ...idx('tags'), column: 'text', lower: { value: 'a', inclusive: false } },
        { kind: 'range', ...idx('tags'), column: 'text', upper: { value: 'c', inclusive: false } },
      ],
    });
  });

  it('combines fields, $and and $or; an empty query is every profile; a JSON string is accepted', () => {
    expect(compile({})).toEqual({ kind: 'all' });
    expect(compile({ CRM_ID: 1, tags: 'a' })).toEqual({
      kind: 'and',
      of: [
        { kind: 'values', ...idx('CRM_ID'), values: ['1'] },
        { kind: 'values', ...idx('tags'), values: ['a'] },
      ],
    });
    expect(compile({ $or: [{ CRM_ID: 1 }, { $and: [{ tags: 'a' }] }] })).toEqual({
      kind: 'or',
      of: [
        { kind: 'values', ...idx('CRM_ID'), values: ['1'] },
        { kind: 'and', of: [{ kind: 'values', ...idx('tags'), values: ['a'] }] },
      ],
    });
    expect(compile('{"CRM_ID": {"$gt": 5}}')).toEqual({
      kind: 'range',
      ...idx('CRM_ID'),
      column: 'num',
      lower: { value: 5, inclusive: false },
    });
  });

  it('rejects other operators, naming them, and bad fields or values, naming the path', () => {
    rejects({ $nor: [{ CRM_ID: 1 }] }, /^custom_request\.\$nor: operator \$nor is not supported/);
    rejects({ CRM_ID: { $regex: '^1' } }, /^custom_request\.CRM_ID\.\$regex: operator \$regex is not supported/);
    rejects(
      { $or: [{ CRM_ID: { $not: { $eq: 1 } } }] },
      /^custom_request\.\$or\[0\]\.CRM_ID\.\$not: operator \$not is not supported/,
    );
    rejects({ $where: 'true' }, /operator \$where is not supported/);
    rejects({ $eq: 1 }, /operator \$eq is not supported/);
    rejects({ nope: 1 }, /^custom_request\.nope: field 'nope' is not defined in database 1$/);
    rejects({ attrs: { a: 1 } }, /field 'attrs' of type object cannot be queried/);
    rejects({ CRM_ID: 'abc' }, /^custom_request\.CRM_ID: expected an integer, got "abc"$/);
    rejects({ CRM_ID: { $in: 5 } }, /^custom_request\.CRM_ID\.\$in: expected an array/);
    rejects({ CRM_ID: { $gt: 1, plain: 2 } }, /equality with an object is not supported/);
    rejects({ CRM_ID: [1, 2] }, /use \$in for a list/);
    rejects({ $and: [] }, /^custom_request\.\$and: expected a non-empty array/);
    rejects([], /^custom_request: expected a query object/);
    rejects('{not json', /^custom_request: expected a query object/);
  });

  it('bounds depth, conditions and list sizes (LIMITS), whatever form the query takes', () => {
    const nest = (levels: number): unknown => {
      let q: unknown = { CRM_ID: 1 };
      for (let i = 0; i < levels; i++) q = { $or: [q] };
      return q;
    };
    expect(() => compile(nest(LIMITS.customRequestDepth))).not.toThrow();
    rejects(nest(LIMITS.customRequestDepth + 1), /: is nested deeper than 32 levels of \$and\/\$or$/);
    rejects(
      `${'{"$or":['.repeat(10_000)}{"CRM_ID":1}${']}'.repeat(10_000)}`,
      /: is nested deeper than 32 levels of \$and\/\$or$/,
    );
    const terms = (n: number) => ({ $and: Array.from({ length: n }, (_, i) => ({ CRM_ID: { $ne: i } })) });
    expect(() => compile(terms(LIMITS.customRequestTerms))).not.toThrow();
    rejects(
      terms(LIMITS.customRequestTerms + 1),
      /^custom_request\.\$and\[1000\]\.CRM_ID\.\$ne: the query has more than 1000 conditions$/,
    );
    rejects(
      { CRM_ID: { $nin: Array.from({ length: LIMITS.customRequestListValues + 1 }, (_, i) => i) } },
      /^custom_request\.CRM_ID\.\$nin: has more than 10000 values$/,
    );
    rejects({ score: { $lt: '1e400' } }, /^custom_request\.score\.\$lt: expected a finite number/);
  });
});

describe('range bounds, written as the field stores its values', () => {
  const typed = db;
  const lower = (q: unknown) => (compileCustomRequest(q, typed) as { lower?: { value: unknown } }).lower?.value;
  const upper = (q: unknown) => (compileCustomRequest(q, typed) as { upper?: { value: unknown } }).upper?.value;

  it('normalises booleans, enums, sexes, countries, dates and date-times; other text is kept as given', () => {
    expect(lower({ vip: { $gte: 1 } })).toBe('true');
    expect(upper({ level: { $lt: 2 } })).toBe('gold');
    expect(lower({ _sex: { $gte: 'M' } })).toBe('male');
    expect(lower({ _country: { $gte: 'ru' } })).toBe('RU');
    expect(upper({ _bdate: { $lt: '1990-01-05' } })).toBe('1990-01-05T00:00:00.000Z');
    expect(lower({ _regdate: { $gte: '2024-01-01 10:00:00' } })).toBe('2024-01-01T10:00:00.000Z');
    expect(lower({ _fname: { $gte: 'A' } })).toBe('A');
    expect(lower({ _fname: { $gte: 5 } })).toBe('5');
    expect(lower({ email: { $gte: 'M@Example.COM' } })).toBe('m@example.com');
  });

  it('refuses bounds that are no value, or no value of the field', () => {
    rejects({ _fname: { $gte: null } }, /^custom_request\._fname\.\$gte: expected a value, got null$/);
    rejects({ _fname: { $lt: ['a'] } }, /^custom_request\._fname\.\$lt: expected a value, got an array$/);
    rejects({ _fname: { $lt: { a: 1 } } }, /^custom_request\._fname\.\$lt: expected a value, got an object$/);
    rejects({ signup: { $gte: 'bad' } }, /^custom_request\.signup\.\$gte: incorrect date "bad", expected RFC 3339/);
    rejects({ vip: { $gte: 'x' } }, /^custom_request\.vip\.\$gte: expected a boolean, got "x"$/);
    rejects({ _fname: { $gte: 'x\uD800' } }, /the text holds a NUL character or an unpaired surrogate/);
  });

  it('reads $in values typed, an absent value as "no value", and refuses lists inside', () => {
    expect(compileCustomRequest({ _sex: { $in: ['F', 1] } }, typed)).toEqual({
      kind: 'values',
      source: 'document',
      field: '_sex',
      values: ['female', 'male'],
    });
    expect(compileCustomRequest({ tags: { $in: ['a', null] } }, typed)).toEqual({
      kind: 'or',
      of: [
        { kind: 'values', source: 'index', field: 'tags', values: ['a'] },
        { kind: 'not', of: { kind: 'present', source: 'index', field: 'tags' } },
      ],
    });
    rejects({ tags: { $in: [['x']] } }, /^custom_request\.tags\.\$in\[0\]: expected a value, got an array$/);
    rejects({ tags: { $in: [{ a: 1 }] } }, /^custom_request\.tags\.\$in\[0\]: expected a value, got an object$/);
  });
});
