// Graceful shutdown and rolling restarts under load: SIGTERM stops accepting, finishes the
// requests in flight and gives back claimed messages; a client that retries what was refused
// loses nothing. On SQLite (one server restarted) and PostgreSQL (two API processes restarted
// one after the other behind a client that spreads its requests).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const adminUrl = process.env.HERALD_TEST_POSTGRES_URL;
const REQUESTS = 60;

/** Rows of `sql` as [first column, second column as a number] on the storage `url` names. */
async function pairs(url: string, sql: string): Promise<Map<string, number>> {
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    try {
      return new Map((db.prepare(sql).raw(true).all() as [string, number][]).map(([k, n]) => [String(k), Number(n)]));
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return new Map((await c.query({ text: sql, rowMode: 'array' })).rows.map(([k, n]) => [String(k), Number(n)]));
  } finally {
    await c.end();
  }
}

const countEmails = (url: string) =>
  pairs(url, "SELECT value, COUNT(*) AS n FROM profile_values WHERE field = 'email' GROUP BY value");

describe('rolling restart under load', () => {
  let dir: string;
  let sink: SmtpSink;
  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'herald-roll-'));
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, number][] = [['SQLite', 1], ...(adminUrl ? [['PostgreSQL', 2] as [string, number]] : [])];

  it.each(cases)(
    '%s: every request is answered or retried, nothing is lost or doubled',
    async (name, processes) => {
      let url = `sqlite:${join(dir, `${name}.db`)}`;
      let dropDb: (() => Promise<void>) | undefined;
      if (name === 'PostgreSQL') {
        const db = `herald_roll_${randomBytes(4).toString('hex')}`;
        const admin = async (text: string) => {
          const c = new pg.Client({ connectionString: adminUrl });
          await c.connect();
          await c.query(text);
          await c.end();
        };
        await admin(`CREATE DATABASE ${db}`);
        dropDb = () => admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        const u = new URL(adminUrl as string);
        u.pathname = `/${db}`;
        url = u.toString();
      }
      const provision = join(dir, `${name}.json`);
      writeFileSync(provision, JSON.stringify(deliveryProvision({ smtpUrl: sink.url, httpUrl: 'http://127.0.0.1:9' })));
      const servers: { proc: HeraldProcess; base: string }[] = [];
      const start = async (slot: number) => {
        const port = await freePort();
        const proc = spawnHerald(['serve', '--provision', provision], {
          cwd: dir,
          env: {
            HERALD_DATABASE_URL: url,
            HERALD_LOG_LEVEL: 'error',
            HERALD_PORT: String(port),
            HERALD_HOST: '127.0.0.1',
            HERALD_WORKERS: '1',
            HERALD_POLL_MS: '50',
          },
        });
        const base = `http://127.0.0.1:${port}`;
        await waitForHttp(base, proc);
        servers[slot] = { proc, base };
      };
      for (let i = 0; i < processes; i++) await start(i);

      let refused = 0;
      // The client: each request retried (same body, same Request-ID) until a server answers 200.
      const send = async (n: number) => {
        const email = `roll.${name}.${n}@example.com`;
        const body = JSON.stringify({
          token: TOKEN,
          trigger_id: 96,
          data: [{ data: { email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] } }],
        });
        for (let attempt = 0; ; attempt++) {
          const target = servers[(n + attempt) % processes];
          let status: number | undefined;
          try {
            const res = await fetch(`${target.base}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'request-id': `roll-${name}-${n}` },
              body,
            });
            await res.arrayBuffer();
            status = res.status;
          } catch {
            // connection refused or reset: the server is restarting
          }
          if (status === 200) return;
          // A server that answers while it goes down answers 503, never anything else.
          if (status !== undefined) expect(status, `request ${n}, attempt ${attempt}`).toBe(503);
          refused++;
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const load = (async () => {
        const lanes = Array.from({ length: 4 }, async (_, lane) => {
          for (let n = lane; n < REQUESTS; n += 4) {
            await send(n);
            await new Promise((r) => setTimeout(r, 15));
          }
        });
        await Promise.all(lanes);
      })();
      // A wrong answer fails the load; that failure is reported where the load is awaited.
      load.catch(() => undefined);
      // Restart every process in turn while the load runs.
      for (let i = 0; i < processes; i++) {
        await new Promise((r) => setTimeout(r, 150));
        const { code } = await servers[i].proc.stop();
        expect(code).toBe(0);
        await start(i);
      }
      await load;

      const emails = await countEmails(url);
      expect(emails.size).toBe(REQUESTS);
      expect([...emails.values()].every((n) => n === 1)).toBe(true);
      // Delivery: each request scheduled one message; all of them go out once the load stops.
      // Every message recorded as sent and none ever reclaimed: none was claimed twice, so the sink
      // holds every copy there will be.
      const messages = () => pairs(url, 'SELECT status, COUNT(*) AS n FROM messages GROUP BY status');
      await expect
        .poll(async () => Object.fromEntries(await messages()), { timeout: 30_000, interval: 100 })
        .toEqual({ sent: REQUESTS });
      expect((await pairs(url, "SELECT 'reclaims', COALESCE(SUM(reclaims), 0) FROM messages")).get('reclaims')).toBe(0);
      const mails = sink.mails.filter((m) => m.envelopeTo[0].includes(`.${name}.`));
      expect(new Set(mails.map((m) => m.envelopeTo[0])).size).toBe(REQUESTS);
      // Exactly one message per request: a retried request was deduplicated by its Request-ID.
      expect(mails).toHaveLength(REQUESTS);
      for (const s of servers) expect((await s.proc.stop()).code).toBe(0);
      await dropDb?.();
      console.log(
        `rolling restart (${name}): ${REQUESTS} requests, ${processes} process(es) restarted, ${refused} attempts refused and retried, 0 lost, 0 doubled`,
      );
    },
    120_000,
  );
});
