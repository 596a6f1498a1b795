// The geolocation port (spec 03, detect_geo): an offline lookup from an IP address to the place
// it is registered in. The adapter lives outside the core (src/geo/).

export interface GeoRecord {
  city?: string;
  country?: string;
  region?: string;
  postalCode?: string;
  tz?: string;
  lat?: number;
  lon?: number;
}

export interface GeoLookup {
  lookup(ip: string): GeoRecord | undefined;
}
