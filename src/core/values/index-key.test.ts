import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIGEST_MARK, indexKey } from './index-key.js';
import { LIMITS } from '../base/limits.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('indexKey', () => {
  it('keeps a short value as it is', () => {
    expect(indexKey('')).toBe('');
    expect(indexKey('news')).toBe('news');
    expect(indexKey('é'.repeat(500))).toBe('é'.repeat(500)); // 1,000 bytes
    expect(indexKey('a'.repeat(LIMITS.indexedValueBytes))).toBe('a'.repeat(LIMITS.indexedValueBytes));
  });

  it('keys a longer value by its first characters and the SHA-256 of its UTF-8 bytes', () => {
    const long = `${'x'.repeat(300)}é${'y'.repeat(800)}`;
    expect(indexKey(long)).toBe(
      `${'x'.repeat(200)}${DIGEST_MARK}${createHash('sha256').update(long, 'utf8').digest('hex')}`,
    );
    expect(indexKey('é'.repeat(501))).toMatch(new RegExp(`^é{200}${DIGEST_MARK}[0-9a-f]{64}$`));
  });

  it('keys a value holding the mark whatever its length, so no value held as it is looks like a key', () => {
    const key = indexKey('z'.repeat(2_000));
    expect(indexKey(key)).not.toBe(key);
    expect(indexKey(`a${DIGEST_MARK}b`)).toMatch(new RegExp(`^a${DIGEST_MARK}b${DIGEST_MARK}[0-9a-f]{64}$`));
  });

  it('never splits a surrogate pair in the characters it keeps', () => {
    const key = indexKey('🦔'.repeat(600));
    expect(key.startsWith(`${'🦔'.repeat(200)}${DIGEST_MARK}`)).toBe(true);
    expect(key).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('is bounded, injective on the values it keeps, and equal only for equal values', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', minLength: 200, maxLength: 1_500 }),
      fc.constantFrom('a'.repeat(1_001), `${'b'.repeat(10)}${DIGEST_MARK}`),
    );
    fc.assert(
      fc.property(text, text, (a, b) => {
        const ka = indexKey(a);
        expect(bytes(ka)).toBeLessThanOrEqual(LIMITS.indexedValueBytes);
        if (ka === a) expect(ka.includes(DIGEST_MARK)).toBe(false);
        expect(ka === indexKey(b)).toBe(a === b);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps whole code points at the cut: the lowest and highest pairs, and a lone low surrogate as one', () => {
    const tail = 'z'.repeat(3_000);
    for (const pair of ['\u{10000}', '\u{10FFFF}', '🦔']) {
      const key = indexKey(`${'x'.repeat(199)}${pair}${tail}`);
      expect(key.split(DIGEST_MARK)[0]).toBe(`${'x'.repeat(199)}${pair}`);
    }
    const lone = indexKey(`${'x'.repeat(198)}\uDC00${tail}`);
    expect(lone.split(DIGEST_MARK)[0]).toBe(`${'x'.repeat(198)}\uDC00z`);
    const highLast = indexKey(`${'x'.repeat(199)}\uD800y${tail}`);
    expect(highLast.split(DIGEST_MARK)[0]).toBe(`${'x'.repeat(199)}\uD800`);
  });
});
