import { describe, expect, it } from 'vitest';
import { DbipGeoLookup } from './dbip-geo.js';

describe('DbipGeoLookup', () => {
  const geo = new DbipGeoLookup();
  it('finds public IPv4 and IPv6 addresses offline', () => {
    expect(geo.lookup('8.8.8.8')).toMatchObject({ country: 'US', city: 'Mountain View', region: 'California' });
    expect(geo.lookup('77.88.8.8')).toMatchObject({ country: 'RU', region: 'Moscow' });
    expect(geo.lookup('2a02:6b8::feed:0ff')).toMatchObject({ country: 'RU' });
  });
  it('fills nothing for private or malformed addresses', () => {
    expect(geo.lookup('10.0.0.1')).toBeUndefined();
    expect(geo.lookup('127.0.0.1')).toBeUndefined();
    expect(geo.lookup('not an ip')).toBeUndefined();
  });
  it('derives the time zone of single-zone countries only', () => {
    expect(geo.lookup('77.88.8.8')?.tz).toBeUndefined();
    const fr = geo.lookup('2.2.2.2');
    if (fr?.country === 'FR') expect(fr.tz).toBe('Europe/Paris');
  });
});
