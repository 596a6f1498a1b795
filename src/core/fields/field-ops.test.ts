// Functional updates of spec 03: how an operator object is recognised, checked against the field's
// kind, and applied to a profile's fields.
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../base/errors.js';
import { applyFieldOp, decodeFieldOp } from './field-ops.js';
import type { FieldSpec } from './field-specs.js';

const spec = (name: string, kind: FieldSpec['kind']): FieldSpec => ({ name, kind, custom: true });
const tags = spec('Interests', 'tags');
const obj = spec('Address', 'object');
const list = spec('Orders', 'arr_object');
const int = spec('Visits', 'int');
const float = spec('Score', 'float');
const text = spec('Note', 'string');

/** The decode error's path and text. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof DecodeError) return `${err.path.join('.')}: ${err.reason}`;
    throw err;
  }
  throw new Error('not refused');
}

const applied = (fields: Record<string, unknown>, s: FieldSpec, raw: unknown) => {
  const out = structuredClone(fields);
  applyFieldOp(out, decodeFieldOp(s, raw));
  return out;
};

describe('field operators', () => {
  it('are objects of a known action and the operator keys only; any other object is a value', () => {
    expect(decodeFieldOp(obj, { action: 'set', value: { city: 'Oslo' } })).toEqual({
      field: 'Address',
      action: 'set',
      value: { city: 'Oslo' },
    });
    // Another key beside action: the whole object is the value.
    expect(decodeFieldOp(obj, { action: 'set', value: 1, city: 'Oslo' })).toEqual({
      field: 'Address',
      action: 'set',
      value: { action: 'set', value: 1, city: 'Oslo' },
    });
    expect(decodeFieldOp(obj, { action: 'fly' })).toMatchObject({ action: 'set', value: { action: 'fly' } });
    expect(decodeFieldOp(obj, { action: 7 })).toMatchObject({ action: 'set', value: { action: 7 } });
    expect(refusal(() => decodeFieldOp(text, { action: 'set' }))).toBe('value: is required');
  });

  it('check the field kind of incr, add, delete and upsert', () => {
    expect(refusal(() => decodeFieldOp(text, { action: 'incr', value: 1 }))).toBe(
      ": action incr needs an int or float field, 'Note' is string",
    );
    expect(decodeFieldOp(float, { action: 'incr', value: '1.5' })).toEqual({
      field: 'Score',
      action: 'incr',
      value: 1.5,
      integer: false,
    });
    expect(decodeFieldOp(int, { action: 'incr', value: 2 })).toMatchObject({ value: 2, integer: true });
    expect(refusal(() => decodeFieldOp(int, { action: 'incr', value: 1.5 }))).toMatch(/^value: /);
    expect(refusal(() => decodeFieldOp(text, { action: 'add', value: 'x' }))).toBe(
      ": action add needs a tags or arr_object field, 'Note' is string",
    );
    expect(decodeFieldOp(tags, { action: 'add', value: 'a' })).toEqual({
      field: 'Interests',
      action: 'add',
      value: ['a'],
    });
    expect(refusal(() => decodeFieldOp(list, { action: 'add', value: [{}, 5] }))).toBe(
      'value.[1]: expected an object, got 5',
    );
    expect(refusal(() => decodeFieldOp(tags, { action: 'upsert', value: 'x' }))).toBe(
      ": action upsert needs an object or arr_object field, 'Interests' is tags",
    );
  });

  it('refuse an upsert path that is empty, has empty segments or names a prototype key', () => {
    expect(decodeFieldOp(obj, { action: 'upsert', submatch: 'home.city', value: 'Oslo' })).toEqual({
      field: 'Address',
      action: 'upsert',
      submatch: 'home.city',
      value: 'Oslo',
    });
    for (const path of ['', '.', 'a.', '.a', 'a..b', '__proto__', 'a.__proto__', 'constructor.x', 'a.prototype'])
      expect(
        refusal(() => decodeFieldOp(obj, { action: 'upsert', submatch: path, value: 1 })),
        path,
      ).toBe(`submatch: incorrect submatch path ${JSON.stringify(path)}`);
    expect(refusal(() => decodeFieldOp(obj, { action: 'upsert', value: 1 }))).toBe('submatch: is required');
    expect(refusal(() => decodeFieldOp(list, { action: 'upsert', submatch: 'id', value: {} }))).toBe(
      'submatch: expected an object, got "id"',
    );
    expect(refusal(() => decodeFieldOp(list, { action: 'upsert', submatch: { id: 1 }, value: 5 }))).toBe(
      'value: expected an object, got 5',
    );
  });

  it('apply: incr stops at the ends of the range, add keeps tags unique, delete removes by value or submatch', () => {
    expect(applied({ Visits: Number.MAX_SAFE_INTEGER - 1 }, int, { action: 'incr', value: 5 })).toEqual({
      Visits: Number.MAX_SAFE_INTEGER,
    });
    expect(applied({ Visits: -Number.MAX_SAFE_INTEGER + 1 }, int, { action: 'incr', value: -5 })).toEqual({
      Visits: -Number.MAX_SAFE_INTEGER,
    });
    expect(applied({ Visits: Number.MAX_SAFE_INTEGER - 5 }, int, { action: 'incr', value: 5 })).toEqual({
      Visits: Number.MAX_SAFE_INTEGER,
    });
    expect(applied({ Score: 1 }, float, { action: 'incr', value: -3 })).toEqual({ Score: -2 });
    expect(applied({}, float, { action: 'incr', value: 2 })).toEqual({ Score: 2 });
    expect(applied({ Interests: ['a'] }, tags, { action: 'add', value: ['a', 'b', 'b'] })).toEqual({
      Interests: ['a', 'b'],
    });
    expect(applied({ Orders: [{ id: 1 }] }, list, { action: 'add', value: [{ id: 1 }] })).toEqual({
      Orders: [{ id: 1 }, { id: 1 }],
    });
    expect(applied({ Interests: ['a', 'b'] }, tags, { action: 'delete', value: 'a' })).toEqual({ Interests: ['b'] });
    const orders = [{ id: 1, n: 'x' }, { id: 2 }, 'loose', { id: 3 }];
    expect(applied({ Orders: orders }, list, { action: 'delete', value: [{ id: 1 }, { id: 3 }] })).toEqual({
      Orders: [{ id: 2 }, 'loose'],
    });
    expect(applied({ Orders: orders }, list, { action: 'delete', value: [{ id: 2 }] })).toEqual({
      Orders: [{ id: 1, n: 'x' }, 'loose', { id: 3 }],
    });
    expect(applied({}, tags, { action: 'delete', value: 'a' })).toEqual({});
  });

  it('apply: upsert sets a nested path, or merges into every element its submatch matches, else appends', () => {
    expect(
      applied({ Address: { home: { zip: '1' } } }, obj, { action: 'upsert', submatch: 'home.city', value: 'Oslo' }),
    ).toEqual({
      Address: { home: { zip: '1', city: 'Oslo' } },
    });
    expect(
      applied({ Address: { home: 5 } }, obj, { action: 'upsert', submatch: 'home.city.name', value: 'O' }),
    ).toEqual({
      Address: { home: { city: { name: 'O' } } },
    });
    expect(applied({}, obj, { action: 'upsert', submatch: 'city', value: 'Oslo' })).toEqual({
      Address: { city: 'Oslo' },
    });
    const before = { Orders: [{ id: 1, n: 'a' }, { id: 2 }, { id: 1 }] };
    expect(applied(before, list, { action: 'upsert', submatch: { id: 1 }, value: { n: 'b' } })).toEqual({
      Orders: [{ id: 1, n: 'b' }, { id: 2 }, { id: 1, n: 'b' }],
    });
    expect(applied(before, list, { action: 'upsert', submatch: { id: 9 }, value: { id: 9 } })).toEqual({
      Orders: [...before.Orders, { id: 9 }],
    });
    // An element that is not an object never matches; a key the element lacks never matches.
    expect(
      applied({ Orders: ['x', { n: 1 }] }, list, { action: 'upsert', submatch: { id: 1 }, value: { id: 1 } }),
    ).toEqual({
      Orders: ['x', { n: 1 }, { id: 1 }],
    });
    expect(applied({ Orders: [{}] }, list, { action: 'upsert', submatch: { toString: 1 }, value: { a: 1 } })).toEqual({
      Orders: [{}, { a: 1 }],
    });
  });
});
