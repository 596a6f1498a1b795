// Outgoing connections (SMS/push providers, action hooks, SMTP servers) go only to addresses
// outside the deny list — by default the link-local range that cloud metadata services live in,
// the other metadata addresses and the ranges no server lives at — checked on the address
// actually connected to (a DNS answer that changes between the check and the connection cannot
// slip through), and every call has a timeout. An IPv6 address that carries an IPv4 one (mapped,
// compatible, NAT64, 6to4) is denied when that IPv4 address is.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, connect as netConnect, isIP, type Socket } from 'node:net';
import { Agent } from 'undici';
import { DeniedAddress } from './errors.js';

/**
 * IPv4: "this network" (0.0.0.0 reaches the local host), link-local (169.254.169.254 is the
 * metadata service of most clouds), Alibaba's metadata address, Azure's platform address,
 * multicast, reserved and broadcast. IPv6: unspecified (:: reaches the local host), link-local,
 * the deprecated site-local range, AWS's IPv6 metadata address and multicast. Loopback and the
 * private ranges stay allowed (a self-hosted server's SMTP relay or hook receiver often lives
 * there); add them to HERALD_OUTBOUND_DENY when others configure the senders and hooks.
 */
export const DEFAULT_DENY = [
  '0.0.0.0/8',
  '169.254.0.0/16',
  '100.100.100.200/32',
  '168.63.129.16/32',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  'fe80::/10',
  'fec0::/10',
  'fd00:ec2::254/128',
  'ff00::/8',
].join(',');

/** The 16 bytes of an IPv6 address (valid per isIP, no zone). */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted.slice(1).map(Number));
    text = `${text.slice(0, dotted.index)}0:0`;
  }
  const [head, rest] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

const startsWith = (bytes: number[], prefix: number[]): boolean => prefix.every((b, i) => bytes[i] === b);

/**
 * The IPv4 address an IPv6 one stands for, if any: IPv4-mapped (::ffff:a.b.c.d), IPv4-translated
 * (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d, not :: or ::1), NAT64 (64:ff9b::a.b.c.d) and
 * 6to4 (2002:aabb:ccdd::).
 */
export function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  const quad = (at: number) => b.slice(at, at + 4).join('.');
  const zeros = (n: number) => new Array<number>(n).fill(0);
  if (startsWith(b, [...zeros(10), 0xff, 0xff])) return quad(12);
  if (startsWith(b, [...zeros(8), 0xff, 0xff, 0, 0])) return quad(12);
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, ...zeros(8)])) return quad(12);
  if (startsWith(b, [0x20, 0x02])) return quad(2);
  if (startsWith(b, zeros(12)) && (b[12] | b[13] | b[14]) !== 0) return quad(12);
  return undefined;
}

export function parseDenyList(spec: string): BlockList {
  const list = new BlockList();
  for (const raw of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
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
    const bare = address.replace(/%.*$/, '');
    const family = isIP(bare);
    if (family === 0) return false;
    if (family === 4) return !this.deny.check(bare, 'ipv4');
    if (this.deny.check(bare, 'ipv6')) return false;
    const v4 = embeddedIpv4(bare);
    return v4 === undefined || !this.deny.check(v4, 'ipv4');
  }

  /** A dns.lookup that never answers a denied address. */
  readonly lookup = (
    hostname: string,
    options: object,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
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

  /**
   * A TCP connection to `host:port` through the guarded lookup, for clients that open their own
   * sockets (SMTP): the address connected to is checked again once connected.
   */
  connect(host: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const bare = host.replace(/^\[|\]$/g, '');
      // A literal address is connected to without any lookup: it is checked here.
      if (isIP(bare) && !this.allowed(bare)) return reject(new DeniedAddress(`${bare} is a denied address`));
      const socket = netConnect({
        host: bare,
        port,
        lookup: this.lookup,
        autoSelectFamily: true,
        timeout: this.timeoutMs,
      });
      const fail = (err: Error) => {
        socket.destroy();
        reject(err);
      };
      const onTimeout = () =>
        fail(Object.assign(new Error(`connecting to ${host}:${port} timed out`), { code: 'ETIMEDOUT' }));
      socket.once('error', fail);
      socket.once('timeout', onTimeout);
      socket.once('connect', () => {
        socket.off('error', fail);
        socket.off('timeout', onTimeout);
        socket.setTimeout(0);
        const remote = socket.remoteAddress;
        if (remote === undefined || !this.allowed(remote))
          return fail(new DeniedAddress(`${host} connected to a denied address (${remote ?? 'unknown'})`));
        resolve(socket);
      });
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
