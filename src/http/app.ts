// The HTTP front (fastify): routes every /api/v1.1/* request to the dispatcher with its raw
// body, enforcing the body limits of spec 01 while reading: a Content-Length over the limit is
// refused before the body is read, a chunked body is read only up to the limit. Bodies share a
// memory budget (body-intake.ts), must keep a minimum rate, and a large one whose request names
// a token in its header or query is read only once that token proved valid.
import { randomFillSync } from 'node:crypto';
import type { Readable } from 'node:stream';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { ApiError } from '../core/base/errors.js';
import { PIXEL_GIF } from '../core/delivery/track.js';
import { BodyBudget, bodyGuard, readBody, type BodyLease } from './body-intake.js';
import { BodyOverBudget, BodyTooLarge, BodyTooSlow, EarlyAnswer } from './errors.js';
import { registerConsoleRoutes } from './console-routes.js';
import { bearer, earlyFormat, type Dispatch } from './raw-request.js';
import { bodyTooLarge, errorResponse, type RawResponse } from './envelope.js';
import { FrontMetrics } from './front-metrics.js';
import { registerOperatorRoutes } from './operator-routes.js';
import { ATTACH_METHODS, methodOf } from './routes.js';

export interface AppOptions {
  dispatch: Dispatch;
  logger: FastifyBaseLogger;
  bodyLimit: number;
  fileBodyLimit: number;
  /** The front's metrics (main.ts adds the process's own); a fresh registry when absent. */
  metrics?: FrontMetrics;
  /** Where the compiled console and client are (console/, client/); dist/ by default. */
  consoleRoot?: string;
  /** Bytes all request bodies may hold at once (HERALD_BODY_BUDGET_MB); 256 MB by default. */
  bodyBudget?: number;
  /** Receiving limits; the defaults of config.ts when absent. */
  timeouts?: Partial<FrontTimeouts>;
}

export interface FrontTimeouts {
  /** Until the request's headers are in (HERALD_HEADERS_TIMEOUT_MS). */
  headersMs: number;
  /** Until the whole request is in, body included (HERALD_REQUEST_TIMEOUT_MS). */
  requestMs: number;
  /** Each window of this length must bring bodyMinRate × window of body (HERALD_BODY_TIMEOUT_MS). */
  bodyMs: number;
  /** Bytes per second (HERALD_BODY_MIN_RATE). */
  bodyMinRate: number;
}

const DEFAULT_TIMEOUTS: FrontTimeouts = { headersMs: 10_000, requestMs: 300_000, bodyMs: 10_000, bodyMinRate: 1024 };
const DEFAULT_BUDGET = 256 * 1024 * 1024;
/** Bodies larger than this (or of unknown length) wait for a header or query token to be checked before they are read. */
export const EARLY_TOKEN_CHECK_BYTES = 1024 * 1024;
/** Seconds a request refused for the memory budget is told to wait. */
const BUDGET_RETRY_AFTER = 5;
/** How long a connection answered before its body was read still takes (and drops) that body. */
const LINGER_MS = 2000;

/**
 * Answers with Connection: close a request whose body is not read (too large, over the budget,
 * too slow, a refused token). The connection is not dropped the moment the answer is out: a
 * client still sending its body would get a reset, and lose the answer with it. It gets the end
 * of the connection and LINGER_MS to read the answer while the rest of its body is discarded.
 */
function closeAfterAnswer(reply: FastifyReply): FastifyReply {
  const socket = reply.raw.socket;
  if (socket) {
    socket.destroySoon = function lingeringClose(this: typeof socket) {
      this.end();
      const timer = setTimeout(() => this.destroy(), LINGER_MS);
      timer.unref();
      this.once('close', () => clearTimeout(timer));
    };
  }
  return reply.header('connection', 'close');
}

/**
 * A request's share of the body budget: given back when the dispatcher has answered (the body's
 * work is done), or, for a request answered without it, once the answer is out — but never while
 * a dispatch still holds the body (a client that hangs up does not free what the engine works on).
 */
interface Intake {
  lease: BodyLease;
  dispatching: boolean;
}

function firstValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

function queryOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) {
      const s = firstValue(v);
      if (s !== undefined) out[k] = s;
    }
  }
  return out;
}

function send(reply: FastifyReply, r: RawResponse): FastifyReply {
  return reply.code(r.status).headers(r.headers).type(r.contentType).send(r.body);
}

/** The log fields of an error answer (the logger scrubs error_debug, which may quote a value of the request). */
const answerLog = (r: RawResponse) => r.log ?? {};

/** An answer of the front itself (no route handler logs it): its log line, then the answer. */
function sendLogged(reply: FastifyReply, r: RawResponse): FastifyReply {
  const request = reply.request;
  request.log.info(
    {
      logId: request.id,
      method: methodOf(request.url) ?? `${request.method} ${request.url.split('?')[0]}`,
      status: r.status,
      ...answerLog(r),
    },
    'request',
  );
  return send(reply, r);
}

// Log ids are drawn 512 at a time: one system call per id showed as 7 % of the HTTP thread.
const logIdPool = Buffer.alloc(8 * 512);
let logIdAt = logIdPool.length;
function newLogId(): string {
  if (logIdAt === logIdPool.length) {
    randomFillSync(logIdPool);
    logIdAt = 0;
  }
  logIdAt += 8;
  return logIdPool.toString('hex', logIdAt - 8, logIdAt);
}

function declaredLength(request: FastifyRequest): number | undefined {
  const raw = request.headers['content-length'];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * A large body is read only for a request whose header or query token is valid for its method:
 * an unknown token, or a read token on a write method, is answered before a byte of it is held.
 * (The body may carry a token of its own; a wrong token beside it still refuses the request.)
 */
async function checkTokenFirst(dispatch: Dispatch, request: FastifyRequest, method: string): Promise<void> {
  const query = queryOf(request.query);
  const authorization = request.headers.authorization;
  if (bearer(authorization) === undefined && !query.token) return;
  const answer = await dispatch({
    route: 'token',
    method,
    httpMethod: request.method,
    body: Buffer.alloc(0),
    query,
    logId: request.id,
    ...(authorization ? { authorization } : {}),
    ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
  });
  if (answer.status !== 200) throw new EarlyAnswer(answer);
}

export function buildApp(opts: AppOptions): FastifyInstance {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const budget = new BodyBudget(opts.bodyBudget ?? DEFAULT_BUDGET);
  const intakes = new WeakMap<FastifyRequest, Intake>();
  const app = createFastify(opts, timeouts);

  // Requests with Expect: 100-continue are let in like any other; the continue is sent once the
  // checks before the body have passed (preParsing below), not at once as Node would.
  app.server.on('checkContinue', (req, res) => app.server.emit('request', req, res));
  answerWhileClosing(app);

  const metrics = opts.metrics ?? new FrontMetrics();
  // Every API answer is counted, the front's own (body too large, shutting down) included.
  app.addHook('onResponse', async (request, reply) => {
    const method = methodOf(request.url);
    if (method !== undefined) metrics.observeRequest(method, reply.statusCode, reply.elapsedTime / 1000);
  });
  registerOperatorRoutes(app, opts.dispatch, metrics);
  registerConsoleRoutes(app, opts.consoleRoot);
  guardBodies(app, opts, timeouts, budget, intakes);
  answerErrors(app, timeouts, budget);
  registerLinkRoutes(app, opts.dispatch);
  registerApiRoute(app, opts.dispatch, intakes);
  return app;
}

type Timeouts = typeof DEFAULT_TIMEOUTS;

function createFastify(opts: AppOptions, timeouts: Timeouts): FastifyInstance {
  return Fastify({
    loggerInstance: opts.logger,
    // One log line per request is written by the route itself (with the method name, not the URL,
    // which may carry a token).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: Math.max(opts.bodyLimit, opts.fileBodyLimit) + 1,
    genReqId: newLogId,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 2048 },
    // A request that arrives while the server closes gets Herald's 503 envelope (onRequest below),
    // not fastify's own body.
    return503OnClosing: false,
    // Node cuts a connection whose headers, or whole request, take longer (answering 408); it checks
    // its connections every connectionsCheckingInterval.
    requestTimeout: timeouts.requestMs,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: Math.min(
        30_000,
        Math.max(10, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 4)),
      ),
    },
  });
}

/** A request that arrives while the server closes gets Herald's 503 envelope; every answer names its log id. */
function answerWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    readBody(payload, declaredLength(request)).then(
      (body) => done(null, body),
      (err: Error) => done(err, undefined),
    );
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-herald-log-id', request.id);
    if (closing) {
      reply.header('connection', 'close');
      return sendLogged(
        reply,
        errorResponse(
          new ApiError(503, 'the server is shutting down, retry later'),
          earlyFormat(queryOf(request.query), request.headers['content-type']),
        ),
      );
    }
  });
}

/** Bodies read within their limit, the memory budget and the minimum rate, once the early token check let them in. */
function guardBodies(
  app: FastifyInstance,
  opts: AppOptions,
  timeouts: Timeouts,
  budget: BodyBudget,
  intakes: WeakMap<FastifyRequest, Intake>,
): void {
  app.addHook('preParsing', async (request, reply, payload: Readable) => {
    const method = methodOf(request.url);
    const limit = ATTACH_METHODS.has(method ?? '') ? opts.fileBodyLimit : opts.bodyLimit;
    const declared = declaredLength(request);
    if (declared !== undefined && declared > limit) throw new BodyTooLarge('body too large');
    if (method !== undefined && (declared === undefined || declared > EARLY_TOKEN_CHECK_BYTES))
      await checkTokenFirst(opts.dispatch, request, method);
    const intake: Intake = { lease: budget.lease(), dispatching: false };
    intakes.set(request, intake);
    const guard = bodyGuard({ limit, lease: intake.lease, windowMs: timeouts.bodyMs, minRate: timeouts.bodyMinRate });
    const finished = () => {
      // Answered: whatever of the body was not read will not be (and its rate is no longer watched).
      guard.destroy();
      if (!intake.dispatching) intake.lease.release();
    };
    reply.raw.once('finish', finished);
    reply.raw.once('close', finished);
    if (declared !== undefined && !intake.lease.take(declared)) throw new BodyOverBudget('body over the memory budget');
    // A client that asked to be told (Expect: 100-continue, as curl does for large bodies) sends
    // its body only now that it will be read; a refused one never sends it.
    if (request.headers.expect?.toLowerCase() === '100-continue') reply.raw.writeContinue();
    return payload.pipe(guard);
  });
}

/** The front's own failures (body limits, budget, rate, parse errors, unknown paths) as Altcraft envelopes. */
function answerErrors(app: FastifyInstance, timeouts: Timeouts, budget: BodyBudget): void {
  app.setErrorHandler((err, request, reply) => {
    const format = earlyFormat(queryOf(request.query), request.headers['content-type']);
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    // The body is not read any further: the connection closes after the answer.
    if (err instanceof BodyTooLarge || code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendLogged(closeAfterAnswer(reply), errorResponse(bodyTooLarge(), format));
    if (err instanceof EarlyAnswer) return sendLogged(closeAfterAnswer(reply), err.response);
    if (err instanceof BodyOverBudget) {
      request.log.warn(
        { logId: request.id, inUse: budget.inUse, budget: budget.bytes },
        'request body refused: memory budget in use',
      );
      const busy = new ApiError(503, 'the server is receiving too many large request bodies at once, retry later', {
        retryAfter: BUDGET_RETRY_AFTER,
      });
      return sendLogged(closeAfterAnswer(reply), errorResponse(busy, format));
    }
    if (err instanceof BodyTooSlow)
      return sendLogged(
        closeAfterAnswer(reply),
        errorResponse(new ApiError(408, `${err.message} (over ${timeouts.bodyMs} ms)`), format),
      );
    if (
      code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
      (err as { statusCode?: number }).statusCode === 400
    ) {
      return sendLogged(reply, errorResponse(new ApiError(400, `invalid request: ${message}`), format));
    }
    request.log.error({ logId: request.id, err }, 'unexpected error in the HTTP front');
    return sendLogged(reply, errorResponse(new ApiError(500, `internal error, log id ${request.id}`), format));
  });

  app.setNotFoundHandler((request, reply) => {
    const format = earlyFormat(queryOf(request.query), request.headers['content-type']);
    return sendLogged(
      reply,
      errorResponse(new ApiError(404, `no method ${request.method} ${request.url.split('?')[0]}`), format),
    );
  });
}

/** The links of sent messages (unsubscribe, open pixel, click redirect) and providers' delivery receipts. */
function registerLinkRoutes(app: FastifyInstance, dispatch: Dispatch): void {
  // Unsubscribe links (spec 04): GET shows the confirmation page, POST (or one-click) applies.
  app.route({
    method: ['GET', 'POST'],
    url: '/u/:token',
    handler: async (request, reply) => {
      const token = (request.params as { token: string }).token;
      const response = await dispatch({
        route: 'unsubscribe',
        unsubscribeToken: token,
        httpMethod: request.method,
        body: Buffer.alloc(0),
        query: {},
        logId: request.id,
      });
      return send(reply, response);
    },
  });

  // Open pixels and click redirects (spec 07): GET (and HEAD) only; a forged token answers 404.
  for (const [path, kind] of [
    ['/t/o/:token', 'open'],
    ['/t/c/:token', 'click'],
  ] as const) {
    app.get(path, async (request, reply) => {
      const response = await dispatch({
        route: 'track',
        trackKind: kind,
        httpMethod: 'GET',
        body: Buffer.alloc(0),
        query: {},
        logId: request.id,
        trackToken: (request.params as { token: string }).token,
        clientIp: request.ip,
        ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
      });
      if (response.status === 200 && response.contentType === 'image/gif')
        return reply.code(200).headers(response.headers).type('image/gif').send(PIXEL_GIF);
      return send(reply, response);
    });
  }

  registerReceiptRoute(app, dispatch);
}

/** Delivery receipts of providers: POST only, the key in ?key= or X-Herald-Receipt-Key. */
function registerReceiptRoute(app: FastifyInstance, dispatch: Dispatch): void {
  app.all('/receipts/:sender', async (request, reply) => {
    if (request.method !== 'POST')
      return reply
        .code(405)
        .header('allow', 'POST')
        .type('application/json; charset=utf-8')
        .send({ error: 'receipts are POSTed' });
    const query = queryOf(request.query);
    const key = firstValue(request.headers['x-herald-receipt-key']) ?? query.key;
    const response = await dispatch({
      route: 'receipt',
      senderName: (request.params as { sender: string }).sender,
      httpMethod: 'POST',
      body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      query: {},
      logId: request.id,
      ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
      ...(key !== undefined ? { receiptKey: key } : {}),
    });
    request.log.info({ logId: request.id, route: 'receipt', status: response.status }, 'request');
    return send(reply, response);
  });
}

/** The API methods: the body handed to the engine, one log line per request. */
function registerApiRoute(app: FastifyInstance, dispatch: Dispatch, intakes: WeakMap<FastifyRequest, Intake>): void {
  app.all('/api/v1.1/*', async (request, reply) => {
    const started = performance.now();
    const method = methodOf(request.url) ?? '';
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const bytes = body.length;
    // The body's reservation outlives a client that hangs up: the engine holds the body until it answers.
    const intake = intakes.get(request);
    if (intake) intake.dispatching = true;
    const response = await dispatch({
      method,
      httpMethod: request.method,
      body,
      query: queryOf(request.query),
      logId: request.id,
      ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      ...(firstValue(request.headers['request-id'] ?? request.headers['x-request-id'])
        ? { requestId: firstValue(request.headers['request-id'] ?? request.headers['x-request-id']) }
        : {}),
    }).finally(() => {
      if (!intake) return;
      intake.dispatching = false;
      intake.lease.release();
    });
    // An error answer's line carries its code, error_debug and the account (when the token was known).
    request.log.info(
      {
        logId: request.id,
        method,
        status: response.status,
        bytes,
        ms: Math.round(performance.now() - started),
        ...answerLog(response),
      },
      'request',
    );
    return send(reply, response);
  });
}
