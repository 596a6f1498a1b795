// The operator routes of the HTTP front: /healthz, /readyz (answered by the engine from the
// storage), /metrics (the front's and the engine's registries in one text) whose counters move
// with traffic, and the metrics port of worker processes (HERALD_METRICS_PORT).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../src/runtime/metrics-server.js';
import { batch, call, startApi, WRITE_TOKEN } from '../helpers/api.js';
import { TEST_STORE, type Harness } from '../helpers/harness.js';
import { families, samples, scrape } from '../helpers/metrics.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

async function scrapeOk(): Promise<{ text: string; values: Map<string, number> }> {
  const res = await scrape(h);
  expect(res.status).toBe(200);
  expect(res.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res;
}

const value = (values: Map<string, number>, key: string) => values.get(key) ?? 0;
let seq = 0;
const item = () => {
  const email = `ops.${++seq}@example.com`;
  return { data: { email, subscriptions: [{ channel: 'email', resource_id: 21, email }] } };
};

describe('/healthz and /readyz', () => {
  it('healthz: the process is up', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-herald-log-id']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('readyz: ready when the storage answers and its migrations are current', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
  });

  it('readyz: 503 with the reason while a migration is pending', async () => {
    const [last] = h.sql<{ version: number; name: string; applied_at: number }>(
      'SELECT version, name, applied_at FROM schema_migrations ORDER BY version DESC LIMIT 1',
    );
    h.exec('DELETE FROM schema_migrations WHERE version = ?', last.version);
    try {
      const res = await h.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        status: 'unavailable',
        reason: '1 storage migration(s) pending: run herald migrate',
      });
    } finally {
      h.exec(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
        last.version,
        last.name,
        last.applied_at,
      );
    }
    expect((await h.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it.skipIf(TEST_STORE !== 'sqlite')('readyz: 503 once the storage is closed; healthz still answers', async () => {
    const other = await startApi();
    try {
      other.sqlite?.db.close();
      const res = await other.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'unavailable',
        reason: expect.stringMatching(/^storage unreachable: /),
      });
      expect((await other.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      // The engine's gauges say the storage did not answer; the counters still come.
      const metrics = samples((await other.app.inject({ method: 'GET', url: '/metrics' })).body);
      expect(metrics.get('herald_storage_up')).toBe(0);
      expect(metrics.get('herald_engine_up')).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('/metrics', () => {
  it('concatenates the front and the engine without a metric twice', async () => {
    const { text } = await scrapeOk();
    const names = families(text);
    expect(new Set(names).size).toBe(names.length);
    for (const n of [
      'herald_http_requests_total',
      'herald_engine_up',
      'herald_items_imported_total',
      'herald_messages_total',
      'herald_send_duration_seconds',
      'herald_messages_reclaimed_total',
      'herald_queue_due_messages',
      'herald_queue_lag_seconds',
      'herald_hook_backlog_events',
      'herald_hook_dead_lettered_events',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('counts requests by method and code, and the items a batch imported', async () => {
    const before = (await scrapeOk()).values;
    const res = await batch(h, { data: [item(), item(), item(), { data: { email: 'broken' } }] });
    expect(res.status).toBe(200);
    await call(h, 'profiles/import', { db_id: 1, data: { email: 'ops.single@example.com' } });
    await h.post('databases/list', {});
    await h.post('no/such/method', { token: WRITE_TOKEN });
    const after = (await scrapeOk()).values;
    const grew = (key: string) => value(after, key) - value(before, key);
    expect(grew('herald_items_imported_total{method="campaigns/triggers/import_and_start_batch"}')).toBe(3);
    expect(grew('herald_items_rejected_total{method="campaigns/triggers/import_and_start_batch"}')).toBe(1);
    expect(grew('herald_items_imported_total{method="profiles/import"}')).toBe(1);
    expect(grew('herald_http_requests_total{method="campaigns/triggers/import_and_start_batch",code="200"}')).toBe(1);
    expect(grew('herald_http_requests_total{method="databases/list",code="401"}')).toBe(1);
    expect(grew('herald_http_requests_total{method="unknown",code="404"}')).toBe(1);
    expect(grew('herald_http_request_duration_seconds_count{method="campaigns/triggers/import_and_start_batch"}')).toBe(
      1,
    );
    expect(after.get('herald_engine_up')).toBe(1);
    expect(after.get('herald_storage_up')).toBe(1);
  });

  it('reads the queue from the storage: due messages and the age of the oldest', async () => {
    // No worker runs here: what an import schedules stays due.
    const before = (await scrapeOk()).values;
    await batch(h, { data: [item(), item()] });
    h.clock.advance(90_000);
    const after = (await scrapeOk()).values;
    expect(value(after, 'herald_queue_due_messages') - value(before, 'herald_queue_due_messages')).toBe(2);
    expect(after.get('herald_queue_lag_seconds')).toBeGreaterThanOrEqual(90);
    expect(after.get('herald_queue_sending_messages')).toBe(0);
  });

  it('does not count a replayed request key twice', async () => {
    const before = (await scrapeOk()).values;
    const body = { data: [item(), item()] };
    const headers = { 'request-id': `ops-key-${seq}` };
    expect((await batch(h, body, { headers })).status).toBe(200);
    const again = await batch(h, body, { headers });
    expect(again.headers['duplicate-request']).toBe('true');
    const after = (await scrapeOk()).values;
    expect(
      value(after, 'herald_items_imported_total{method="campaigns/triggers/import_and_start_batch"}') -
        value(before, 'herald_items_imported_total{method="campaigns/triggers/import_and_start_batch"}'),
    ).toBe(2);
  });
});

describe('the metrics port of a worker process', () => {
  it('serves /metrics (process and engine), /healthz and /readyz, and nothing else', async () => {
    const server = await startMetricsServer(h.engine, 0, '127.0.0.1');
    try {
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toContain('herald_queue_due_messages');
      const names = families(text);
      expect(new Set(names).size).toBe(names.length);
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
      expect((await fetch(`${server.url}/api/v1.1/databases/list`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
