import { describe, expect, it } from 'vitest';
import { toInt, toNumber, toStr } from './coerce.js';
import { DecodeError } from '../base/errors.js';

const reason = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err.reason;
    throw err;
  }
  throw new Error('decoded');
};

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
