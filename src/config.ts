// Herald's configuration (spec 06): one typed schema with defaults, read from HERALD_*
// variables, an optional --config file (JSON or YAML, the same keys in lower case) and flags
// (which win), validated at start and then frozen.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { isPhoneRegion } from './core/values/phone.js';
import { DEFAULT_DENY } from './senders/outbound.js';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  provision: string | undefined;
  publicUrl: string;
  secret: string | undefined;
  sqliteSync: 'normal' | 'full';
  /** SQLite: the page cache of the write connection, in MB. */
  sqliteCacheMb: number;
  /** SQLite: how much of the database file is memory-mapped, in MB (0 = none). */
  sqliteMmapMb: number;
  messageRetentionDays: number;
  workers: number;
  bodyLimitMb: number;
  fileBodyLimitMb: number;
  /** Bytes (MB) all request bodies being received or processed may hold at once; over it, 503. */
  bodyBudgetMb: number;
  /** Until a request's headers are in. */
  headersTimeoutMs: number;
  /** Until a whole request is in, body included. */
  requestTimeoutMs: number;
  /** A body must bring bodyMinRate bytes a second over every window of this length (0 = no check). */
  bodyTimeoutMs: number;
  bodyMinRate: number;
  logLevel: string;
  /** json, pretty, or auto (pretty when standard output is a terminal; the CLI resolves it at start). */
  logFormat: 'auto' | 'json' | 'pretty';
  deliveryBatch: number;
  deliveryConcurrency: number;
  leaseSeconds: number;
  pollMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  hookIntervalMs: number;
  hookRetryWindowMs: number;
  /** Deduplicate write requests that carry no Request-ID by a checksum of the request (spec 01). */
  dedupChecksum: boolean;
  /** Profiles per page of a custom_request launch (campaigns/triggers/start). */
  queryChunk: number;
  /** Items per transaction of a task (the *_task methods). */
  taskChunk: number;
  pgPoolSize: number;
  /** PostgreSQL: prepare the statements run with parameters once per connection (off for poolers in transaction mode). */
  pgPrepare: boolean;
  /** SQLite: answer the read methods on a connection and thread of their own (a large write never delays them). */
  readThread: boolean;
  outboundDeny: string;
  outboundTimeoutMs: number;
  /** Hosts (and exact origins) Web Push endpoints may point at. */
  webPushHosts: string;
  /** `herald worker`: a port serving /metrics, /healthz and /readyz (it has no API front); unset = none. */
  metricsPort: number | undefined;
  /** The country whose national phone numbers are accepted in databases that set no phone_region (ISO 3166 alpha-2); unset = none. */
  phoneRegion: string | undefined;
  /** The domain of VERP return paths (`b-<token>@<domain>`); unset = the From address is the envelope sender. */
  bounceDomain: string | undefined;
  /** The built-in MX: a port to receive bounces and complaints on; unset = none. */
  inboundSmtpPort: number | undefined;
  inboundSmtpHost: string;
  /** Soft bounces in a row that suspend a subscription. */
  softBounceLimit: number;
}

export type Kind = 'int' | 'string' | 'sync' | 'level' | 'bool' | 'region' | 'format';
/** Every setting: its variable, its kind and its default (README and docs/CONFIG.md document them; a test keeps them in step). */
export const CONFIG_KEYS: Record<keyof Config, { env: string; kind: Kind; fallback: Config[keyof Config] }> = {
  port: { env: 'HERALD_PORT', kind: 'int', fallback: 8080 },
  // Loopback unless told otherwise: a fresh install (and its demo token) is not reachable from the network.
  host: { env: 'HERALD_HOST', kind: 'string', fallback: '127.0.0.1' },
  databaseUrl: { env: 'HERALD_DATABASE_URL', kind: 'string', fallback: 'sqlite:./data/herald.db' },
  provision: { env: 'HERALD_PROVISION', kind: 'string', fallback: undefined },
  publicUrl: { env: 'HERALD_PUBLIC_URL', kind: 'string', fallback: 'http://localhost:8080' },
  secret: { env: 'HERALD_SECRET', kind: 'string', fallback: undefined },
  sqliteSync: { env: 'HERALD_SQLITE_SYNC', kind: 'sync', fallback: 'normal' },
  sqliteCacheMb: { env: 'HERALD_SQLITE_CACHE_MB', kind: 'int', fallback: 64 },
  sqliteMmapMb: { env: 'HERALD_SQLITE_MMAP_MB', kind: 'int', fallback: 256 },
  messageRetentionDays: { env: 'HERALD_MESSAGE_RETENTION_DAYS', kind: 'int', fallback: 30 },
  workers: { env: 'HERALD_WORKERS', kind: 'int', fallback: 1 },
  bodyLimitMb: { env: 'HERALD_BODY_LIMIT_MB', kind: 'int', fallback: 10 },
  fileBodyLimitMb: { env: 'HERALD_FILE_BODY_LIMIT_MB', kind: 'int', fallback: 100 },
  bodyBudgetMb: { env: 'HERALD_BODY_BUDGET_MB', kind: 'int', fallback: 256 },
  headersTimeoutMs: { env: 'HERALD_HEADERS_TIMEOUT_MS', kind: 'int', fallback: 10_000 },
  requestTimeoutMs: { env: 'HERALD_REQUEST_TIMEOUT_MS', kind: 'int', fallback: 300_000 },
  bodyTimeoutMs: { env: 'HERALD_BODY_TIMEOUT_MS', kind: 'int', fallback: 10_000 },
  bodyMinRate: { env: 'HERALD_BODY_MIN_RATE', kind: 'int', fallback: 1024 },
  logLevel: { env: 'HERALD_LOG_LEVEL', kind: 'level', fallback: 'info' },
  logFormat: { env: 'HERALD_LOG_FORMAT', kind: 'format', fallback: 'auto' },
  deliveryBatch: { env: 'HERALD_DELIVERY_BATCH', kind: 'int', fallback: 50 },
  deliveryConcurrency: { env: 'HERALD_DELIVERY_CONCURRENCY', kind: 'int', fallback: 16 },
  leaseSeconds: { env: 'HERALD_LEASE_SECONDS', kind: 'int', fallback: 60 },
  pollMs: { env: 'HERALD_POLL_MS', kind: 'int', fallback: 500 },
  maxAttempts: { env: 'HERALD_MAX_ATTEMPTS', kind: 'int', fallback: 8 },
  retryBaseMs: { env: 'HERALD_RETRY_BASE_MS', kind: 'int', fallback: 60_000 },
  hookIntervalMs: { env: 'HERALD_HOOK_INTERVAL_MS', kind: 'int', fallback: 1000 },
  hookRetryWindowMs: { env: 'HERALD_HOOK_RETRY_WINDOW_MS', kind: 'int', fallback: 24 * 3_600_000 },
  dedupChecksum: { env: 'HERALD_DEDUP_CHECKSUM', kind: 'bool', fallback: false },
  queryChunk: { env: 'HERALD_QUERY_CHUNK', kind: 'int', fallback: 5000 },
  taskChunk: { env: 'HERALD_TASK_CHUNK', kind: 'int', fallback: 1000 },
  pgPoolSize: { env: 'HERALD_PG_POOL_SIZE', kind: 'int', fallback: 10 },
  pgPrepare: { env: 'HERALD_PG_PREPARE', kind: 'bool', fallback: true },
  readThread: { env: 'HERALD_READ_THREAD', kind: 'bool', fallback: true },
  // Link-local, metadata and reserved addresses (see src/senders/outbound.ts); loopback and private ranges stay allowed.
  outboundDeny: { env: 'HERALD_OUTBOUND_DENY', kind: 'string', fallback: DEFAULT_DENY },
  outboundTimeoutMs: { env: 'HERALD_OUTBOUND_TIMEOUT_MS', kind: 'int', fallback: 15_000 },
  // The push services of Chrome, Firefox, Edge and Safari (see src/senders/webpush-hosts.ts).
  webPushHosts: {
    env: 'HERALD_WEBPUSH_HOSTS',
    kind: 'string',
    fallback: 'fcm.googleapis.com,updates.push.services.mozilla.com,*.notify.windows.com,web.push.apple.com',
  },
  metricsPort: { env: 'HERALD_METRICS_PORT', kind: 'int', fallback: undefined },
  phoneRegion: { env: 'HERALD_PHONE_REGION', kind: 'region', fallback: undefined },
  bounceDomain: { env: 'HERALD_BOUNCE_DOMAIN', kind: 'string', fallback: undefined },
  inboundSmtpPort: { env: 'HERALD_INBOUND_SMTP_PORT', kind: 'int', fallback: undefined },
  inboundSmtpHost: { env: 'HERALD_INBOUND_SMTP_HOST', kind: 'string', fallback: '0.0.0.0' },
  softBounceLimit: { env: 'HERALD_SOFT_BOUNCE_LIMIT', kind: 'int', fallback: 3 },
};

/** `HERALD_BODY_LIMIT_MB` → `body_limit_mb` (the config-file spelling). */
const fileKey = (env: string): string => env.replace(/^HERALD_/, '').toLowerCase();

export class ConfigError extends Error {}

function coerce(name: string, kind: Kind, raw: unknown): Config[keyof Config] {
  const text = String(raw).trim();
  switch (kind) {
    case 'int': {
      if (!/^\d+$/.test(text))
        throw new ConfigError(`${name}: expected a non-negative integer, got ${JSON.stringify(raw)}`);
      return Number(text);
    }
    case 'sync':
      if (text !== 'normal' && text !== 'full')
        throw new ConfigError(`${name}: expected normal or full, got ${JSON.stringify(raw)}`);
      return text;
    case 'bool':
      if (!['true', 'false', '1', '0'].includes(text))
        throw new ConfigError(`${name}: expected true or false, got ${JSON.stringify(raw)}`);
      return text === 'true' || text === '1';
    case 'format':
      if (!['auto', 'json', 'pretty'].includes(text))
        throw new ConfigError(`${name}: expected auto, json or pretty, got ${JSON.stringify(raw)}`);
      return text;
    case 'level':
      if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(text))
        throw new ConfigError(`${name}: unknown log level ${JSON.stringify(raw)}`);
      return text;
    case 'region': {
      const code = text.toUpperCase();
      if (!isPhoneRegion(code))
        throw new ConfigError(
          `${name}: expected an ISO 3166 alpha-2 country code such as RU, got ${JSON.stringify(raw)}`,
        );
      return code;
    }
    default:
      return text;
  }
}

function checkFeedback(config: Config): void {
  if (config.inboundSmtpPort !== undefined && config.inboundSmtpPort > 65535)
    throw new ConfigError('HERALD_INBOUND_SMTP_PORT: must be at most 65535');
  if (config.inboundSmtpPort !== undefined && !config.bounceDomain)
    throw new ConfigError('HERALD_INBOUND_SMTP_PORT needs HERALD_BOUNCE_DOMAIN (the domain it receives mail for)');
  if (config.bounceDomain !== undefined) {
    const domain = config.bounceDomain.toLowerCase().replace(/\.$/, '');
    if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(domain))
      throw new ConfigError(`HERALD_BOUNCE_DOMAIN: not a domain name: ${JSON.stringify(config.bounceDomain)}`);
    config.bounceDomain = domain;
  }
  if (config.softBounceLimit < 1) throw new ConfigError('HERALD_SOFT_BOUNCE_LIMIT: must be at least 1');
}

export interface ConfigSources {
  env: Record<string, string | undefined>;
  file?: string;
  flags?: Partial<Record<keyof Config, string | number | undefined>>;
}

export function loadConfig(sources: ConfigSources): Readonly<Config> {
  let fromFile: Record<string, unknown> = {};
  if (sources.file) {
    const text = readFileSync(sources.file, 'utf8');
    const parsed: unknown = sources.file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) fromFile = parsed as Record<string, unknown>;
    else throw new ConfigError(`${sources.file}: expected an object of settings`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_KEYS) as [keyof Config, (typeof CONFIG_KEYS)[keyof Config]][]) {
    const flag = sources.flags?.[name];
    const raw = flag ?? sources.env[spec.env] ?? fromFile[fileKey(spec.env)];
    out[name] = raw === undefined || raw === '' ? spec.fallback : coerce(spec.env, spec.kind, raw);
  }
  const config = out as unknown as Config;
  if (config.port > 65535) throw new ConfigError('HERALD_PORT: must be at most 65535');
  if (config.metricsPort !== undefined && config.metricsPort > 65535)
    throw new ConfigError('HERALD_METRICS_PORT: must be at most 65535');
  if (config.bodyLimitMb < 1 || config.fileBodyLimitMb < config.bodyLimitMb)
    throw new ConfigError('body limits: need 1 ≤ HERALD_BODY_LIMIT_MB ≤ HERALD_FILE_BODY_LIMIT_MB');
  if (config.bodyBudgetMb < config.fileBodyLimitMb)
    throw new ConfigError(
      'HERALD_BODY_BUDGET_MB: must be at least HERALD_FILE_BODY_LIMIT_MB (a largest body must fit)',
    );
  if (config.headersTimeoutMs < 1 || config.requestTimeoutMs < config.headersTimeoutMs)
    throw new ConfigError('timeouts: need 1 ≤ HERALD_HEADERS_TIMEOUT_MS ≤ HERALD_REQUEST_TIMEOUT_MS');
  if (config.deliveryBatch < 1 || config.deliveryConcurrency < 1 || config.maxAttempts < 1)
    throw new ConfigError('delivery settings: batch, concurrency and attempts must be at least 1');
  if (config.queryChunk < 1 || config.taskChunk < 1)
    throw new ConfigError('HERALD_QUERY_CHUNK and HERALD_TASK_CHUNK must be at least 1');
  checkFeedback(config);
  storageOf(config);
  return Object.freeze(config);
}

export type Storage = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export function storageOf(config: Pick<Config, 'databaseUrl'>): Storage {
  const url = config.databaseUrl;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file) throw new ConfigError('HERALD_DATABASE_URL: sqlite: needs a file path');
    return { kind: 'sqlite', file };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  throw new ConfigError(
    `HERALD_DATABASE_URL: expected sqlite:<file> or postgres://…, got ${JSON.stringify(url.replace(/\/\/[^@]*@/, '//***@'))}`,
  );
}

export const MB = 1024 * 1024;
