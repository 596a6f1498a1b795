// Which stored profile a query finds, given the row numbers each key's index answered (oldest first).
import { describe, expect, it } from 'vitest';
import type { MatchKey } from './modes.js';
import { oldestMatch } from './oldest.js';

const key = (k: string): MatchKey => ({ kind: 'field', field: 'f', value: k, key: k });
const query = (keys: string[], all = false, impossible = false) => ({ keys: keys.map(key), all, impossible });

describe('oldestMatch', () => {
  it('any key: the oldest row any key answers, equal rows included', () => {
    const hits = new Map([
      ['a', [7, 9]],
      ['b', [3, 8]],
      ['c', [3]],
    ]);
    expect(oldestMatch(query(['a', 'b']), hits)).toBe(3);
    expect(oldestMatch(query(['a', 'c']), hits)).toBe(3);
    expect(oldestMatch(query(['b', 'a']), hits)).toBe(3);
    expect(oldestMatch(query(['a']), hits)).toBe(7);
    expect(oldestMatch(query(['x', 'a']), hits)).toBe(7);
    expect(oldestMatch(query(['x']), hits)).toBeUndefined();
  });

  it('all keys (a tags combination): the oldest row every key answers', () => {
    const hits = new Map([
      ['books', [2, 5, 9]],
      ['music', [5, 9]],
      ['films', [9]],
    ]);
    expect(oldestMatch(query(['books', 'music'], true), hits)).toBe(5);
    expect(oldestMatch(query(['books', 'music', 'films'], true), hits)).toBe(9);
    expect(oldestMatch(query(['books', 'none'], true), hits)).toBeUndefined();
    expect(oldestMatch(query(['none', 'books'], true), hits)).toBeUndefined();
  });

  it('nothing for an impossible query or one without keys, whatever the hits', () => {
    const hits = new Map([['a', [1]]]);
    expect(oldestMatch(query(['a'], false, true), hits)).toBeUndefined();
    expect(oldestMatch(query(['a'], true, true), hits)).toBeUndefined();
    expect(oldestMatch(query([]), hits)).toBeUndefined();
    expect(oldestMatch(query([], true), hits)).toBeUndefined();
  });
});
