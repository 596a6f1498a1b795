// Crash safety (issue: nothing accepted is lost, a request is applied whole or not at all):
// concurrent batches are sent to a real server that is SIGKILLed at a random moment, then
// restarted. Every item whose response said success is stored and each of its messages is
// delivered at least once, re-sent only if it was in flight at the kill (same Message-ID);
// every request without a response is either fully applied or not at all. Repeated on SQLite
// and PostgreSQL (HERALD_CRASH_RUNS runs each: 10 by default, 20 with HERALD_HEAVY_TESTS=1).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDatabase } from '../helpers/databases.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const RUNS = Number(process.env.HERALD_CRASH_RUNS ?? (process.env.HERALD_HEAVY_TESTS === '1' ? 20 : 10));
const REQUESTS = 6;
const ITEMS = 40;

const STATE_SQL = {
  emails: "SELECT value FROM profile_values WHERE field = 'email'",
  messages: 'SELECT id, address, status, reclaims FROM messages',
};

async function stateOf(
  db: TestDatabase,
): Promise<{ emails: Set<string>; messages: { id: number; address: string; status: string; reclaims: number }[] }> {
  const emails = new Set((await db.query<{ value: string }>(STATE_SQL.emails)).map((r) => r.value));
  return {
    emails,
    messages: await db.query<{ id: number; address: string; status: string; reclaims: number }>(STATE_SQL.messages),
  };
}

describe.each(backends)('crash safety (%s)', (name, open) => {
  let sink: SmtpSink;
  beforeAll(async () => {
    ensureBuilt();
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());

  it(`${RUNS} kills at random points lose nothing accepted and apply every request whole or not at all`, async () => {
    let seed = 1234;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const totals = { accepted: 0, unanswered: 0, appliedUnanswered: 0, resent: 0, reclaimed: 0 };
    for (let run = 0; run < RUNS; run++) {
      const dir = mkdtempSync(join(tmpdir(), 'herald-cs-'));
      const store = await open(dir);
      const provision = join(dir, 'provision.json');
      writeFileSync(provision, JSON.stringify(deliveryProvision({ smtpUrl: sink.url, httpUrl: 'http://127.0.0.1:9' })));
      const env = {
        HERALD_DATABASE_URL: store.url,
        HERALD_LOG_LEVEL: 'error',
        HERALD_LEASE_SECONDS: '1',
        HERALD_POLL_MS: '50',
        HERALD_WORKERS: '1',
      };
      const start = async (): Promise<{ proc: HeraldProcess; url: string }> => {
        const port = await freePort();
        const proc = spawnHerald(['serve', '--provision', provision], {
          cwd: dir,
          env: { ...env, HERALD_PORT: String(port), HERALD_HOST: '127.0.0.1' },
        });
        const url = `http://127.0.0.1:${port}`;
        await waitForHttp(url, proc);
        return { proc, url };
      };
      sink.mails.length = 0;
      const first = await start();
      const emailsOf = (r: number) => Array.from({ length: ITEMS }, (_, i) => `r${run}.q${r}.i${i}@example.com`);
      const responses: (number | undefined)[] = new Array(REQUESTS).fill(undefined);
      const sends = Array.from({ length: REQUESTS }, async (_, r) => {
        // Requests leave at staggered moments so the kill lands before, during and after them.
        await new Promise((res) => setTimeout(res, Math.floor(random() * 120)));
        const data = emailsOf(r).map((email) => ({
          data: { email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] },
        }));
        try {
          const res = await fetch(`${first.url}/api/v1.1/campaigns/triggers/import_and_start_batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token: TOKEN, trigger_id: 96, data }),
          });
          responses[r] = res.status;
          await res.arrayBuffer();
        } catch {
          responses[r] = undefined; // no answer: the server died
        }
      });
      await new Promise((res) => setTimeout(res, 5 + Math.floor(random() * 120)));
      await first.proc.kill();
      await Promise.all(sends);

      const second = await start();
      const accepted = responses.flatMap((s, r) => (s === 200 ? [r] : []));
      const unanswered = responses.flatMap((s, r) => (s === undefined ? [r] : []));
      expect(responses.every((s) => s === undefined || s === 200)).toBe(true);

      // Wait until every scheduled message is out.
      const deadline = Date.now() + 30_000;
      let state = await stateOf(store);
      while (state.messages.some((m) => m.status !== 'sent') && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 100));
        state = await stateOf(store);
      }
      expect((await second.proc.stop()).code).toBe(0);

      for (const r of accepted) for (const email of emailsOf(r)) expect(state.emails.has(email)).toBe(true);
      for (const r of unanswered) {
        const present = emailsOf(r).filter((e) => state.emails.has(e)).length;
        expect([0, ITEMS]).toContain(present);
        if (present === ITEMS) totals.appliedUnanswered++;
      }
      // Every stored message was delivered, at least once, under its own Message-ID.
      expect(state.messages.every((m) => m.status === 'sent')).toBe(true);
      const byId = new Map<number, number>();
      for (const mail of sink.mails) {
        const id = Number(/^<herald\.(\d+)\./.exec(String(mail.parsed.messageId))?.[1]);
        byId.set(id, (byId.get(id) ?? 0) + 1);
      }
      for (const m of state.messages) expect(byId.get(m.id) ?? 0).toBeGreaterThanOrEqual(1);
      // A message went out twice only if the killed server held it when it died.
      const reclaimed = new Set(state.messages.filter((m) => m.reclaims > 0).map((m) => m.id));
      for (const [id, n] of byId) if (n > 1) expect(reclaimed.has(id)).toBe(true);
      totals.accepted += accepted.length;
      totals.unanswered += unanswered.length;
      totals.resent += [...byId.values()].filter((n) => n > 1).length;
      totals.reclaimed += reclaimed.size;
      await store.drop();
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(
      `crash safety (${name}): ${RUNS} kills; ${totals.accepted} requests answered 200 (all stored), ${totals.unanswered} unanswered (${totals.appliedUnanswered} applied whole, the rest not at all); ${totals.reclaimed} messages reclaimed, ${totals.resent} re-sent with the same Message-ID`,
    );
  }, 600_000);
});
