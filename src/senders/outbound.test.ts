import { describe, expect, it } from 'vitest';
import { DEFAULT_DENY, OutboundGuard, parseDenyList } from './outbound.js';

describe('outbound guard', () => {
  const guard = new OutboundGuard({ deny: parseDenyList(DEFAULT_DENY), timeoutMs: 1000 });
  it('denies the link-local and metadata ranges by default, allows the rest', () => {
    expect(guard.allowed('169.254.169.254')).toBe(false);
    expect(guard.allowed('fe80::1')).toBe(false);
    expect(guard.allowed('fd00:ec2::254')).toBe(false);
    expect(guard.allowed('0.0.0.0')).toBe(false);
    expect(guard.allowed('127.0.0.1')).toBe(true);
    expect(guard.allowed('93.184.216.34')).toBe(true);
    expect(guard.allowed('not-an-ip')).toBe(false);
  });
  it('checks literal addresses and resolved names', async () => {
    await expect(guard.assertHost('169.254.169.254')).rejects.toThrow(/denied/);
    await expect(guard.assertHost('[fe80::1]')).rejects.toThrow(/denied/);
    await expect(guard.assertHost('localhost')).resolves.toBeUndefined();
    const strict = new OutboundGuard({ deny: parseDenyList('127.0.0.0/8,::1/128'), timeoutMs: 1000 });
    await expect(strict.assertHost('localhost')).rejects.toThrow(/denied/);
  });
  it('refuses a malformed deny list', () => {
    expect(() => parseDenyList('10.0.0.0/8,banana')).toThrow(/not an address/);
  });
  it('reads single addresses and ranges, IPv4 and IPv6, ignoring spaces and empty entries', () => {
    const g = new OutboundGuard({ deny: parseDenyList(' 10.1.2.3 , ,2001:db8::/32,') , timeoutMs: 1000 });
    expect(g.allowed('10.1.2.3')).toBe(false);
    expect(g.allowed('10.1.2.4')).toBe(true);
    expect(g.allowed('2001:db8::5')).toBe(false);
    expect(g.allowed('2001:db9::5')).toBe(true);
  });
  it('passes a failed name lookup on as it is', async () => {
    await expect(guard.assertHost('no-such-host.invalid')).rejects.toMatchObject({ code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/) });
  });
});
