// The routes for operators, beside the API: /healthz (the process is up), /readyz (the engine
// reaches the storage and its migrations are current), /metrics (the front's and the engine's
// Prometheus metrics), /api/openapi.json and /docs. None needs a token; none is logged.
import { provisioningSchema } from '../core/provisioning/file-schema.js';
import type { FastifyInstance } from 'fastify';
import type { Dispatch, RawRequest } from './raw-request.js';
import { DOCS_CSP, DOCS_HTML } from './docs-page.js';
import type { RawResponse } from './envelope.js';
import type { FrontMetrics } from './front-metrics.js';
import { methods } from '../core/methods.js';
import { buildOpenApi } from './openapi.js';
import { readFileSync } from 'node:fs';

/** How long /readyz and /metrics wait for the engine (busy with a long transaction, or stuck). */
const ENGINE_TIMEOUT_MS = 5_000;

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Asks the engine; undefined when it did not answer in time. */
async function askEngine(
  dispatch: Dispatch,
  route: 'ready' | 'metrics',
  logId: string,
): Promise<RawResponse | undefined> {
  const req: RawRequest = { route, httpMethod: 'GET', body: new Uint8Array(0), query: {}, logId };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ENGINE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([dispatch(req), late]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

export function registerOperatorRoutes(app: FastifyInstance, dispatch: Dispatch, metrics: FrontMetrics): void {
  // Built once: the registry does not change while the process runs.
  const openapi = JSON.stringify(buildOpenApi(methods.values(), version));
  const provisioning = JSON.stringify(provisioningSchema());

  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    const res = await askEngine(dispatch, 'ready', request.id);
    reply.header('cache-control', 'no-store');
    if (!res)
      return reply
        .code(503)
        .send({ status: 'unavailable', reason: `the engine did not answer within ${ENGINE_TIMEOUT_MS / 1000} s` });
    return reply.code(res.status).type(res.contentType).send(res.body);
  });

  app.get('/metrics', async (request, reply) => {
    const engine = await askEngine(dispatch, 'metrics', request.id);
    metrics.engineUp.set(engine?.status === 200 ? 1 : 0);
    const front = await metrics.registry.metrics();
    const text = engine?.status === 200 ? `${front}${front.endsWith('\n') ? '' : '\n'}${engine.body}` : front;
    return reply.header('cache-control', 'no-store').type(metrics.registry.contentType).send(text);
  });

  app.get('/api/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(openapi));
  app.get('/api/provisioning.schema.json', async (_request, reply) =>
    reply.type('application/schema+json; charset=utf-8').send(provisioning),
  );

  // The root is for people with a browser: the console.
  app.get('/', async (_request, reply) => reply.redirect('/console', 302));

  app.get('/docs', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', DOCS_CSP)
      .header('x-content-type-options', 'nosniff')
      .send(DOCS_HTML),
  );
}
