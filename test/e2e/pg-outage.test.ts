// PostgreSQL becoming unreachable under a running server: requests answer 503 in the envelope
// and write nothing; once the database is back the pool reconnects and work resumes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROVISION, TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';

const adminUrl = process.env.HERALD_TEST_POSTGRES_URL;

describe.skipIf(!adminUrl)('PostgreSQL outage', () => {
  let dir: string;
  let database: string;
  let url: string;
  let server: HeraldProcess | undefined;
  const admin = () => new pg.Client({ connectionString: adminUrl });
  const sql = async (text: string) => {
    const c = admin();
    await c.connect();
    try {
      return await c.query(text);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'herald-outage-'));
    database = `herald_outage_${randomBytes(4).toString('hex')}`;
    await sql(`CREATE DATABASE ${database}`);
    const u = new URL(adminUrl as string);
    u.pathname = `/${database}`;
    url = u.toString();
  });
  afterAll(async () => {
    await server?.kill();
    await sql(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 while the database is unreachable, writes nothing, and recovers', async () => {
    const port = await freePort();
    server = spawnHerald(['serve', '--workers', '0', '--provision', DEMO_PROVISION], {
      cwd: dir,
      env: { HERALD_DATABASE_URL: url, HERALD_PORT: String(port), HERALD_HOST: '127.0.0.1', HERALD_LOG_LEVEL: 'error' },
    });
    await waitForHttp(`http://127.0.0.1:${port}/`, server);
    const importOne = (email: string) =>
      fetch(`http://127.0.0.1:${port}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token: TOKEN,
          trigger_id: 96,
          data: [{ data: { email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] } }],
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

    expect((await importOne('before@example.com')).status).toBe(200);

    await sql(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`);
    const during = await importOne('during@example.com');
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ error: 503, error_text: 'Service unavailable' });
    expect(String(during.body.error_debug)).not.toMatch(/at .*\.js|node_modules/);

    await sql(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
    // The pool connects again by itself: the same request, retried, goes through.
    await expect
      .poll(async () => (await importOne('after@example.com')).status, { timeout: 30_000, interval: 250 })
      .toBe(200);

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const emails = (
      await c.query<{ value: string }>("SELECT value FROM profile_values WHERE field = 'email' ORDER BY value")
    ).rows.map((r) => r.value);
    await c.end();
    expect(emails).toEqual(['after@example.com', 'before@example.com']);
    expect((await server.stop()).code).toBe(0);
    server = undefined;
  }, 60_000);

  it('under load: every 200 is stored, every 503 wrote nothing, and the load resumes after the outage', async () => {
    const port = await freePort();
    server = spawnHerald(['serve', '--workers', '0', '--provision', DEMO_PROVISION], {
      cwd: dir,
      env: { HERALD_DATABASE_URL: url, HERALD_PORT: String(port), HERALD_HOST: '127.0.0.1', HERALD_LOG_LEVEL: 'error' },
    });
    await waitForHttp(`http://127.0.0.1:${port}/`, server);
    const answers = new Map<string, number>();
    /** The statuses in the order they were answered. */
    const order: number[] = [];
    let stop = false;
    let n = 0;
    const lanes = Array.from({ length: 3 }, async () => {
      while (!stop) {
        const email = `load${n++}@example.com`;
        let res: Response;
        try {
          res = await fetch(`http://127.0.0.1:${port}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              token: TOKEN,
              trigger_id: 96,
              data: [{ data: { email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] } }],
            }),
          });
        } catch (err) {
          throw new Error(`no answer (${(err as Error).message}); server output:\n${server?.output()}`);
        }
        await res.arrayBuffer();
        answers.set(email, res.status);
        order.push(res.status);
      }
    });
    // Each phase lasts until the load shows it: successes, then refusals, then successes again.
    const seen = (status: number, from: number, count: number) => () =>
      order.slice(from).filter((x) => x === status).length >= count;
    await expect.poll(seen(200, 0, 3), { timeout: 30_000, interval: 20 }).toBe(true);
    await sql(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`);
    const outage = order.length;
    await expect.poll(seen(503, outage, 1), { timeout: 30_000, interval: 20 }).toBe(true);
    await sql(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
    const back = order.length;
    await expect
      .poll(() => order.length - back >= 3 && order.slice(-3).every((x) => x === 200), {
        timeout: 30_000,
        interval: 20,
      })
      .toBe(true);
    stop = true;
    await Promise.all(lanes);

    const statuses = [...answers.values()];
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    // The load resumed: the last answers are successes again.
    expect(statuses.slice(-3)).toEqual([200, 200, 200]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const stored = new Set(
      (
        await c.query<{ value: string }>(
          "SELECT value FROM profile_values WHERE field = 'email' AND value LIKE 'load%'",
        )
      ).rows.map((r) => r.value),
    );
    await c.end();
    for (const [email, status] of answers) expect([email, stored.has(email)]).toEqual([email, status === 200]);
    console.log(
      `PostgreSQL outage under load: ${answers.size} requests, ${statuses.filter((s) => s === 503).length} answered 503 (nothing written), the rest stored`,
    );
    expect((await server.stop()).code).toBe(0);
    server = undefined;
  }, 60_000);
});
