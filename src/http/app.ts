// The HTTP front (fastify): routes every /api/v1.1/* request to the dispatcher with its raw
// body, enforcing the body limits of spec 01 while reading: a Content-Length over the limit is
// refused before the body is read, a chunked body is read only up to the limit.
import { randomBytes } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { ApiError } from '../core/errors.js';
import { registerConsoleRoutes } from './console-routes.js';
import { earlyFormat, type Dispatch } from './dispatch.js';
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
}

class BodyTooLarge extends Error {
  readonly code = 'HERALD_BODY_TOO_LARGE';
}

/** Passes bytes through until `limit`, then fails the stream (the request is answered at once). */
function limitStream(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) cb(new BodyTooLarge('body too large'));
      else cb(null, chunk);
    },
  });
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

const newLogId = (): string => randomBytes(8).toString('hex');

export function buildApp(opts: AppOptions): FastifyInstance {
  const app = Fastify({
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
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-herald-log-id', request.id);
    if (closing) {
      reply.header('connection', 'close');
      return send(reply, errorResponse(new ApiError(503, 'the server is shutting down, retry later'), earlyFormat(queryOf(request.query), request.headers['content-type'])));
    }
  });

  const metrics = opts.metrics ?? new FrontMetrics();
  // Every API answer is counted, the front's own (body too large, shutting down) included.
  app.addHook('onResponse', async (request, reply) => {
    const method = methodOf(request.url);
    if (method !== undefined) metrics.observeRequest(method, reply.statusCode, reply.elapsedTime / 1000);
  });
  registerOperatorRoutes(app, opts.dispatch, metrics);
  registerConsoleRoutes(app, opts.consoleRoot);

  app.addHook('preParsing', async (request, _reply, payload: Readable) => {
    const method = methodOf(request.url) ?? '';
    const limit = ATTACH_METHODS.has(method) ? opts.fileBodyLimit : opts.bodyLimit;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge('body too large');
    return payload.pipe(limitStream(limit));
  });

  app.setErrorHandler((err, request, reply) => {
    const format = earlyFormat(queryOf(request.query), request.headers['content-type']);
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof BodyTooLarge || code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      reply.header('connection', 'close');
      return send(reply, errorResponse(bodyTooLarge(), format));
    }
    if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || (err as { statusCode?: number }).statusCode === 400) {
      return send(reply, errorResponse(new ApiError(400, `invalid request: ${message}`), format));
    }
    request.log.error({ logId: request.id, err }, 'unexpected error in the HTTP front');
    return send(reply, errorResponse(new ApiError(500, `internal error, log id ${request.id}`), format));
  });

  app.setNotFoundHandler((request, reply) => {
    const format = earlyFormat(queryOf(request.query), request.headers['content-type']);
    return send(reply, errorResponse(new ApiError(404, `no method ${request.method} ${request.url.split('?')[0]}`), format));
  });

  // Unsubscribe links (spec 04): GET shows the confirmation page, POST (or one-click) applies.
  app.route({
    method: ['GET', 'POST'],
    url: '/u/:token',
    handler: async (request, reply) => {
      const token = (request.params as { token: string }).token;
      const response = await opts.dispatch({ route: 'unsubscribe', method: token, httpMethod: request.method, body: Buffer.alloc(0), query: {}, logId: request.id });
      return send(reply, response);
    },
  });

  // Delivery receipts of providers: POST only, the key in ?key= or X-Herald-Receipt-Key.
  app.all('/receipts/:sender', async (request, reply) => {
    if (request.method !== 'POST') return reply.code(405).header('allow', 'POST').type('application/json; charset=utf-8').send({ error: 'receipts are POSTed' });
    const query = queryOf(request.query);
    const key = firstValue(request.headers['x-herald-receipt-key']) ?? query.key;
    const response = await opts.dispatch({
      route: 'receipt',
      method: (request.params as { sender: string }).sender,
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

  app.all('/api/v1.1/*', async (request, reply) => {
    const started = performance.now();
    const method = methodOf(request.url) ?? '';
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const response = await opts.dispatch({
      method,
      httpMethod: request.method,
      body,
      query: queryOf(request.query),
      logId: request.id,
      ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      ...(firstValue(request.headers['request-id'] ?? request.headers['x-request-id']) ? { requestId: firstValue(request.headers['request-id'] ?? request.headers['x-request-id']) } : {}),
    });
    request.log.info({ logId: request.id, method, status: response.status, bytes: body.length, ms: Math.round(performance.now() - started) }, 'request');
    return send(reply, response);
  });

  return app;
}
