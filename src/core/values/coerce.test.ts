import { describe, expect, it } from 'vitest';
import { describe as describeValue, toInt, toNumber, toStr } from './coerce.js';
import { decodeReason as reason } from '../../../test/helpers/decode-reason.js';

describe('numbers', () => {
  it('are finite: number text beyond a double is refused, never Infinity', () => {
    expect(toNumber('1.5e308')).toBe(1.5e308);
    expect(toNumber(' -2.5 ')).toBe(-2.5);
    expect(toNumber('1e-400')).toBe(0);
    expect(reason(() => toNumber('1e400'))).toBe(
      'expected a finite number, got "1e400" (beyond ±1.7976931348623157e308)',
    );
    expect(reason(() => toNumber(`-${'9'.repeat(400)}`))).toMatch(/^expected a finite number/);
    expect(reason(() => toNumber(Infinity))).toBe('expected a number, got Infinity');
    expect(reason(() => toNumber(Number.NaN))).toBe('expected a number, got NaN');
    expect(reason(() => toNumber('Infinity'))).toBe('expected a number, got "Infinity"');
    expect(reason(() => toInt('9'.repeat(400)))).toMatch(/^expected an integer/);
    expect(reason(() => toStr(-Infinity))).toBe('expected a string, got -Infinity');
  });
});

describe('the coercions refuse what is not their kind', () => {
  it('integers: numbers and integer text only', () => {
    expect(toInt(7)).toBe(7);
    expect(toInt('-12')).toBe(-12);
    for (const v of [true, null, [], {}, '1.5', 1.5, ''])
      expect(reason(() => toInt(v))).toMatch(/^expected an integer, got /);
  });

  it('numbers: a number, or number text, always answered as a number', () => {
    expect(toNumber('5')).toBe(5);
    expect(toNumber(2.5)).toBe(2.5);
    for (const v of ['abc', true, null, [1], {}]) expect(reason(() => toNumber(v))).toMatch(/^expected a number, got /);
  });

  it('strings: text, and finite numbers written as text', () => {
    expect(toStr(12.5)).toBe('12.5');
    expect(toStr('x')).toBe('x');
    for (const v of [null, true, {}, []]) expect(reason(() => toStr(v))).toMatch(/^expected a string, got /);
  });
});

describe('describe (how a refused value is named)', () => {
  it('names null, arrays, objects, and quotes text, cut after 40 characters', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue(true)).toBe('true');
    expect(describeValue('x'.repeat(40))).toBe(JSON.stringify('x'.repeat(40)));
    expect(describeValue(`${'y'.repeat(40)}z`)).toBe(JSON.stringify(`${'y'.repeat(40)}…`));
  });
});
