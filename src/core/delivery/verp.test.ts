// VERP return paths: the address names its message under the secret it was made with, and only
// at the bounce domain; an altered, forged or foreign address names nothing.
import { describe, expect, it } from 'vitest';
import { verpAddress, verpMessageId } from './verp.js';

const SECRET = 'server-secret';
const DOMAIN = 'bounce.example.com';

describe('VERP addresses', () => {
  it('round-trip the message id, whatever the case of the address', () => {
    for (const id of [1, 42, 9_007_199_254_740_991]) {
      const address = verpAddress(SECRET, id, DOMAIN);
      expect(address).toMatch(/^b-[0-9a-z]+-[0-9a-f]{16}@bounce\.example\.com$/);
      expect(verpMessageId(SECRET, address, DOMAIN)).toBe(id);
      expect(verpMessageId(SECRET, address.toUpperCase(), DOMAIN)).toBe(id);
    }
  });

  it('name nothing when altered, made with another secret, or at another domain', () => {
    const address = verpAddress(SECRET, 42, DOMAIN);
    const [local] = address.split('@');
    const otherId = local.replace(/^b-[0-9a-z]+-/, `b-${(43).toString(36)}-`);
    expect(verpMessageId(SECRET, `${otherId}@${DOMAIN}`, DOMAIN)).toBeUndefined();
    const flipped = local.slice(0, -1) + (local.endsWith('0') ? '1' : '0');
    expect(verpMessageId(SECRET, `${flipped}@${DOMAIN}`, DOMAIN)).toBeUndefined();
    expect(verpMessageId('another-secret', address, DOMAIN)).toBeUndefined();
    expect(verpMessageId(SECRET, `${local}@elsewhere.example`, DOMAIN)).toBeUndefined();
    expect(verpMessageId(SECRET, 'postmaster@bounce.example.com', DOMAIN)).toBeUndefined();
    expect(verpMessageId(SECRET, 'no-at-sign', DOMAIN)).toBeUndefined();
  });
});
