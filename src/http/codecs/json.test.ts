import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/base/errors.js';
import { isPartedItems, type ItemList } from '../../core/values/schema.js';
import { parseJsonBody, PARTED_MIN_BYTES } from './json.js';

const parted = (text: string) => parseJsonBody(Buffer.from(text), { batchItems: true, partedMinBytes: 0 });
const whole = (text: string) => parseJsonBody(Buffer.from(text));
const all = (items: unknown) => (items as ItemList).slice(0, (items as ItemList).length);

/** The 400 a parse (or a slice of parted items) answers, as text. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof ApiError && err.code === 400) return err.message;
    throw err;
  }
  throw new Error('not refused');
}

/** JSON text with whitespace between every token, as a client may send it. */
const spaced = (value: unknown, ws: string): string => {
  if (Array.isArray(value)) return `[${ws}${value.map((v) => spaced(v, ws)).join(`${ws},${ws}`)}${ws}]`;
  if (value !== null && typeof value === 'object')
    return `{${ws}${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}${ws}:${ws}${spaced(v, ws)}`)
      .join(`${ws},${ws}`)}${ws}}`;
  return JSON.stringify(value);
};

describe('parted batch items of a large JSON body', () => {
  it('hand over the same items and keys as parsing the whole body, in any slices', () => {
    // Values the whole body takes (no NUL, no prototype key: those are refused, below).
    const item = fc
      .jsonValue({ maxDepth: 3 })
      .filter((v) => !/\\u0000|\\ud[89a-f]|"(__proto__|constructor|prototype)"/i.test(JSON.stringify(v)));
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 12 }),
        fc.constantFrom('', ' ', '\n\t', '\r\n  '),
        fc.nat(12),
        fc.nat(12),
        (items, ws, a, b) => {
          const body = { token: 'x', data: items, after: [1, { data: 2 }] };
          const text = `${ws}${spaced(body, ws)}${ws}`;
          const p = parted(text);
          expect(isPartedItems(p.data)).toBe(true);
          const expected = JSON.parse(text) as { data: unknown[] };
          expect({ ...p, data: all(p.data) }).toEqual(expected);
          const [from, to] = [Math.min(a, b, items.length), Math.min(Math.max(a, b), items.length)];
          expect((p.data as ItemList).slice(from, to)).toEqual(expected.data.slice(from, to));
          expect((p.data as ItemList).slice(from, items.length + 5)).toEqual(expected.data.slice(from));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keep strings holding brackets, commas, quotes and escapes whole', () => {
    const items = ['a,b', ']', '[{', 'say \\"hi\\"', { k: '},{' }, [[], {}], 'é', 1e-7, true, null];
    const text = JSON.stringify({ data: items, 'da,ta': '"data":[' });
    expect(all(parted(text).data)).toEqual(items);
    expect(all(parted(`\ufeff${text}`).data)).toEqual(items);
  });

  it('parse the whole body as one when it is not plainly an object with one data array', () => {
    for (const text of [
      '{"data": [1], "data": [2]}',
      '{"d\\u0061ta": [1]}',
      '{"data": 5}',
      '{"data": {"x": [1]}}',
      '{"x": [1]}',
      '{"data": [1]} ',
    ]) {
      const p = parted(text);
      expect({ ...p, data: isPartedItems(p.data) ? all(p.data) : p.data }, text).toEqual(whole(text));
      expect(isPartedItems(p.data), text).toBe(text === '{"data": [1]} ');
    }
  });

  it('refuse what the whole body would refuse: bad JSON, a NUL, a prototype key, a lone surrogate, an infinite number', () => {
    expect(refusal(() => parted('{"data": [1, 2,]}'))).toMatch(/^invalid JSON/);
    expect(refusal(() => parted('{"data": [,1]}'))).toMatch(/^invalid JSON/);
    expect(refusal(() => parted('{"data": [1] x}'))).toMatch(/^invalid JSON/);
    expect(refusal(() => parted('{"data": [{"a": "\\u0000"}]}'))).toMatch(/NUL/);
    // Found when the part holding them is parsed, and named by the item's place.
    const items = (text: string) => parted(text).data as ItemList;
    expect(refusal(() => items('{"data": [{"a": 1}, {"a": tru}]}').slice(0, 2))).toMatch(/^invalid JSON: data\[1\]: /);
    expect(refusal(() => items('{"data": [{}, {"x": {"__proto__": 1}}]}').slice(1, 2))).toBe(
      'data[1].x.__proto__: the key is not allowed',
    );
    expect(refusal(() => items('{"data": [{"s": "\\ud800"}]}').slice(0, 1))).toMatch(/^data\[0\]\.s: .*surrogate/);
    expect(refusal(() => items('{"data": [1, {"n": 1e400}]}').slice(0, 2))).toMatch(
      /^data\[1\]\.n: .*range of a double/,
    );
    // The parts before a bad one are handed over (the request's transaction undoes them).
    expect(items('{"data": [1, {"a": tru}]}').slice(0, 1)).toEqual([1]);
  });

  it('are made only for batch methods and from PARTED_MIN_BYTES on', () => {
    const small = JSON.stringify({ data: [{ email: 'a@example.com' }] });
    expect(Array.isArray(parseJsonBody(Buffer.from(small), { batchItems: true }).data)).toBe(true);
    const big = JSON.stringify({ data: Array.from({ length: PARTED_MIN_BYTES / 8 }, (_, i) => ({ i })) });
    expect(isPartedItems(parseJsonBody(Buffer.from(big), { batchItems: true }).data)).toBe(true);
    expect(Array.isArray(parseJsonBody(Buffer.from(big)).data)).toBe(true);
  });
});
