// The hosts Web Push endpoints may point at (HERALD_WEBPUSH_HOSTS). An endpoint arrives with the
// data, so it is an SSRF vector: only https on a listed host is reached (then the outbound guard
// checks the address too). An entry is a host (`fcm.googleapis.com`), a wildcard for its
// subdomains (`*.notify.windows.com`), or an exact origin with scheme and port
// (`http://127.0.0.1:9443`), which also allows plain http there (a local push service in tests).

/** The push services of Chrome (and other Chromium browsers), Firefox, Edge and Safari. */
export const DEFAULT_WEBPUSH_HOSTS =
  'fcm.googleapis.com,updates.push.services.mozilla.com,*.notify.windows.com,web.push.apple.com';

export class WebPushHosts {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly origins = new Set<string>();

  constructor(spec: string) {
    for (const raw of spec
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)) {
      if (raw.includes('://')) {
        let url: URL;
        try {
          url = new URL(raw);
        } catch {
          throw new Error(`HERALD_WEBPUSH_HOSTS: ${JSON.stringify(raw)} is not an origin`);
        }
        if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search)
          throw new Error(`HERALD_WEBPUSH_HOSTS: ${JSON.stringify(raw)} must be scheme://host[:port]`);
        this.origins.add(url.origin);
      } else if (raw.startsWith('*.')) {
        this.suffixes.push(raw.slice(1));
      } else if (/^[a-z0-9.-]+$/.test(raw)) {
        this.hosts.add(raw);
      } else {
        throw new Error(`HERALD_WEBPUSH_HOSTS: ${JSON.stringify(raw)} is not a host name`);
      }
    }
  }

  /** Why the endpoint may not be reached, or undefined when it may. */
  problem(endpoint: string): string | undefined {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return 'the endpoint is not a URL';
    }
    if (this.origins.has(url.origin)) return undefined;
    const host = url.hostname.toLowerCase();
    const listed = this.hosts.has(host) || this.suffixes.some((s) => host.endsWith(s) && host.length > s.length);
    if (!listed) return `the endpoint's host ${host} is not one of HERALD_WEBPUSH_HOSTS`;
    if (url.protocol !== 'https:') return 'a Web Push endpoint must use https';
    if (url.port && url.port !== '443')
      return `the endpoint's port ${url.port} is not allowed (only an origin listed in HERALD_WEBPUSH_HOSTS may name a port)`;
    return undefined;
  }
}
