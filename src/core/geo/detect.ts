// detect_geo (spec 03): geo fields from `_ip` and registration fields from `_regip` (or `_ip`).
// Values the item gives are never overwritten; unknown or private addresses fill nothing.
import type { FieldOp } from '../fields/field-ops.js';
import type { GeoLookup, GeoRecord } from '../base/geo.js';

export function geoOps(sets: Map<string, unknown>, geo: GeoLookup): FieldOp[] {
  const ops: FieldOp[] = [];
  const put = (field: string, value: unknown) => {
    if (value !== undefined && value !== '' && !sets.has(field)) ops.push({ field, action: 'set', value });
  };
  const ip = sets.get('_ip');
  const regIp = sets.get('_regip') ?? ip;
  let fromIp: GeoRecord | undefined;
  if (typeof ip === 'string') {
    fromIp = geo.lookup(ip);
    if (fromIp) {
      put('_city', fromIp.city);
      put('_country', fromIp.country);
      put('_region', fromIp.region);
      put('_postal_code', fromIp.postalCode);
      put('_tz', fromIp.tz);
      put('_lat', fromIp.lat);
      put('_lon', fromIp.lon);
    }
  }
  if (typeof regIp === 'string') {
    const rec = regIp === ip ? fromIp : geo.lookup(regIp);
    if (rec) {
      put('_regcity', rec.city);
      put('_regcountry', rec.country);
    }
  }
  return ops;
}
