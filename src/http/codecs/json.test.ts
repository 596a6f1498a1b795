import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/base/errors.js';
import { isPartedItems, type ItemList } from '../../core/values/schema.js';
import { MAX_DEPTH, parseJsonBody, PARTED_MIN_BYTES } from './json.js';

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
    const at = (min: number) => parseJsonBody(Buffer.from(small), { batchItems: true, partedMinBytes: min }).data;
    expect(isPartedItems(at(small.length))).toBe(true);
    expect(isPartedItems(at(small.length + 1))).toBe(false);
  });
});

describe('a JSON body parsed whole', () => {
  const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

  it('nesting up to the limit is taken, one level more refused; brackets inside strings do not count', () => {
    expect(whole(nested(MAX_DEPTH))).toBeTypeOf('object');
    expect(refusal(() => whole(nested(MAX_DEPTH + 1)))).toBe(`the body is nested deeper than ${MAX_DEPTH} levels`);
    const inString = JSON.stringify({ s: '['.repeat(MAX_DEPTH * 2), t: 'a\\"[[[[' });
    expect(whole(inString)).toEqual(JSON.parse(inString));
    // Depth is the deepest point, not the count of brackets: siblings at a shallow level are fine.
    // An escaped quote does not end a string: the brackets after it are text.
    const escaped = `{"s":"\\"${'['.repeat(MAX_DEPTH + 5)}"}`;
    expect(whole(escaped)).toEqual(JSON.parse(escaped));
    const wide = `{"a":[${Array.from({ length: MAX_DEPTH * 2 }, () => '[]').join(',')}]}`;
    expect(whole(wide)).toEqual(JSON.parse(wide));
  });

  it('a number beyond a double is refused, named by its path; long but finite numbers are kept', () => {
    const digits = (n: number) => '9'.repeat(n);
    expect(whole(`{"n": ${digits(99)}}`).n).toBe(Number(digits(99)));
    expect(whole(`{"n": ${digits(300)}}`).n).toBe(Number(digits(300)));
    expect(refusal(() => whole(`{"n": ${digits(309)}}`))).toBe(
      'n: the number is beyond the range of a double (±1.7976931348623157e308)',
    );
    expect(whole('{"n": 1e99, "m": 1E+99, "k": -1e-99}')).toEqual({ n: 1e99, m: 1e99, k: -1e-99 });
    expect(whole('{"n": 1e308}').n).toBe(1e308);
    expect(refusal(() => whole('{"n": 1e309}'))).toMatch(/^n: the number is beyond/);
    expect(refusal(() => whole('{"n": -1E+400}'))).toMatch(/^n: the number is beyond/);
    expect(refusal(() => whole('{"a": [0, {"b": 1e999}]}'))).toMatch(/^a\[1\]\.b: the number is beyond/);
    // The e of true and false, or in a string, is no exponent.
    expect(whole('{"t": true, "f": false, "s": "1e999"}')).toEqual({ t: true, f: false, s: '1e999' });
  });

  it('prototype keys are refused wherever they are, spelled plainly or with escapes, named by their path', () => {
    expect(refusal(() => whole('{"__proto__": {"x": 1}}'))).toBe('__proto__: the key is not allowed');
    expect(refusal(() => whole('{"a": {"constructor": 1}}'))).toBe('a.constructor: the key is not allowed');
    expect(refusal(() => whole('{"a": [1, {"prototype": 1}]}'))).toBe('a[1].prototype: the key is not allowed');
    expect(refusal(() => whole('{"a": {"__prot\\u006f__": 1}}'))).toBe('a.__proto__: the key is not allowed');
    // As values, the same words are text.
    expect(whole('{"a": "__proto__", "b": ["constructor"]}')).toEqual({ a: '__proto__', b: ['constructor'] });
  });

  it('a lone surrogate escape in a value or a key is refused, named; a pair is a character', () => {
    expect(whole('{"s": "\\ud83d\\ude00"}').s).toBe('😀');
    expect(whole('{"s": "\\uD83D\\uDE00"}').s).toBe('😀');
    expect(refusal(() => whole('{"s": "\\ud800"}'))).toBe(
      's: the text holds an unpaired surrogate escape (not valid Unicode)',
    );
    expect(refusal(() => whole('{"s": ["ok", "x\\uDC00"]}'))).toMatch(/^s\[1\]: the text holds an unpaired/);
    expect(refusal(() => whole('{"s": "\\ude00\\ud83d"}'))).toMatch(/^s: the text holds an unpaired/);
    expect(refusal(() => whole('{"\\ud800": 1}'))).toBe(
      'the body holds a key with an unpaired surrogate escape (not valid Unicode)',
    );
    expect(refusal(() => whole('{"o": {"\\udfff": 1}}'))).toBe(
      'o: a key holds an unpaired surrogate escape (not valid Unicode)',
    );
  });

  it('what the body must be: UTF-8, an object, no NUL; a byte order mark is skipped', () => {
    expect(refusal(() => parseJsonBody(Buffer.from([0x7b, 0xc3, 0x28, 0x7d])))).toBe('the body is not valid UTF-8');
    for (const text of ['[1]', '"x"', '1', 'null'])
      expect(
        refusal(() => whole(text)),
        text,
      ).toBe('the body must be a JSON object');
    expect(refusal(() => whole('{"a": "x\\u0000y"}'))).toBe('the body contains a NUL character (\\u0000)');
    expect(refusal(() => whole('{"a": 1'))).toMatch(/^invalid JSON: /);
    expect(whole('\ufeff{"a": 1}')).toEqual({ a: 1 });
    const view = Buffer.from('xx{"a": 2}yy');
    expect(parseJsonBody(view.subarray(2, view.length - 2))).toEqual({ a: 2 });
  });
});

describe('where the items of a large body are found', () => {
  const partedOrWhole = (text: string) => {
    const p = parted(text);
    return { parted: isPartedItems(p.data), body: { ...p, data: isPartedItems(p.data) ? all(p.data) : p.data } };
  };

  it('items of every kind, strings with "data" in them, data keys deeper or as values, an empty array', () => {
    for (const text of [
      '{"data": []}',
      '{"data":["a","b,c","d\\"]"]}',
      '{"data":[[1],[2,[3]],{"a":[4]}]}',
      '{"data":[1,-2.5e3,true,false,null]}',
      '{"x":"data","data":[3]}',
      '{"x":{"data":[9]},"data":[3],"y":[{"data":[8]}]}',
      ' \n{ "data" : [ 1 , 2 ] } \n',
      '{"data":[{"data":[1]}]}',
      '{"list":[1,2],"data":[{}],"more":[[]]}',
    ]) {
      const r = partedOrWhole(text);
      expect(r.parted, text).toBe(true);
      expect(r.body, text).toEqual(JSON.parse(text));
    }
    expect(all(parted('{"data": []}').data)).toEqual([]);
  });

  it('what is not plainly such a body is parsed whole, and refused as the whole parse refuses it', () => {
    for (const text of [
      '{"data":[1,]}',
      '{"data":[,]}',
      '{:1,"data":[1]}',
      '{"data":[1]}}',
      '{"data":[1]} x',
      '{"data":[1]',
      '{"data":["a]}',
    ])
      expect(
        refusal(() => parted(text)),
        text,
      ).toMatch(/^invalid JSON: /);
    expect(refusal(() => parted('[{"data":[1]}]'))).toBe('the body must be a JSON object');
    for (const text of ['{"data":{"a":[1]}}', '{"data":"[1]"}', '{"a":1}', '{"data\\n":[1]}'])
      expect(partedOrWhole(text), text).toEqual({ parted: false, body: JSON.parse(text) });
  });
});
