import { describe, expect, it } from 'vitest';
import { pointerProblem, readPointer, scalarText } from './json-pointer.js';

describe('pointerProblem', () => {
  it('takes the empty pointer and pointers starting with /', () => {
    expect(pointerProblem('')).toBeUndefined();
    expect(pointerProblem('/')).toBeUndefined();
    expect(pointerProblem('/a/0/b')).toBeUndefined();
    expect(pointerProblem('/a~0b/c~1d')).toBeUndefined();
  });

  it('refuses a pointer without its leading / and escapes other than ~0 and ~1', () => {
    expect(pointerProblem('a/b')).toBe('a JSON pointer starts with / (or is empty for the whole answer)');
    expect(pointerProblem('x')).toMatch(/starts with \//);
    expect(pointerProblem('/a~2')).toBe('a JSON pointer escapes only ~0 and ~1');
    expect(pointerProblem('/a~')).toBe('a JSON pointer escapes only ~0 and ~1');
    expect(pointerProblem('/~0~1')).toBeUndefined();
  });
});

describe('readPointer', () => {
  const doc = { a: [{ b: 'x' }, 7], 'c/d': 1, 'e~f': 2, '': 3, n: null };

  it('reads the whole document, object keys, array positions and escaped keys', () => {
    expect(readPointer(doc, '')).toBe(doc);
    expect(readPointer(doc, '/a/0/b')).toBe('x');
    expect(readPointer(doc, '/a/1')).toBe(7);
    expect(readPointer(doc, '/c~1d')).toBe(1);
    expect(readPointer(doc, '/e~0f')).toBe(2);
    expect(readPointer(doc, '/')).toBe(3);
    expect(readPointer(doc, '/n')).toBeNull();
    // ~01 is "~1" (the ~0 is undone last), not "/".
    expect(readPointer({ '~1': 'tilde-one', '/': 'slash' }, '/~01')).toBe('tilde-one');
  });

  it('finds nothing past the document: missing keys, bad positions, scalars, inherited keys', () => {
    expect(readPointer(doc, '/missing')).toBeUndefined();
    expect(readPointer(doc, '/a/2')).toBeUndefined();
    expect(readPointer(doc, '/a/01')).toBeUndefined();
    expect(readPointer(doc, '/a/-1')).toBeUndefined();
    expect(readPointer(doc, '/a/1x')).toBeUndefined();
    expect(readPointer(doc, '/a/x1')).toBeUndefined();
    expect(readPointer(doc, '/a/length')).toBeUndefined();
    expect(readPointer(doc, '/a/1/x')).toBeUndefined();
    expect(readPointer(doc, '/n/x')).toBeUndefined();
    expect(readPointer(doc, '/toString')).toBeUndefined();
    expect(readPointer('text', '/0')).toBeUndefined();
    expect(readPointer({ a: [[5, 6]] }, '/a/0/1')).toBe(6);
    expect(readPointer({ a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, '/a/10')).toBe(10);
  });
});

describe('scalarText', () => {
  it('reads strings, numbers and booleans as text, nothing else', () => {
    expect(scalarText('ok')).toBe('ok');
    expect(scalarText('')).toBe('');
    expect(scalarText(42)).toBe('42');
    expect(scalarText(false)).toBe('false');
    expect(scalarText(true)).toBe('true');
    expect(scalarText(null)).toBeUndefined();
    expect(scalarText(undefined)).toBeUndefined();
    expect(scalarText({ a: 1 })).toBeUndefined();
    expect(scalarText([1])).toBeUndefined();
  });
});
