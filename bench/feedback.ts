// Feedback: (1) the trigger report (campaigns/triggers/stats and the totals of campaigns/status)
// over the counters of 1,000,000 messages — counter rows, never the messages, so it costs the
// same over ten messages or ten million; (2) the cost per email of tracking: composing an email
// of 20 links with links rewritten and the pixel added, against the same email untracked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CounterTally, dayOf, type CounterName } from '../src/core/delivery/counters.js';
import { compose, plannedLinks, type ComposeInput } from '../src/core/delivery/compose.js';
import { LinkBook } from '../src/core/delivery/tracked-links.js';
import type { Catalog, TriggerDef } from '../src/core/catalog/types.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { PostgresStore } from '../src/store/postgres/store.js';
import type { Store } from '../src/core/ports.js';
import { SqliteEvents } from '../src/store/sqlite/events.js';
import { SqliteFeedback } from '../src/store/sqlite/feedback.js';
import { PgEvents } from '../src/store/postgres/events.js';
import { PgFeedback } from '../src/store/postgres/feedback.js';
import type { CounterBump } from '../src/core/delivery/counters.js';
import { median, round } from './lib.js';

export interface ReportResult {
  name: string;
  messages: number;
  days: number;
  /** Median time of the 365-day report (per-day rows) and of the totals. */
  reportMs: number;
  totalsMs: number;
}

export interface RewriteResult {
  name: string;
  links: number;
  /** Tracked as the workers compose: the click tokens name the stored links. */
  trackedUs: number;
  /** Tracked with click tokens that carry their URLs (personalised links, or links not stored). */
  urlTokensUs: number;
  untrackedUs: number;
  /** Untracked time ÷ tracked time: the share of composing's rate kept with tracking on. */
  rateKept: number;
  /** The HTML part's size in each case. */
  htmlBytes: { tracked: number; urlTokens: number; untracked: number };
}

const DAY_MS = 86_400_000;

/** The counters 1,000,000 messages of one trigger leave over `days` days (as the stores tally them). */
function countersOf(messages: number, days: number, end: number): CounterBump[] {
  const tally = new CounterTally();
  const perDay = Math.ceil(messages / days);
  for (let d = 0; d < days; d++) {
    const at = end - (days - 1 - d) * DAY_MS;
    const n = Math.min(perDay, messages - d * perDay);
    if (n <= 0) break;
    const share = (names: CounterName[], k: number) => tally.add(1, 1, at, names, Math.round(n * k));
    share(['scheduled', 'sent'], 1);
    share(['delivered'], 0.97);
    share(['bounced_hard'], 0.02);
    share(['opened_unique'], 0.3);
    share(['opened'], 0.45);
    share(['clicked_unique'], 0.05);
    share(['clicked'], 0.08);
    share(['unsubscribed', 'complained'], 0.002);
  }
  return tally.bumps();
}

async function timeReport(store: Store, days: number, end: number): Promise<{ reportMs: number; totalsMs: number }> {
  const report: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < 50; i++) {
    let t = performance.now();
    const rows = await store.counterDays(1, 1, dayOf(end) - days + 1, dayOf(end));
    report.push(performance.now() - t);
    if (rows.length !== days) throw new Error(`expected ${days} days, got ${rows.length}`);
    t = performance.now();
    await store.counterTotals(1, 1);
    totals.push(performance.now() - t);
  }
  return { reportMs: round(median(report), 2), totalsMs: round(median(totals), 2) };
}

export async function reportBench(opts: { messages: number; postgres?: string }): Promise<ReportResult> {
  const days = 365;
  const end = Date.now();
  const bumps = countersOf(opts.messages, days, end);
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-report-'));
  const store: Store = opts.postgres
    ? new PostgresStore({ url: opts.postgres })
    : new SqliteStore(join(dir, 'herald.db'));
  try {
    await store.migrate();
    // The messages themselves, so the report runs beside a table of that size (it never reads it).
    if (store instanceof SqliteStore) {
      store.db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${opts.messages})
        INSERT INTO messages (account_id, trigger_id, launch_id, profile_id, channel, resource_id, address, status, due_at, created_at, finished_at)
        SELECT 1, 1, 1, 'p' || i, 'email', 1, 'u' || i || '@example.com', 'sent', ${end} - i * 30, ${end} - i * 30, ${end} - i * 30 FROM n`);
      new SqliteFeedback(store.db, new SqliteEvents(store.db)).bump(bumps);
      // The steady state of a running server: the WAL checkpointed (SQLite does so as it goes).
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      store.db.exec('ANALYZE');
    } else if (store instanceof PostgresStore) {
      // In chunks: one statement stays under the server's statement timeout.
      for (let from = 1; from <= opts.messages; from += 100_000) {
        await store.pool.query(
          `INSERT INTO messages (account_id, trigger_id, launch_id, profile_id, channel, resource_id, address, status, due_at, created_at, finished_at)
           SELECT 1, 1, 1, 'p' || i, 'email', 1, 'u' || i || '@example.com', 'sent', $1::bigint - i * 30, $1::bigint - i * 30, $1::bigint - i * 30
           FROM generate_series($2::int, $3::int) AS i`,
          [end, from, Math.min(opts.messages, from + 99_999)],
        );
      }
      await new PgFeedback(new PgEvents()).bump(store.pool, bumps);
      await store.pool.query('ANALYZE');
    }
    const t = await timeReport(store, days, end);
    return {
      name: `trigger report over ${opts.messages.toLocaleString('en')} messages, ${days} days (${opts.postgres ? 'PostgreSQL' : 'SQLite'})`,
      messages: opts.messages,
      days,
      ...t,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function composeInput(track: boolean, links: number): ComposeInput {
  const html = `<html><body><h1>News for {lead._fname}</h1>${Array.from({ length: links }, (_, i) => `<p>Item ${i}: <a href="https://shop.example/item/${i}?utm_source=mail&amp;utm_medium=email">see item ${i}</a></p>`).join('')}<p><a href="{unsubscribe}">Unsubscribe</a></p></body></html>`;
  const trigger = {
    id: 1,
    accountId: 1,
    name: 't',
    content: [{ message_id: 1 }],
    trackOpens: track,
    trackClicks: track,
  } as unknown as TriggerDef;
  const catalog = {
    accountId: 1,
    version: 1,
    databases: new Map(),
    resources: new Map([
      [
        1,
        {
          id: 1,
          accountId: 1,
          name: 'r',
          dbIds: [1],
          channels: { email: { sender: 'mail', from_email: 'shop@example.com' } },
        },
      ],
    ]),
    templates: new Map([
      [1, { id: 1, accountId: 1, name: 'n', channels: { email: { subject: 'Hi {lead._fname}', html, text: 'Hi' } } }],
    ]),
    triggers: new Map([[1, trigger]]),
    senders: new Map(),
    hooks: [],
  } as unknown as Catalog;
  const subscription = {
    resourceId: 1,
    channel: 'email' as const,
    address: 'ann@example.com',
    status: 0,
    priority: 0,
    data: { email: 'ann@example.com' },
    createdAt: 0,
    updatedAt: 0,
  };
  return {
    message: {
      id: 1,
      accountId: 1,
      triggerId: 1,
      launchId: 1,
      profileId: 'p',
      channel: 'email',
      resourceId: 1,
      address: 'ann@example.com',
      attempts: 1,
      variant: 0,
      customData: null,
      claimToken: 'x',
      reclaimed: false,
    },
    profile: {
      seq: 1,
      id: 'p',
      accountId: 1,
      dbId: 1,
      fields: { _fname: 'Ann' },
      createdAt: 0,
      updatedAt: 0,
      subscriptions: [subscription],
    },
    subscription,
    trigger,
    catalog,
    launch: undefined,
    publicUrl: 'https://herald.example',
    secret: 'bench-secret-0123456789abcdef',
  };
}

function usPerEmail(input: ComposeInput, n: number): number {
  for (let i = 0; i < 500; i++) compose(input);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) compose({ ...input, message: { ...input.message, id: i + 1 } });
    runs.push(((performance.now() - t) * 1000) / n);
  }
  return median(runs);
}

/** The input with the ids of its stored links known, as a delivery worker has them. */
function withStoredLinks(input: ComposeInput): ComposeInput {
  const book = new LinkBook();
  const links = plannedLinks(input.catalog, input.trigger, 0);
  links.forEach((l, i) => book.remember(1, 1, 1000 + i, l));
  return { ...input, linkRef: book.refOf(1, 1) };
}

export function rewriteBench(opts: { emails: number; links?: number }): RewriteResult {
  const links = opts.links ?? 20;
  const trackedUs = usPerEmail(withStoredLinks(composeInput(true, links)), opts.emails);
  const urlTokensUs = usPerEmail(composeInput(true, links), opts.emails);
  const untrackedUs = usPerEmail(composeInput(false, links), opts.emails);
  const bytes = (input: ComposeInput) => Buffer.byteLength(String((compose(input) as { html?: string }).html));
  return {
    name: `composing an email of ${links} links, tracked (links rewritten, pixel) vs not`,
    links,
    trackedUs: round(trackedUs, 1),
    urlTokensUs: round(urlTokensUs, 1),
    untrackedUs: round(untrackedUs, 1),
    rateKept: round(untrackedUs / trackedUs, 2),
    htmlBytes: {
      tracked: bytes(withStoredLinks(composeInput(true, links))),
      urlTokens: bytes(composeInput(true, links)),
      untracked: bytes(composeInput(false, links)),
    },
  };
}
