// The schema builders' rules, one by one: bounds of integers, strings and lists (with their
// messages), item lists given whole or parted, aliases, fallbacks, required fields and null.
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../base/errors.js';
import { PLAIN_WIRE, type WirePolicy } from './wire.js';
import { anyObject, arrayOf, int, itemList, object, oneOf, optional, partedItems, required, str } from './schema.js';

const ctx = { wire: PLAIN_WIRE };
const xmlish: { wire: WirePolicy } = { wire: { ...PLAIN_WIRE, isEmpty: (v) => v === '' || v === undefined } };
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err.toApiError().debug;
    throw err;
  }
  throw new Error('decoded');
};

describe('bounds', () => {
  it('integers: min and max, both inclusive', () => {
    const s = int({ min: 1, max: 3 });
    expect([1, 3].map((n) => s.decode(n, ctx))).toEqual([1, 3]);
    expect(refusal(() => s.decode(0, ctx))).toBe('must be at least 1, got 0');
    expect(refusal(() => s.decode(4, ctx))).toBe('must be at most 3, got 4');
    expect(int().decode(-5, ctx)).toBe(-5);
  });

  it('strings: not blank when asked, at most maxLength characters', () => {
    expect(refusal(() => str({ nonEmpty: true }).decode('  ', ctx))).toBe('must not be empty');
    expect(str({ nonEmpty: true }).decode(' a ', ctx)).toBe(' a ');
    expect(str().decode('  ', ctx)).toBe('  ');
    expect(str({ maxLength: 3 }).decode('abc', ctx)).toBe('abc');
    expect(refusal(() => str({ maxLength: 3 }).decode('abcd', ctx))).toBe('is longer than 3 characters');
    expect(refusal(() => oneOf(['a', 'b']).decode('c', ctx))).toBe('must be one of a, b, got "c"');
  });

  it('lists: minItems and maxItems, inclusive, with an empty list named as such', () => {
    const s = arrayOf(int(), { minItems: 2, maxItems: 3 });
    expect(s.decode([1, 2, 3], ctx)).toEqual([1, 2, 3]);
    expect(refusal(() => s.decode([], ctx))).toBe('must not be empty');
    expect(refusal(() => s.decode([1], ctx))).toBe('needs at least 2 items');
    expect(refusal(() => s.decode([1, 2, 3, 4], ctx))).toBe('has more than 3 items');
    expect(refusal(() => s.decode([1, 'x'], ctx))).toBe('[1]: expected an integer, got "x"');
    expect(arrayOf(int(), { single: true }).decode(5, ctx)).toEqual([5]);
    expect(refusal(() => arrayOf(int()).decode(5, ctx))).toBe('expected an array, got 5');
  });

  it('item lists: the same bounds whether the items come whole or parted', () => {
    const s = itemList({ minItems: 2, maxItems: 3 });
    const parted = (n: number) => partedItems(n, (from, to) => Array.from({ length: to - from }, (_, i) => from + i));
    for (const make of [(n: number) => Array.from({ length: n }, (_, i) => i), parted]) {
      expect(s.decode(make(2), ctx).length).toBe(2);
      expect(s.decode(make(3), ctx).length).toBe(3);
      expect(refusal(() => s.decode(make(0), ctx))).toBe('must not be empty');
      expect(refusal(() => s.decode(make(1), ctx))).toBe('needs at least 2 items');
      expect(refusal(() => s.decode(make(4), ctx))).toBe('has more than 3 items');
    }
    const given = parted(2);
    expect(s.decode(given, ctx)).toBe(given);
    // An object that merely looks like parted items is no list.
    expect(refusal(() => s.decode({ length: 2, slice: () => [] }, ctx))).toBe('expected an array, got an object');
  });
});

describe('objects', () => {
  const shape = object({
    id: required(int(), { aliases: ['trigger_id', 'tid'] }),
    name: optional(str(), 'none', { aliases: ['title'] }),
    note: optional(str()),
    extra: optional(anyObject()),
  });

  it('read a field by its name first, then by each alias in order', () => {
    expect(shape.decode({ id: 1, trigger_id: 2 }, ctx).id).toBe(1);
    expect(shape.decode({ trigger_id: 2, tid: 3 }, ctx).id).toBe(2);
    expect(shape.decode({ tid: 3 }, ctx).id).toBe(3);
    expect(refusal(() => shape.decode({ tid: 'x' }, ctx))).toBe('tid: expected an integer, got "x"');
    expect(shape.decode({ id: 1, title: 'T' }, ctx).name).toBe('T');
  });

  it('answer the fallback of an absent or null optional field, and refuse an absent or null required one', () => {
    expect(shape.decode({ id: 1 }, ctx)).toEqual({ id: 1, name: 'none', note: undefined, extra: undefined });
    expect(shape.decode({ id: 1, name: null, note: null }, ctx)).toEqual({
      id: 1,
      name: 'none',
      note: undefined,
      extra: undefined,
    });
    expect(refusal(() => shape.decode({}, ctx))).toBe('id: is required');
    expect(refusal(() => shape.decode({ id: null }, ctx))).toBe('id: is required');
    expect(refusal(() => shape.decode([], ctx))).toBe('expected an object, got an array');
  });

  it("take an empty value of the wire as the empty object (XML's empty element)", () => {
    expect(anyObject().decode('', xmlish)).toEqual({});
    expect(refusal(() => anyObject().decode('', ctx))).toBe('expected an object, got ""');
    expect(object({ n: optional(int()) }).decode('', xmlish)).toEqual({ n: undefined });
  });
});
