import { isPossiblePhoneNumber } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { isPhoneRegion, normalizePhone } from './phone.js';

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

  it('reads digits without + as international first, then as a national number of the region', () => {
    expect(normalizePhone('79001234567')).toBe('+79001234567');
    expect(normalizePhone('998901112277')).toBe('+998901112277');
    expect(normalizePhone('89001234567', 'RU')).toBe('+79001234567');
    expect(normalizePhone('8 (916) 123-45-67', 'RU')).toBe('+79161234567');
    expect(normalizePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalizePhone('89001234567', 'GB')).toBeUndefined();
    expect(normalizePhone('12345', 'RU')).toBeUndefined();
    expect(normalizePhone('8-900-abc', 'RU')).toBeUndefined();
    expect(normalizePhone('89001234567', 'XX')).toBeUndefined();
  });

  it('knows the regions libphonenumber knows, upper case', () => {
    expect(isPhoneRegion('RU')).toBe(true);
    expect(isPhoneRegion('GB')).toBe(true);
    expect(isPhoneRegion('ru')).toBe(false);
    expect(isPhoneRegion('XX')).toBe(false);
    expect(isPhoneRegion('RUS')).toBe(false);
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

  it('keeps to 8–15 digits and to digits, whatever the table of possible lengths says', () => {
    // ZA's table has 5-digit numbers: +27 12345 would be "possible", but is 7 digits.
    expect(normalizePhone('+2712345')).toBeUndefined();
    const fifteen = `+7${'9'.repeat(14)}`;
    expect(isPossiblePhoneNumber(fifteen)).toBe(true);
    expect(normalizePhone(fifteen)).toBe(fifteen);
    expect(normalizePhone('7900123456a')).toBeUndefined();
    expect(normalizePhone('+7900123456a')).toBeUndefined();
    expect(normalizePhone('1', 'RU')).toBeUndefined();
    expect(normalizePhone('12', 'GB')).toBeUndefined();
  });
});
