// Killing a delivery worker mid-batch (SIGKILL) and starting another: every message is
// delivered at least once, and only messages that were in flight at the kill are sent again,
// under the same Message-ID (spec 04, delivery semantics). On SQLite, and on PostgreSQL when
// HERALD_TEST_POSTGRES_URL is set.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDatabase } from '../helpers/databases.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp } from '../helpers/herald-process.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const COUNT = 400;
const BATCH = 50;

describe.each(backends)('a worker killed mid-batch (%s)', (_name, open) => {
  let dir: string;
  let sink: SmtpSink;
  let backend: TestDatabase;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'herald-crash-'));
    sink = await startSmtpSink();
    backend = await open(dir);
  });
  afterAll(async () => {
    await sink.close();
    await backend.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing; re-sends only what was in flight, with the same Message-ID', async () => {
    const provision = join(dir, 'provision.json');
    writeFileSync(
      provision,
      JSON.stringify(deliveryProvision({ smtpUrl: sink.url, httpUrl: 'http://127.0.0.1:9' }, {})),
    );
    const env = {
      HERALD_DATABASE_URL: backend.url,
      HERALD_LOG_LEVEL: 'warn',
      HERALD_LEASE_SECONDS: '5',
      HERALD_POLL_MS: '50',
      HERALD_DELIVERY_BATCH: String(BATCH),
      HERALD_DELIVERY_CONCURRENCY: '8',
    };

    // Import with an API-only server.
    const port = await freePort();
    const api = spawnHerald(['serve', '--provision', provision], {
      cwd: dir,
      env: { ...env, HERALD_PORT: String(port), HERALD_HOST: '127.0.0.1', HERALD_WORKERS: '0' },
    });
    await waitForHttp(`http://127.0.0.1:${port}/`, api);
    const data = Array.from({ length: COUNT }, (_, i) => ({
      data: {
        email: `crash${i}@example.com`,
        subscriptions: [{ channel: 'email', email: `crash${i}@example.com`, resource_id: 21 }],
      },
    }));
    const res = await fetch(`http://127.0.0.1:${port}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN, trigger_id: 96, data }),
    });
    expect(res.status).toBe(200);
    expect((await api.stop()).code).toBe(0);

    // A slow receiver keeps sends in flight; kill the first worker in the middle of the work.
    sink.delayMs = 15;
    const first = spawnHerald(['worker'], { cwd: dir, env: { ...env, HERALD_WORKERS: '1' } });
    await sink.waitFor(COUNT / 4, 30_000);
    await first.kill();
    const beforeRestart = sink.mails.length;
    expect(beforeRestart).toBeLessThan(COUNT);

    const second = spawnHerald(['worker'], { cwd: dir, env: { ...env, HERALD_WORKERS: '1' } });
    const ids = () => new Set(sink.mails.map((m) => m.parsed.messageId));
    // Every message recorded as sent (none can be sent again after that), then a graceful stop
    // (which waits for sends in flight): the sink then holds every copy there will ever be.
    const sent = async () =>
      Number((await backend.query<{ n: number }>("SELECT COUNT(*) AS n FROM messages WHERE status = 'sent'"))[0].n);
    await expect.poll(sent, { timeout: 90_000, interval: 100 }).toBe(COUNT);
    expect((await second.stop()).code).toBe(0);

    const delivered = ids();
    expect(delivered.size).toBe(COUNT);
    const seen = new Map<string, number>();
    for (const m of sink.mails) seen.set(String(m.parsed.messageId), (seen.get(String(m.parsed.messageId)) ?? 0) + 1);
    const resent = [...seen].filter(([, n]) => n > 1).map(([id]) => Number(/^<herald\.(\d+)\./.exec(id)?.[1]));

    const statuses = await backend.query<{ status: string; n: number }>(
      'SELECT status, COUNT(*) AS n FROM messages GROUP BY status',
    );
    const reclaimed = new Set(
      (await backend.query<{ id: number }>('SELECT id FROM messages WHERE reclaims > 0')).map((r) => Number(r.id)),
    );
    expect(statuses.map((r) => [r.status, Number(r.n)])).toEqual([['sent', COUNT]]);
    // Every re-sent message was one the killed worker held (reclaimed after its lease expired).
    for (const id of resent) expect(reclaimed.has(id)).toBe(true);
    // The killed worker held at most one claimed batch (HERALD_DELIVERY_BATCH) when it died: only
    // those can be reclaimed, so only those can be sent twice. How many of them had already been
    // accepted depends on where the kill fell, not on the code.
    expect(reclaimed.size).toBeLessThanOrEqual(BATCH);
    expect(resent.length).toBeLessThanOrEqual(reclaimed.size);
    console.log(
      `worker crash (${_name}): ${COUNT} messages, ${beforeRestart} received before the kill, ${reclaimed.size} reclaimed, ${resent.length} re-sent with the same Message-ID`,
    );
  }, 120_000);
});
