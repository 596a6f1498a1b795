// The API pipeline of spec 01, independent of the HTTP server: body size → parse → token →
// role → rate limit → request key → parameters → method → envelope. It runs wherever the storage
// lives (the engine thread on SQLite), so the HTTP front only moves bytes. It owns each request's
// unit of work: a write method runs in one transaction it opens (holding the account's
// configuration), the response is encoded and the request key recorded in it, then it commits.
import type { Logger } from 'pino';
import { answersVerb, formOf, type ReadMethod, type WriteMethod, type WriteRun } from '../core/api/define.js';
import type { Env, Payload, ReadCall } from '../core/api/method.js';
import { ApiError, DecodeError, StoreUnavailable, CatalogChanged } from '../core/base/errors.js';
import type { CatalogCache } from '../core/catalog/cache.js';
import { heldTransaction } from '../core/catalog/changed.js';
import type { CoreMetrics } from '../core/monitoring/metrics-port.js';
import { methods, type ApiMethod } from '../core/methods.js';
import type { ReadView, Store, StoreTx } from '../core/ports.js';
import { hashToken, type TokenRecord } from '../core/provisioning/tokens.js';
import { attachmentBytes } from '../core/triggers/launch-params.js';
import { jsonWire, parseJsonBody } from './codecs/json.js';
import { parseXmlBody, xmlWire } from './codecs/xml.js';
import type { WirePolicy } from '../core/values/wire.js';
import {
  bodyTooLarge,
  errorResponse,
  respond,
  successEnvelope,
  tokenRequired,
  type Format,
  type RawResponse,
} from './envelope.js';
import { RateLimiter } from './rate-limiter.js';
import { bearer, bodyFormat, formatParam, type ApiDispatch, type ApiRequest } from './raw-request.js';
import { Joiner, type Settled } from '../core/base/joiner.js';
import { JOIN_LIMITS } from './joined-writes.js';
import { KeyedRequest, requestHash, requestKeyOf } from './request-keys.js';
import { ATTACH_METHODS } from './routes.js';

export interface DispatchDeps {
  store: Store;
  env: Env;
  logger: Logger;
  /**
   * Answers reads only (the SQLite reader): the router sends it no write, and a request whose
   * write form shows only once parsed (a parameter name written with escapes) is refused.
   */
  readsOnly?: boolean;
  catalogs: CatalogCache;
  /** Called after a write method succeeded (new due work may wait for delivery). */
  afterWrite?: () => void;
  /** The body limit for everything but attachment data (bytes). */
  bodyLimit: number;
  /** Deduplicate write requests without a key by their checksum (spec 01; off by default). */
  dedupChecksum?: boolean;
  metrics?: Pick<CoreMetrics, 'itemsImported'>;
  /** The rate-limit buckets; shared with the other thread answering the API (see rate-limiter.ts). */
  limiter?: RateLimiter;
  /** The methods served (default: every method of the API, core/methods.ts). */
  registry?: ReadonlyMap<string, ApiMethod>;
}

/** Times a request is checked again when the configuration changed under it before it gives up (503). */
const MAX_CATALOG_ATTEMPTS = 3;

/** A method with the request's decoded parameters: what is left is to run it. */
type Bound =
  | { write: true; method: WriteMethod<StoreTx>; run: WriteRun<StoreTx> }
  | { write: false; method: ReadMethod<ReadView>; run: (call: ReadCall<ReadView>) => Promise<Payload> };

/** What a request is, once parsed, authenticated and decoded. */
type Checked = Bound & {
  record: TokenRecord;
  wire: WirePolicy;
  format: Format;
  headers: Record<string, string>;
  /** The key of the requests this one may run together with (joined-writes.ts). */
  joinKey?: string;
};

/** A write request's answer and the payload it encodes. */
interface Written {
  response: RawResponse;
  payload: Record<string, unknown>;
}

/** The request's parameters, checked by the method's schema (a DecodeError is the request's 400). */
function decodeParams(method: ApiMethod, body: Record<string, unknown>, wire: WirePolicy): Bound {
  try {
    return method.write
      ? { write: true, method, run: method.decode(body, { wire }) }
      : { write: false, method, run: method.decode(body, { wire }) };
  } catch (err) {
    if (err instanceof DecodeError) throw err.toApiError();
    throw err;
  }
}

/** The dependencies with their defaults filled in, as the pipeline's steps use them. */
type Pipeline = DispatchDeps & {
  limiter: RateLimiter;
  registry: ReadonlyMap<string, ApiMethod>;
  /** Joined write requests (joined-writes.ts). */
  joiner: Joiner<Checked & { write: true }, Written>;
};

export function createDispatcher(deps: DispatchDeps): ApiDispatch {
  const p: Pipeline = {
    ...deps,
    limiter: deps.limiter ?? new RateLimiter(),
    registry: deps.registry ?? methods,
    joiner: new Joiner(JOIN_LIMITS),
  };
  return async function dispatch(req: ApiRequest): Promise<RawResponse> {
    const headers = { 'x-herald-log-id': req.logId };
    let format: Format = formatParam(req.query.format) ?? bodyFormat(req);
    let keyed: KeyedRequest | undefined;
    let account: number | undefined;
    try {
      const named = p.registry.get(req.method);
      if (!named || !answersVerb(named, req.httpMethod))
        throw new ApiError(404, `no method ${req.httpMethod} /api/v1.1/${req.method}`);
      const parsed = parse(req, named.batchItems);
      const method = formOf(named, parsed.body, p.registry);
      if (method.write && p.readsOnly)
        throw new ApiError(400, `this request is ${method.name}: write its parameter names without escapes`);
      format = parsed.format;
      checkSize(p, req, method, parsed.body);
      const auth = await authenticate(p, req, method, parsed.body, (id) => (account = id));
      if (method.write) {
        const begun = await beginKeyed(p, req, method, auth);
        if (begun && 'replay' in begun) return begun.replay;
        keyed = begun;
      }
      const bound = decodeParams(method, parsed.body, parsed.wire);
      const joinKey =
        bound.write && bound.run.joint && !keyed
          ? jointKey(method.name, auth.record, parsed.wire, parsed.body)
          : undefined;
      return await run(
        p,
        { ...bound, record: auth.record, wire: parsed.wire, format, headers, ...(joinKey ? { joinKey } : {}) },
        keyed,
      );
    } catch (err) {
      const answer = errorAnswer(p, req, err, format, headers);
      const response = answer.log && account !== undefined ? { ...answer, log: { ...answer.log, account } } : answer;
      // Nothing of the request committed: a final answer is recorded for replays, else the key is given back.
      await keyed
        ?.failed(response, err)
        .catch((e: unknown) => p.logger.warn({ logId: req.logId, err: e }, 'request key not recorded'));
      return response;
    }
  };
}

/** The body, parsed, and the format of the answer (spec 01: `format` wins over the body's). */
function parse(
  req: ApiRequest,
  batchItems: boolean,
): { body: Record<string, unknown>; wire: WirePolicy; format: Format } {
  // GET (a method declared so): the parameters are the query string's, as text (XML's coercion rules).
  if (req.httpMethod === 'GET')
    return { body: { ...req.query }, wire: xmlWire, format: formatParam(req.query.format) ?? 'json' };
  const xml = bodyFormat(req) === 'xml';
  const body = req.body.length === 0 ? {} : xml ? parseXmlBody(req.body) : parseJsonBody(req.body, { batchItems });
  return {
    body,
    wire: xml ? xmlWire : jsonWire,
    format: formatParam(req.query.format) ?? formatParam(body.format) ?? (xml ? 'xml' : 'json'),
  };
}

/** The size rule of methods with attachments: everything but the attachments' data fits the limit. */
function checkSize(p: Pipeline, req: ApiRequest, method: ApiMethod, body: Record<string, unknown>): void {
  if (req.body.length <= p.bodyLimit) return;
  if (!ATTACH_METHODS.has(method.name) || req.body.length - attachmentBytes(body.attach) > p.bodyLimit)
    throw bodyTooLarge();
}

/** Token → role → rate limit (spec 01 order). */
/** `known` learns the account as soon as the token is found (a 403 or 429 is logged with it). */
async function authenticate(
  p: Pipeline,
  req: ApiRequest,
  method: ApiMethod,
  body: Record<string, unknown>,
  known: (accountId: number) => void,
): Promise<{ record: TokenRecord; tokenHash: string }> {
  const token =
    (typeof body.token === 'string' && body.token !== '' ? body.token : undefined) ??
    bearer(req.authorization) ??
    (req.query.token || undefined);
  if (!token) throw tokenRequired();
  const tokenHash = hashToken(token);
  const record = await p.store.findToken(tokenHash);
  if (!record || record.revoked) throw new ApiError(401, 'the API token is unknown or revoked');
  known(record.accountId);
  if (method.write && record.role !== 'write')
    throw new ApiError(403, `a ${record.role} token cannot call ${method.name}`);
  if (record.rateLimit) {
    const wait = p.limiter.take(tokenHash, record.rateLimit, p.env.clock.now());
    if (wait !== undefined)
      throw new ApiError(
        429,
        `the token's rate limit (${record.rateLimit.perSecond} requests per second, burst ${record.rateLimit.burst}) is exceeded`,
        { retryAfter: wait },
      );
  }
  return { record, tokenHash };
}

/**
 * A write request's key (its own or, in checksum mode, its body's checksum), begun: undefined without one,
 * else the recorded answer to replay or the key to record this request's answer under.
 */
async function beginKeyed(
  p: Pipeline,
  req: ApiRequest,
  method: ApiMethod,
  auth: { record: TokenRecord; tokenHash: string },
): Promise<KeyedRequest | { replay: RawResponse } | undefined> {
  // The body's checksum is computed only for a keyed request (or in checksum mode).
  let hash: string | undefined;
  const checksum = () => (hash ??= requestHash(req));
  const key = requestKeyOf(req, checksum, p.dedupChecksum === true);
  if (key === undefined) return undefined;
  return KeyedRequest.begin(p.store, {
    scope: { tokenHash: auth.tokenHash, method: method.name, key },
    accountId: auth.record.accountId,
    requestHash: checksum(),
    now: p.env.clock.now(),
    logId: req.logId,
  });
}

/**
 * The key of the requests a joinable request may run with: its method, account and configuration
 * version, its wire format, and its body but for `data` and `token` (JSON text of what the codec
 * parsed: equal texts are equal parameters).
 */
function jointKey(method: string, record: TokenRecord, wire: WirePolicy, body: Record<string, unknown>): string {
  const rest: Record<string, unknown> = { ...body };
  delete rest.data;
  delete rest.token;
  return `${method}\n${record.accountId}\n${record.configVersion}\n${wire === xmlWire ? 'xml' : 'json'}\n${JSON.stringify(rest)}`;
}

/**
 * Runs a group of joinable requests in one transaction holding their configuration (the method's
 * `joined`). A group of one runs alone, as any write; so does each member of a group that failed
 * as a whole (nothing of it was committed), one after the other. A group whose storage was lost
 * fails each member with that error.
 */
async function runJoined(p: Pipeline, group: (Checked & { write: true })[]): Promise<Settled<Written>[]> {
  // One after the other: members run together again could be lost together again (an I/O
  // error ends a whole SQLite group).
  const alone = async () => {
    const settled: Settled<Written>[] = [];
    for (const c of group)
      settled.push(
        await runWrite(p, c, undefined).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
    return settled;
  };
  // A request gets a join key only with a joint, so every member has one.
  const joints = group.flatMap((c) => (c.run.joint ? [c.run.joint] : []));
  const [first] = group;
  const joint = first?.run.joint;
  if (!first || !joint || group.length === 1 || joints.length !== group.length) return alone();
  let answers: (Payload | ApiError)[];
  try {
    const catalog = await p.catalogs.get(first.record.accountId, first.record.configVersion);
    answers = await heldTransaction(p.store, catalog, (tx) =>
      joint.runGroup({ env: p.env, catalog, wire: first.wire, tx }, joints),
    );
  } catch (err) {
    if (err instanceof StoreUnavailable) throw err;
    return alone();
  }
  return group.map((c, i): Settled<Written> => {
    const answer = answers[i];
    if (answer === undefined) return { ok: false, error: new Error('a joined request got no answer') };
    if (answer instanceof ApiError) return { ok: false, error: answer };
    return {
      ok: true,
      value: { response: respond(200, successEnvelope(answer), c.format, c.headers), payload: answer },
    };
  });
}

/** A write method's unit of work: one transaction holding the configuration, checked again when it moved on. */
async function runWrite(p: Pipeline, c: Checked & { write: true }, keyed: KeyedRequest | undefined): Promise<Written> {
  let version = c.record.configVersion;
  for (let attempt = 1; ; attempt++) {
    const catalog = await p.catalogs.get(c.record.accountId, version);
    try {
      return await heldTransaction(
        p.store,
        catalog,
        async (tx) => {
          const payload = await c.run({ env: p.env, catalog, wire: c.wire, tx });
          const response = respond(200, successEnvelope(payload), c.format, c.headers);
          await keyed?.record(tx, response);
          return { response, payload };
        },
        { exclusive: c.method.config },
      );
    } catch (err) {
      // The configuration changed after the request was checked: check it again (nothing was written).
      if (!(err instanceof CatalogChanged)) throw err;
      if (attempt >= MAX_CATALOG_ATTEMPTS)
        throw new ApiError(503, 'the account configuration is changing concurrently, retry later');
      version = err.version ?? (await p.store.accountVersions()).get(c.record.accountId) ?? version;
    }
  }
}

async function run(p: Pipeline, c: Checked, keyed: KeyedRequest | undefined): Promise<RawResponse> {
  if (!c.write) {
    const catalog = await p.catalogs.get(c.record.accountId, c.record.configVersion);
    const payload = await c.run({ env: p.env, catalog, wire: c.wire, read: p.store });
    return respond(200, successEnvelope(payload), c.format, c.headers);
  }
  const { response, payload } =
    c.joinKey !== undefined
      ? await p.joiner.submit(c.joinKey, c, (group) => runJoined(p, group))
      : await runWrite(p, c, keyed);
  p.afterWrite?.();
  if (c.method.imports) countImported(p, c.method.name, payload);
  return response;
}

/** Imported profiles are the ids a success answers; rejected items are its `errors`. */
function countImported(deps: DispatchDeps, method: string, payload: Record<string, unknown>): void {
  const imported =
    typeof payload.profile_id === 'string' ? 1 : Array.isArray(payload.result) ? payload.result.length : 0;
  const rejected = Array.isArray(payload.errors) ? payload.errors.length : 0;
  deps.metrics?.itemsImported(method, imported, rejected);
}

function errorAnswer(
  deps: DispatchDeps,
  req: ApiRequest,
  err: unknown,
  format: Format,
  headers: Record<string, string>,
): RawResponse {
  if (err instanceof ApiError) {
    const r = errorResponse(err, format);
    return { ...r, headers: { ...r.headers, ...headers } };
  }
  if (err instanceof StoreUnavailable) {
    deps.logger.warn({ logId: req.logId, err: err.message }, 'storage unavailable');
    return { ...errorResponse(new ApiError(503, 'storage is unavailable, retry later'), format), headers };
  }
  deps.logger.error({ logId: req.logId, method: req.method, err }, 'unexpected error');
  return { ...errorResponse(new ApiError(500, `internal error, log id ${req.logId}`), format), headers };
}
