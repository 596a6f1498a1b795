import { describe, expect, it } from 'vitest';
import { SEAL_OVERHEAD, Sealer } from './sealer.js';

const aad = Buffer.from('k');
const saltOf = (b: Buffer) => b.subarray(0, 12).toString('hex');

describe('the sealer', () => {
  it('opens what it sealed, with the same secret and additional data only', () => {
    const s = new Sealer('test');
    const sealed = s.seal('secret', aad, 'hello');
    expect(sealed.length).toBe(SEAL_OVERHEAD + 5);
    expect(s.open('secret', aad, sealed)?.toString()).toBe('hello');
    expect(s.open('other', aad, sealed)).toBeUndefined();
    expect(s.open('secret', Buffer.from('x'), sealed)).toBeUndefined();
    expect(new Sealer('another purpose').open('secret', aad, sealed)).toBeUndefined();
    // Another process (a new sealer) opens it too: the salt is in the token.
    expect(new Sealer('test').open('secret', aad, sealed)?.toString()).toBe('hello');
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i]! ^= 1;
      expect(s.open('secret', aad, bad), `byte ${i}`).toBeUndefined();
    }
    expect(s.open('secret', aad, sealed.subarray(0, SEAL_OVERHEAD - 1))).toBeUndefined();
  });

  it('draws a new salt after its number of seals, and for another secret', () => {
    const s = new Sealer('test', 2);
    const seals = Array.from({ length: 5 }, (_, i) => s.seal('secret', aad, `m${i}`));
    const salts = seals.map(saltOf);
    expect(salts[0]).toBe(salts[1]);
    expect(salts[2]).toBe(salts[3]);
    expect(new Set(salts).size).toBe(3);
    // Nonces never repeat.
    expect(new Set(seals.map((b) => b.subarray(12, 24).toString('hex'))).size).toBe(5);
    seals.forEach((b, i) => expect(s.open('secret', aad, b)?.toString()).toBe(`m${i}`));
    expect(saltOf(s.seal('other', aad, 'x'))).not.toBe(salts[4]);
  });
});
