// Outgoing connections (SMS/push providers, action hooks, SMTP servers) go only to addresses
// outside the deny list — by default the link-local range that cloud metadata services live in —
// checked on the address actually connected to (a DNS answer that changes between the check and
// the connection cannot slip through), and every call has a timeout.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent } from 'undici';

/** Link-local IPv4 (169.254.169.254 is the metadata service of most clouds), IPv6 link-local, AWS's IPv6 metadata address, and "this network". */
export const DEFAULT_DENY = '169.254.0.0/16,fe80::/10,fd00:ec2::254/128,0.0.0.0/8';

export class DeniedAddress extends Error {
  readonly code = 'HERALD_DENIED_ADDRESS';
}

export function parseDenyList(spec: string): BlockList {
  const list = new BlockList();
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [address, bits] = raw.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`deny list: ${JSON.stringify(raw)} is not an address or CIDR range`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

export interface OutboundOptions {
  deny: BlockList;
  /** Connect + answer timeout of one call. */
  timeoutMs: number;
}

export class OutboundGuard {
  readonly agent: Agent;
  readonly timeoutMs: number;
  private readonly deny: BlockList;

  constructor(opts: OutboundOptions) {
    this.deny = opts.deny;
    this.timeoutMs = opts.timeoutMs;
    this.agent = new Agent({
      connect: { lookup: this.lookup, timeout: opts.timeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  allowed(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return !this.deny.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** A dns.lookup that never answers a denied address. */
  readonly lookup = (hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const ok = addresses.filter((a) => this.allowed(a.address));
      if (ok.length === 0) return callback(new DeniedAddress(`${hostname} resolves only to denied addresses`), []);
      if ((options as { all?: boolean }).all) callback(null, ok);
      else callback(null, ok[0].address, ok[0].family);
    });
  };

  /** Throws DeniedAddress when `host` is (or resolves only to) a denied address. */
  async assertHost(host: string): Promise<void> {
    const bare = host.replace(/^\[|\]$/g, '');
    if (isIP(bare)) {
      if (!this.allowed(bare)) throw new DeniedAddress(`${bare} is a denied address`);
      return;
    }
    await new Promise<void>((resolve, reject) => this.lookup(bare, {}, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
