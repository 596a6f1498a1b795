// Feedback across processes on one PostgreSQL: a worker process sends (VERP return path signed
// with the shared secret); the built-in MX of another process, which sends nothing, receives the
// DSN for that message and applies it to the shared database.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL, postgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';
import { deliverReport, dsn } from '../helpers/reports.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

describe.skipIf(!PG_ADMIN_URL)('bounces across processes on one PostgreSQL', () => {
  let dir: string;
  let sink: SmtpSink;
  let url: string;
  let database: TestDatabase;
  const procs: HeraldProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'herald-fb-'));
    sink = await startSmtpSink();
    database = await postgresDatabase('fb');
    url = database.url;
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await sink.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a DSN received by one process bounces the message another process sent; a link stored by one redirects at the other', async () => {
    const provision = join(dir, 'provision.json');
    const [apiPort, mxPort] = [await freePort(), await freePort()];
    writeFileSync(
      provision,
      JSON.stringify(
        deliveryProvision(
          { smtpUrl: sink.url, httpUrl: 'http://127.0.0.1:9' },
          {
            templates: [
              {
                id: 160,
                name: 'Offer',
                channel: 'email',
                subject: 'Offer',
                html: '<p><a href="https://shop.example/offer?from=mail">Offer</a></p>',
              },
            ],
            triggers: [
              {
                id: 197,
                name: 'Offer',
                trigger_type: 'api_call',
                send_channel: 'email',
                resource_id: 21,
                list_id: 1,
                is_active: true,
                content: [{ message_id: 160 }],
              },
            ],
          },
        ),
      ),
    );
    const env = {
      HERALD_DATABASE_URL: url,
      HERALD_LOG_LEVEL: 'warn',
      HERALD_POLL_MS: '100',
      HERALD_PG_POOL_SIZE: '3',
      HERALD_SECRET: 'shared-secret-of-both-processes',
      HERALD_BOUNCE_DOMAIN: 'bounce.example.com',
      HERALD_PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
    };
    // The API process sends nothing (no workers) and runs the MX.
    const api = spawnHerald(['serve', '--workers', '0', '--provision', provision], {
      cwd: dir,
      env: {
        ...env,
        HERALD_PORT: String(apiPort),
        HERALD_HOST: '127.0.0.1',
        HERALD_INBOUND_SMTP_PORT: String(mxPort),
        HERALD_INBOUND_SMTP_HOST: '127.0.0.1',
      },
    });
    procs.push(api);
    await waitForHttp(`http://127.0.0.1:${apiPort}/`, api);
    procs.push(spawnHerald(['worker'], { cwd: dir, env: { ...env, HERALD_WORKERS: '1' } }));

    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: TOKEN,
        trigger_id: 96,
        data: [
          {
            data: {
              _fname: 'Far',
              email: 'far@example.com',
              subscriptions: [{ channel: 'email', email: 'far@example.com', resource_id: 21 }],
            },
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const [mail] = await sink.waitFor(1, 60_000);
    expect(mail.envelopeFrom).toMatch(/^b-[0-9a-z]+-[0-9a-f]{16}@bounce\.example\.com$/);

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const status = async () =>
        (
          await db.query<{ status: string; bounce: string | null }>(
            "SELECT status, bounce FROM messages WHERE address = 'far@example.com'",
          )
        ).rows[0];
      await expect.poll(status, { timeout: 30_000 }).toEqual({ status: 'sent', bounce: null });
      await deliverReport(
        mxPort,
        mail.envelopeFrom,
        dsn({
          to: mail.envelopeFrom,
          recipient: 'far@example.com',
          action: 'failed',
          status: '5.1.1',
          diagnostic: '550 5.1.1 User unknown',
          originalMessageId: String(mail.parsed.messageId),
        }),
      );
      expect(await status()).toEqual({ status: 'bounced', bounce: 'hard' });
      const sub = await db.query<{ status: number }>(
        "SELECT status FROM subscriptions WHERE channel = 'email' AND address = 'far@example.com'",
      );
      expect(sub.rows[0].status).toBe(3);

      // A link the worker process stored, clicked at the API process, which sent nothing.
      const launch = await fetch(`http://127.0.0.1:${apiPort}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token: TOKEN,
          trigger_id: 197,
          data: [
            {
              data: {
                email: 'near@example.com',
                subscriptions: [{ channel: 'email', email: 'near@example.com', resource_id: 21 }],
              },
            },
          ],
        }),
      });
      expect(launch.status).toBe(200);
      const [, offer] = await sink.waitFor(2, 60_000);
      const link = /href="([^"]+\/t\/c\/[^"]+)"/.exec(String(offer.parsed.html))?.[1] ?? '';
      expect(link.split('.').pop()).toHaveLength(18);
      const click = await fetch(link, { redirect: 'manual' });
      expect(click.status).toBe(302);
      expect(click.headers.get('location')).toBe('https://shop.example/offer?from=mail');
      const clicks = await db.query<{ url: string }>("SELECT url FROM tracking_events WHERE kind = 'click'");
      expect(clicks.rows).toEqual([{ url: 'https://shop.example/offer?from=mail' }]);
    } finally {
      await db.end();
    }
  }, 120_000);
});
