// The API pipeline of spec 01, independent of the HTTP server: body size → parse → token →
// role → rate limit → request key → parameters → method → envelope. It runs wherever the storage lives (the engine
// thread on SQLite), so the HTTP front only moves bytes.
import type { Logger } from 'pino';
import { CatalogCache } from '../core/catalog/cache.js';
import { CatalogChanged, pinnedStore } from '../core/catalog/pinned-store.js';
import type { CoreDeps } from '../core/context.js';
import { ApiError, DecodeError } from '../core/errors.js';
import type { CoreMetrics } from '../core/monitoring/metrics-port.js';
import { hashToken } from '../core/provisioning/tokens.js';
import { StoreUnavailable } from '../core/ports.js';
import { attachmentBytes } from '../core/triggers/launch-params.js';
import { parseJsonBody } from './codecs/json.js';
import { parseXmlBody } from './codecs/xml.js';
import { bodyTooLarge, errorResponse, respond, successEnvelope, tokenRequired, type Format, type RawResponse } from './envelope.js';
import { methods } from './methods/index.js';
import { RateLimiter } from './rate-limiter.js';
import { KeyedRequest, requestHash, requestKeyOf } from './request-keys.js';
import { ATTACH_METHODS } from './routes.js';

export interface RawRequest {
  /**
   * `api`: a method of /api/v1.1/; `unsubscribe`: an unsubscribe link (method = its token);
   * `ready`: the readiness check (storage reachable, migrations current); `metrics`: the engine's
   * Prometheus metrics as text. The last two carry no body. `receipt`: a provider's delivery
   * receipt (method = the sender's name, receiptKey = its key).
   */
  route?: 'api' | 'unsubscribe' | 'ready' | 'metrics' | 'receipt';
  /** Method name: the path after /api/v1.1/, without trailing slash. */
  method: string;
  httpMethod: string;
  body: Uint8Array;
  contentType?: string;
  query: Record<string, string>;
  authorization?: string;
  requestId?: string;
  receiptKey?: string;
  logId: string;
}

export interface DispatchDeps extends CoreDeps {
  logger: Logger;
  catalogs: CatalogCache;
  /** Called after a write method succeeded (new due work may wait for delivery). */
  afterWrite?: () => void;
  /** The body limit for everything but attachment data (bytes). */
  bodyLimit: number;
  /** Deduplicate write requests without a key by their checksum (spec 01; off by default). */
  dedupChecksum?: boolean;
  metrics?: Pick<CoreMetrics, 'itemsImported'>;
}

/** Times a request is checked again when the configuration changed under it before it gives up (503). */
const MAX_CATALOG_ATTEMPTS = 3;

export type Dispatch = (req: RawRequest) => Promise<RawResponse>;

function isXmlType(contentType: string | undefined): boolean | undefined {
  if (!contentType) return undefined;
  const t = contentType.split(';')[0].trim().toLowerCase();
  if (t === 'application/xml' || t === 'text/xml') return true;
  if (t === 'application/json') return false;
  return undefined;
}

function firstNonBlank(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xef && c !== 0xbb && c !== 0xbf) return c;
  }
  return -1;
}

/** The request body's format (spec 01): by content type, else by its first character. */
export function bodyFormat(req: Pick<RawRequest, 'contentType' | 'body'>): Format {
  const byType = isXmlType(req.contentType);
  if (byType !== undefined) return byType ? 'xml' : 'json';
  return firstNonBlank(req.body) === 0x3c ? 'xml' : 'json';
}

function formatParam(value: unknown): Format | undefined {
  return value === 'json' || value === 'xml' ? value : undefined;
}

/** The format of an answer given before the body is parsed (oversized bodies). */
export function earlyFormat(query: Record<string, string>, contentType: string | undefined): Format {
  return formatParam(query.format) ?? (isXmlType(contentType) ? 'xml' : 'json');
}

function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1].trim() : undefined;
}

export function createDispatcher(deps: DispatchDeps): Dispatch {
  const limiter = new RateLimiter();
  return async function dispatch(req: RawRequest): Promise<RawResponse> {
    const headers = { 'x-herald-log-id': req.logId };
    let format: Format = formatParam(req.query.format) ?? bodyFormat(req);
    let keyed: KeyedRequest | undefined;
    let finishing = false;
    try {
      const method = methods.get(req.method);
      if (!method || req.httpMethod !== 'POST') throw new ApiError(404, `no method ${req.httpMethod} /api/v1.1/${req.method}`);
      const xml = bodyFormat(req) === 'xml';
      const body = req.body.length === 0 ? {} : xml ? parseXmlBody(req.body) : parseJsonBody(req.body);
      format = formatParam(req.query.format) ?? formatParam(body.format) ?? (xml ? 'xml' : 'json');
      if (req.body.length > deps.bodyLimit) {
        if (!ATTACH_METHODS.has(method.name) || req.body.length - attachmentBytes(body.attach) > deps.bodyLimit) throw bodyTooLarge();
      }

      const token = (typeof body.token === 'string' && body.token !== '' ? body.token : undefined) ?? bearer(req.authorization) ?? (req.query.token || undefined);
      if (!token) throw tokenRequired();
      const tokenHash = hashToken(token);
      const record = await deps.store.findToken(tokenHash);
      if (!record || record.revoked) throw new ApiError(401, 'the API token is unknown or revoked');
      if (method.write && record.role !== 'write') throw new ApiError(403, `a ${record.role} token cannot call ${method.name}`);
      if (record.rateLimit) {
        const wait = limiter.take(tokenHash, record.rateLimit, deps.clock.now());
        if (wait !== undefined) throw new ApiError(429, `the token's rate limit (${record.rateLimit.perSecond} requests per second, burst ${record.rateLimit.burst}) is exceeded`, { retryAfter: wait });
      }
      if (method.write) {
        // The body's checksum is computed only for a keyed request (or in checksum mode).
        let hash: string | undefined;
        const checksum = () => (hash ??= requestHash(req));
        const key = requestKeyOf(req, checksum, deps.dedupChecksum === true);
        if (key !== undefined) {
          const scope = { tokenHash, method: method.name, key };
          const begun = await KeyedRequest.begin(deps.store, { scope, accountId: record.accountId, requestHash: checksum(), now: deps.clock.now(), logId: req.logId });
          if ('replay' in begun) return begun.replay;
          keyed = begun;
        }
      }

      let params: unknown;
      try {
        params = method.params.decode(body, { xml });
      } catch (err) {
        if (err instanceof DecodeError) throw err.toApiError();
        throw err;
      }
      // A keyed request's effects stay uncommitted until its response is recorded with them.
      const store = keyed ? keyed.deferred.store : deps.store;
      let version = record.configVersion;
      let payload: Record<string, unknown>;
      for (let attempt = 1; ; attempt++) {
        const catalog = await deps.catalogs.get(record.accountId, version);
        try {
          payload = await method.handle({ ...deps, store: pinnedStore(store, catalog) }, { catalog, xml }, params);
          break;
        } catch (err) {
          // The configuration changed after the request was checked: check it again (nothing was written).
          if (!(err instanceof CatalogChanged)) throw err;
          if (attempt >= MAX_CATALOG_ATTEMPTS) throw new StoreUnavailable('the account configuration kept changing while the request was applied');
          version = err.version;
        }
      }
      const response = respond(200, successEnvelope(payload), format, headers);
      finishing = true;
      await keyed?.finish(response);
      if (method.write) deps.afterWrite?.();
      if (method.imports) countImported(deps, method.name, payload);
      return response;
    } catch (err) {
      const response = errorAnswer(deps, req, err, format, headers);
      if (keyed) {
        // A failed commit of the record is answered as such; the key is given back either way.
        await (finishing ? keyed.abandon() : keyed.finish(response)).catch((e: unknown) => deps.logger.warn({ logId: req.logId, err: e }, 'request key not recorded'));
      }
      return response;
    }
  };
}

/** Imported profiles are the ids a success answers; rejected items are its `errors`. */
function countImported(deps: DispatchDeps, method: string, payload: Record<string, unknown>): void {
  const imported = typeof payload.profile_id === 'string' ? 1 : Array.isArray(payload.result) ? payload.result.length : 0;
  const rejected = Array.isArray(payload.errors) ? payload.errors.length : 0;
  deps.metrics?.itemsImported(method, imported, rejected);
}

function errorAnswer(deps: DispatchDeps, req: RawRequest, err: unknown, format: Format, headers: Record<string, string>): RawResponse {
  if (err instanceof ApiError) {
    const r = errorResponse(err, format);
    return { ...r, headers: { ...r.headers, ...headers } };
  }
  if (isUnavailable(err)) {
    deps.logger.warn({ logId: req.logId, err: (err as Error).message }, 'storage unavailable');
    return { ...errorResponse(new ApiError(503, 'storage is unavailable, retry later'), format), headers };
  }
  deps.logger.error({ logId: req.logId, method: req.method, err }, 'unexpected error');
  return { ...errorResponse(new ApiError(500, `internal error, log id ${req.logId}`), format), headers };
}

function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailable) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
