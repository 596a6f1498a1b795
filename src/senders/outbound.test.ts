import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { DEFAULT_DENY, embeddedIpv4, OutboundGuard, parseDenyList } from './outbound.js';

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
  it('denies the other metadata addresses and the ranges no server lives at', () => {
    for (const a of [
      '100.100.100.200',
      '168.63.129.16',
      '224.0.0.1',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
      '::',
      'fec0::1',
      'ff02::1',
      'fe80::1%eth0',
    ]) {
      expect(guard.allowed(a), a).toBe(false);
    }
    for (const a of [
      '10.0.0.1',
      '192.168.1.1',
      '172.16.0.1',
      '100.64.0.1',
      '::1',
      'fd12::1',
      '2001:db8::1',
      '2a00:1450::1',
    ])
      expect(guard.allowed(a), a).toBe(true);
  });

  it('denies every IPv6 form of a denied IPv4 address: mapped, translated, compatible, NAT64, 6to4', () => {
    for (const a of [
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '::ffff:0:a9fe:a9fe',
      '::a9fe:a9fe',
      '::169.254.169.254',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::169.254.169.254',
      '2002:a9fe:a9fe::1',
      '::ffff:100.100.100.200',
      '64:ff9b::6464:64c8',
    ]) {
      expect(guard.allowed(a), a).toBe(false);
    }
    // The same holds for a configured list: loopback denied means its IPv6 forms too.
    const strict = new OutboundGuard({ deny: parseDenyList('127.0.0.0/8'), timeoutMs: 1000 });
    for (const a of ['::ffff:127.0.0.1', '64:ff9b::7f00:1', '::7f00:1', '2002:7f00:1::'])
      expect(strict.allowed(a), a).toBe(false);
    expect(strict.allowed('::1')).toBe(true);
    expect(strict.allowed('::ffff:10.0.0.1')).toBe(true);
  });

  it('reads the IPv4 address an IPv6 one carries', () => {
    expect(embeddedIpv4('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(embeddedIpv4('64:ff9b::102:304')).toBe('1.2.3.4');
    expect(embeddedIpv4('2002:102:304::')).toBe('1.2.3.4');
    expect(embeddedIpv4('::102:304')).toBe('1.2.3.4');
    expect(embeddedIpv4('::1')).toBeUndefined();
    expect(embeddedIpv4('::')).toBeUndefined();
    expect(embeddedIpv4('2001:db8::1')).toBeUndefined();
  });

  it('connects only to allowed addresses, by name or literal', async () => {
    const server = createServer((s) => s.end());
    let accepted = 0;
    server.on('connection', () => accepted++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const strict = new OutboundGuard({ deny: parseDenyList('127.0.0.0/8'), timeoutMs: 1000 });
      await expect(strict.connect('localhost', port)).rejects.toMatchObject({ code: 'HERALD_DENIED_ADDRESS' });
      await expect(strict.connect('127.0.0.1', port)).rejects.toMatchObject({ code: 'HERALD_DENIED_ADDRESS' });
      await expect(strict.connect('[::ffff:127.0.0.1]', port)).rejects.toMatchObject({ code: 'HERALD_DENIED_ADDRESS' });
      expect(accepted).toBe(0);
      const socket = await guard.connect('localhost', port);
      expect(socket.remoteAddress).toBe('127.0.0.1');
      socket.destroy();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses a malformed deny list', () => {
    expect(() => parseDenyList('10.0.0.0/8,banana')).toThrow(/not an address/);
  });
  it('reads single addresses and ranges, IPv4 and IPv6, ignoring spaces and empty entries', () => {
    const g = new OutboundGuard({ deny: parseDenyList(' 10.1.2.3 , ,2001:db8::/32,'), timeoutMs: 1000 });
    expect(g.allowed('10.1.2.3')).toBe(false);
    expect(g.allowed('10.1.2.4')).toBe(true);
    expect(g.allowed('2001:db8::5')).toBe(false);
    expect(g.allowed('2001:db9::5')).toBe(true);
  });
  it('passes a failed name lookup on as it is', async () => {
    await expect(guard.assertHost('no-such-host.invalid')).rejects.toMatchObject({
      code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/),
    });
  });
});
