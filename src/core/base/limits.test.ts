// Lengths are counted in characters (code points), as the limits of spec 01 are stated: a pair of
// surrogates is one character, a lone surrogate one, and only a high surrogate followed by a low
// one is a pair.
import { describe, expect, it } from 'vitest';
import { codePointLength, longerThan } from './limits.js';

describe('codePointLength', () => {
  it('counts a surrogate pair as one character', () => {
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('😀😀')).toBe(2);
    expect(codePointLength('')).toBe(0);
  });

  it('counts lone surrogates, and pairs only at the edges of both ranges', () => {
    expect(codePointLength('\ud800a')).toBe(2);
    expect(codePointLength('\udc00\udc00')).toBe(2);
    expect(codePointLength('\ud800\ud800')).toBe(2);
    // The first and last high and low surrogates pair.
    expect(codePointLength('\ud800\udc00')).toBe(1);
    expect(codePointLength('\udbff\udfff')).toBe(1);
    // Just outside the ranges: no pair.
    expect(codePointLength('\ud7ff\udc00')).toBe(2);
    expect(codePointLength('\udc00\udc00x')).toBe(3);
    expect(codePointLength('\ud800\ue000')).toBe(2);
    expect(codePointLength('\ud800\udbff')).toBe(2);
    expect(codePointLength('x\ud800')).toBe(2);
  });
});

describe('longerThan', () => {
  it('compares characters, not UTF-16 units', () => {
    expect(longerThan('😀😀', 2)).toBe(false);
    expect(longerThan('😀😀x', 2)).toBe(true);
    expect(longerThan('ab', 2)).toBe(false);
    expect(longerThan('abc', 2)).toBe(true);
  });
});
