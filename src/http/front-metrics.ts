// Prometheus metrics of the HTTP front: API requests by method and code, and their duration.
// The engine's metrics (imports, delivery, queue, hooks) live where that work runs and are asked
// for on each scrape (operator-routes.ts); the names never overlap, so the texts concatenate.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { methods } from '../core/methods.js';

export class FrontMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'code'>;
  private readonly duration: Histogram<'method'>;
  /** 1 when the engine answered the last scrape, 0 when it did not in time. */
  readonly engineUp: Gauge;

  /** `processMetrics`: also the process's own (CPU, memory, event loop); once per process. */
  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'herald_http_requests_total',
      help: 'API requests by method and HTTP status',
      labelNames: ['method', 'code'],
      registers,
    });
    this.duration = new Histogram({
      name: 'herald_http_request_duration_seconds',
      help: 'Time to answer an API request, by method',
      labelNames: ['method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.engineUp = new Gauge({
      name: 'herald_engine_up',
      help: 'Whether the engine answered this scrape in time',
      registers,
    });
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** `method` is the path after /api/v1.1/; unknown paths share one label so they cannot multiply series. */
  observeRequest(method: string, code: number, seconds: number): void {
    const label = methods.has(method) ? method : 'unknown';
    this.requests.inc({ method: label, code: String(code) });
    this.duration.observe({ method: label }, seconds);
  }
}
