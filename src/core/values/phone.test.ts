import { isPossiblePhoneNumber } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { normalizePhone } from './phone.js';

describe('normalizePhone', () => {
  it('accepts E.164 and international formats with separators', () => {
    expect(normalizePhone('+79000000000')).toBe('+79000000000');
    expect(normalizePhone('+7 (900) 000-00-00')).toBe('+79000000000');
    expect(normalizePhone('0079000000000')).toBe('+79000000000');
    expect(normalizePhone('+49 30 1234567')).toBe('+49301234567');
  });

  it('rejects national formats, unknown codes and impossible lengths', () => {
    expect(normalizePhone('89000000000')).toBeUndefined();
    expect(normalizePhone('8 (916) 123-45-67')).toBeUndefined();
    expect(normalizePhone('+7900')).toBeUndefined();
    expect(normalizePhone('+790000000001')).toBeUndefined();
    expect(normalizePhone('+999123456789')).toBeUndefined();
    expect(normalizePhone('+1 555 0100')).toBeUndefined();
    expect(normalizePhone('phone')).toBeUndefined();
    expect(normalizePhone('')).toBeUndefined();
  });

  it('agrees with libphonenumber isPossiblePhoneNumber on random numbers', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    let checked = 0;
    for (let i = 0; i < 20000; i++) {
      const len = 8 + (rand() % 8);
      let digits = String(1 + (rand() % 9));
      while (digits.length < len) digits += String(rand() % 10);
      const input = `+${digits}`;
      expect([input, normalizePhone(input) !== undefined]).toEqual([input, isPossiblePhoneNumber(input)]);
      checked++;
    }
    expect(checked).toBe(20000);
  });
});
