// End to end: the operator routes of the real processes. `herald serve` answers /readyz and
// /metrics through its engine thread; `herald worker` with HERALD_METRICS_PORT serves /metrics,
// /healthz and /readyz on that port and still stops cleanly on SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROVISION, EXAMPLES, TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';
import { families, samples } from '../helpers/metrics.js';

let dir: string;
let serve: HeraldProcess;
let base: string;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'herald-ops-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  serve = spawnHerald(['serve', '--provision', DEMO_PROVISION, '--workers', '0'], {
    cwd: dir,
    env: {
      HERALD_PORT: String(port),
      HERALD_HOST: '127.0.0.1',
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_LOG_LEVEL: 'warn',
    },
  });
  await waitForHttp(`${base}/healthz`, serve);
});
afterAll(async () => {
  await serve.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('herald serve', () => {
  it('answers /healthz, and /readyz from the engine thread', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('/metrics has the process, the front and the engine thread, and counts an import', async () => {
    const body = await (await import('node:fs/promises')).readFile(join(EXAMPLES, 'batch-email.request.json'));
    const res = await fetch(`${base}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    const names = families(text);
    expect(new Set(names).size).toBe(names.length);
    const values = samples(text);
    expect(values.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(values.get('herald_engine_up')).toBe(1);
    expect(values.get('herald_items_imported_total{method="campaigns/triggers/import_and_start_batch"}')).toBe(2);
    expect(
      values.get('herald_http_requests_total{method="campaigns/triggers/import_and_start_batch",code="200"}'),
    ).toBe(1);
    // No worker in this process: the two messages wait in the queue.
    expect(values.get('herald_queue_due_messages')).toBe(2);
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1.1/campaigns/triggers/import_and_start_batch']).toBeDefined();
    const page = await fetch(`${base}/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/api/openapi.json');
  });
});

describe('herald worker with HERALD_METRICS_PORT', () => {
  it('serves /metrics, /healthz and /readyz, delivers, and stops on SIGTERM', async () => {
    const port = await freePort();
    const worker = spawnHerald(['worker'], {
      cwd: dir,
      env: {
        HERALD_METRICS_PORT: String(port),
        HERALD_HOST: '127.0.0.1',
        HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
        HERALD_POLL_MS: '20',
        HERALD_LOG_LEVEL: 'info',
      },
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHttp(`${url}/healthz`, worker);
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      // The worker sends the two messages the API process queued (the demo's file sender).
      const sent = async () =>
        samples(await (await fetch(`${url}/metrics`)).text()).get(
          'herald_messages_total{channel="email",status="sent"}',
        ) ?? 0;
      await expect.poll(sent, { timeout: 10_000 }).toBe(2);
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toContain('process_resident_memory_bytes');
      expect(text).toContain('herald_send_duration_seconds_bucket');
      expect(worker.output()).toContain(`"metrics":"${url}/metrics"`);
      expect(worker.output()).not.toContain(TOKEN);
    } finally {
      expect((await worker.stop()).code).toBe(0);
    }
  });
});
