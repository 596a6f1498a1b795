// Scale-out on PostgreSQL: 2 API processes and 3 worker processes on one database. Concurrent
// batches with overlapping emails go to both API processes; afterwards every email has exactly
// one profile and every scheduled message reached the SMTP receiver exactly once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL, postgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const BATCHES = 8;
const ITEMS = 400;
const POOL = 1200;

describe.skipIf(!PG_ADMIN_URL)('several processes on one PostgreSQL', () => {
  let dir: string;
  let sink: SmtpSink;
  let url: string;
  let database: TestDatabase;
  const procs: HeraldProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'herald-mp-'));
    sink = await startSmtpSink();
    database = await postgresDatabase('mp');
    url = database.url;
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await sink.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with one profile per email and every message delivered exactly once', async () => {
    const provision = join(dir, 'provision.json');
    writeFileSync(provision, JSON.stringify(deliveryProvision({ smtpUrl: sink.url, httpUrl: 'http://127.0.0.1:9' })));
    const env = { HERALD_DATABASE_URL: url, HERALD_LOG_LEVEL: 'warn', HERALD_POLL_MS: '200', HERALD_PG_POOL_SIZE: '4' };

    const ports = [await freePort(), await freePort()];
    // The first API process applies the provisioning file and migrates; then the others start.
    for (const port of ports) {
      const api = spawnHerald(['serve', '--workers', '0', ...(procs.length === 0 ? ['--provision', provision] : [])], {
        cwd: dir,
        env: { ...env, HERALD_PORT: String(port), HERALD_HOST: '127.0.0.1' },
      });
      procs.push(api);
      await waitForHttp(`http://127.0.0.1:${port}/`, api);
    }
    for (let i = 0; i < 3; i++) procs.push(spawnHerald(['worker'], { cwd: dir, env: { ...env, HERALD_WORKERS: '1' } }));

    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const batches = Array.from({ length: BATCHES }, () =>
      Array.from({ length: ITEMS }, () => {
        const email = `mp${next() % POOL}@example.com`;
        return {
          data: { _fname: `F${next() % 100}`, email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] },
        };
      }),
    );
    const responses = await Promise.all(
      batches.map((data, i) =>
        fetch(`http://127.0.0.1:${ports[i % 2]}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: TOKEN, trigger_id: 96, data }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { result?: unknown[] } })),
      ),
    );
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(r.body.result).toHaveLength(ITEMS);
    }
    const distinctEmails = new Set(batches.flat().map((i) => i.data.email)).size;
    const totalMessages = BATCHES * ITEMS;

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const perEmail = await db.query<{ value: string; n: string }>(
        "SELECT value, COUNT(*) AS n FROM profile_values WHERE field = 'email' GROUP BY value",
      );
      expect(perEmail.rows.length).toBe(distinctEmails);
      expect(perEmail.rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
      expect(Number((await db.query('SELECT COUNT(*) AS n FROM profiles')).rows[0].n)).toBe(distinctEmails);

      const deadline = Date.now() + 90_000;
      for (;;) {
        const sent = Number((await db.query("SELECT COUNT(*) AS n FROM messages WHERE status = 'sent'")).rows[0].n);
        if (sent === totalMessages || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      // Every message recorded as sent and none ever reclaimed (checked below): no message was
      // claimed twice, so no second copy can still be on its way to the sink.
      const statuses = (
        await db.query<{ status: string; n: string }>('SELECT status, COUNT(*) AS n FROM messages GROUP BY status')
      ).rows.map((r) => [r.status, Number(r.n)]);
      expect(statuses).toEqual([['sent', totalMessages]]);
      expect(sink.mails).toHaveLength(totalMessages);
      expect(new Set(sink.mails.map((m) => m.parsed.messageId)).size).toBe(totalMessages);
      const reclaims = Number((await db.query('SELECT COALESCE(SUM(reclaims), 0) AS n FROM messages')).rows[0].n);
      expect(reclaims).toBe(0);
    } finally {
      await db.end();
    }
    for (const p of procs.splice(0)) expect((await p.stop()).code).toBe(0);
  }, 180_000);
});
