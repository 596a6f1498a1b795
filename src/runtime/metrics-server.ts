// The operator port of a `herald worker` process (HERALD_METRICS_PORT): it has no API front, so
// this small HTTP server answers /metrics (the process's own metrics and the engine's), /healthz
// and /readyz, and nothing else.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Engine } from './engine.js';
import { readinessResponse } from './engine.js';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(
  engine: Pick<Engine, 'metrics' | 'ready'>,
  port: number,
  host: string,
): Promise<MetricsServer> {
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/$/, '');
    const answer = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return answer(405, 'text/plain; charset=utf-8', 'Method Not Allowed');
    if (path === '/healthz') return answer(200, 'application/json; charset=utf-8', JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      void engine.ready().then((r) => {
        const out = readinessResponse(r, '');
        answer(out.status, out.contentType, out.body);
      });
      return;
    }
    if (path === '/metrics') {
      void Promise.all([processRegistry.metrics(), engine.metrics.text()]).then(
        ([own, work]) => answer(200, processRegistry.contentType, `${own}${own.endsWith('\n') ? '' : '\n'}${work}`),
        () => answer(500, 'text/plain; charset=utf-8', 'metrics failed'),
      );
      return;
    }
    answer(404, 'text/plain; charset=utf-8', 'Not Found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper keeps its connection alive: do not wait for it to hang up.
        server.closeAllConnections();
      }),
  };
}
