// Stop lists, opens and clicks, and the report counters on PostgreSQL (spec 07; see the SQLite
// file of the same name). Counter rows are upserted in one statement per write, in key order, so
// two transactions bumping the same rows wait for each other instead of deadlocking.
import { CounterTally, type CounterBump, type CounterName } from '../../core/delivery/counters.js';
import type { AccountEvent, TrackingResult, TrackingWrite } from '../../core/delivery/store-port.js';
import {
  suppressionKey,
  type SuppressionEntry,
  type SuppressionEntryFilter,
  type SuppressionKind,
  type SuppressionList,
  type SuppressionValue,
} from '../../core/delivery/suppression-port.js';
import { counterObject, counterRecord } from '../shared/counters.js';
import type { TrackedLink } from '../../core/delivery/tracked-links.js';
import { idsInOrder, linkRows } from '../shared/links.js';
import type { PgEvents } from './events.js';
import type { Queryable } from './open.js';

interface ListRow {
  id: number;
  name: string;
  created_at: number;
  updated_at: number;
  emails: number;
  domains: number;
  phones: number;
}

const LIST_SELECT = `SELECT l.id, l.name, l.created_at, l.updated_at,
  (SELECT COUNT(*)::int FROM suppression_entries e WHERE e.list_id = l.id AND e.kind = 'email') AS emails,
  (SELECT COUNT(*)::int FROM suppression_entries e WHERE e.list_id = l.id AND e.kind = 'domain') AS domains,
  (SELECT COUNT(*)::int FROM suppression_entries e WHERE e.list_id = l.id AND e.kind = 'phone') AS phones
  FROM suppression_lists l`;

const ENTRY_FILTER = 'list_id = $1 AND ($2::text IS NULL OR kind = $2) AND strpos(value, $3) > 0';

const toList = (r: ListRow): SuppressionList => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  counts: { email: r.emails, domain: r.domains, phone: r.phones },
});

/** Adds counter bumps (`$1`, as `bumpsJson` gives them); a statement may use it as a WITH item. */
export const bumpSql = `INSERT INTO report_counters (account_id, trigger_id, day, name, n)
   SELECT x.account_id, x.trigger_id, x.day, x.name, x.n FROM json_to_recordset($1::json) AS x(account_id int, trigger_id int, day int, name text, n bigint)
   ON CONFLICT (account_id, trigger_id, day, name) DO UPDATE SET n = report_counters.n + EXCLUDED.n`;

/** The bumps as `bumpSql`'s parameter, in key order (concurrent writers lock counter rows in one order: no deadlock). */
export function bumpsJson(bumps: CounterBump[]): string {
  const rows = [...bumps].sort(
    (a, b) =>
      a.accountId - b.accountId ||
      a.triggerId - b.triggerId ||
      a.day - b.day ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return JSON.stringify(
    rows.map((b) => ({ account_id: b.accountId, trigger_id: b.triggerId, day: b.day, name: b.name, n: b.n })),
  );
}

const s = {
  insertLinks: `INSERT INTO tracked_links (account_id, trigger_id, position, url_hash, url)
   SELECT $1, $2, x.position, x.url_hash, x.url FROM json_to_recordset($3::json) AS x(position int, url_hash text, url text)
   ON CONFLICT (account_id, trigger_id, position, url_hash) DO NOTHING`,
  linkIds: `SELECT t.id, t.position, t.url_hash FROM json_to_recordset($3::json) AS x(position int, url_hash text)
   JOIN tracked_links t ON t.account_id = $1 AND t.trigger_id = $2 AND t.position = x.position AND t.url_hash = x.url_hash`,
  link: 'SELECT position, url FROM tracked_links WHERE id = $1 AND account_id = $2 AND trigger_id = $3',
  bump: bumpSql,
  totals:
    'SELECT name, SUM(n)::bigint AS n FROM report_counters WHERE account_id = $1 AND trigger_id = $2 GROUP BY name',
  // One row a day (its counters as one JSON object), not one a counter: a year is 365 rows, not ~4,000.
  days: `SELECT day, json_object_agg(name, n) AS c FROM report_counters
   WHERE account_id = $1 AND trigger_id = $2 AND day BETWEEN $3 AND $4 GROUP BY day ORDER BY day`,
  lists: `${LIST_SELECT} WHERE l.account_id = $1 AND l.id >= $2 ORDER BY l.id LIMIT $3`,
  list: `${LIST_SELECT} WHERE l.account_id = $1 AND l.id = $2`,
  entries: `SELECT kind, value, created_at FROM suppression_entries WHERE ${ENTRY_FILTER} ORDER BY created_at DESC, kind, value LIMIT $4 OFFSET $5`,
  entryCount: `SELECT COUNT(*)::int AS n FROM suppression_entries WHERE ${ENTRY_FILTER}`,
  onList: 'SELECT value FROM suppression_entries WHERE list_id = $1 AND kind = $2 AND value = ANY($3::text[])',
  insertList:
    'INSERT INTO suppression_lists (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id',
  renameList: 'UPDATE suppression_lists SET name = $1, updated_at = $2 WHERE id = $3 AND account_id = $4',
  deleteList: 'DELETE FROM suppression_lists WHERE id = $1 AND account_id = $2',
  deleteEntries: 'DELETE FROM suppression_entries WHERE list_id = $1',
  addEntries: `INSERT INTO suppression_entries (list_id, kind, value, account_id, created_at)
   SELECT $1, $2, v, $3, $4 FROM unnest($5::text[]) AS v ORDER BY v ON CONFLICT DO NOTHING`,
  clearEntries: 'DELETE FROM suppression_entries WHERE list_id = $1 AND kind = $2',
  removeEntries: 'DELETE FROM suppression_entries WHERE list_id = $1 AND kind = $2 AND value = ANY($3::text[])',
  suppressed: `SELECT DISTINCT e.kind, e.value FROM suppression_entries e
   JOIN unnest($2::text[], $3::text[]) AS x(kind, value) ON e.kind = x.kind AND e.value = x.value
   WHERE e.account_id = $1`,
  trackingEvent:
    'INSERT INTO tracking_events (account_id, trigger_id, message_id, kind, link, url, ip, user_agent, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
  marks: `INSERT INTO tracking_marks (message_id, mark, created_at) SELECT $1, m, $2 FROM unnest($3::text[]) AS m ORDER BY m
   ON CONFLICT DO NOTHING RETURNING mark`,
  purgeMarks: 'DELETE FROM tracking_marks WHERE created_at < $1',
  purgeTracking: 'DELETE FROM tracking_events WHERE created_at < $1',
} as const;

export class PgFeedback {
  /** `events`: the outbox the hook events of opens and clicks go to. */
  constructor(private readonly events: PgEvents) {}

  /** Writes a tally's increments: one statement, the rows in key order. */
  async bump(db: Queryable, bumps: CounterBump[]): Promise<void> {
    if (bumps.length === 0) return;
    await db.query(s.bump, [bumpsJson(bumps)]);
  }

  async counterTotals(
    db: Queryable,
    accountId: number,
    triggerId: number,
  ): Promise<Partial<Record<CounterName, number>>> {
    const r = await db.query<{ name: string; n: number }>(s.totals, [accountId, triggerId]);
    return counterRecord(r.rows);
  }

  async counterDays(
    db: Queryable,
    accountId: number,
    triggerId: number,
    fromDay: number,
    toDay: number,
  ): Promise<{ day: number; counters: Partial<Record<CounterName, number>> }[]> {
    const r = await db.query<{ day: number; c: Record<string, number | string> }>(s.days, [
      accountId,
      triggerId,
      fromDay,
      toDay,
    ]);
    return r.rows.map((row) => ({ day: row.day, counters: counterObject(row.c) }));
  }

  async listSuppressionLists(
    db: Queryable,
    accountId: number,
    fromId: number,
    limit: number,
  ): Promise<SuppressionList[]> {
    return (await db.query<ListRow>(s.lists, [accountId, fromId, limit])).rows.map(toList);
  }

  async getSuppressionList(db: Queryable, accountId: number, id: number): Promise<SuppressionList | undefined> {
    const r = (await db.query<ListRow>(s.list, [accountId, id])).rows[0];
    return r ? toList(r) : undefined;
  }

  async listSuppressions(
    db: Queryable,
    listId: number,
    f: SuppressionEntryFilter,
  ): Promise<{ rows: SuppressionEntry[]; total: number }> {
    const args = [listId, f.kind ?? null, f.search ?? ''];
    const rows = await db.query<{ kind: SuppressionKind; value: string; created_at: string }>(s.entries, [
      ...args,
      f.limit,
      f.offset,
    ]);
    const total = await db.query<{ n: number }>(s.entryCount, args);
    return {
      rows: rows.rows.map((r) => ({ kind: r.kind, value: r.value, createdAt: Number(r.created_at) })),
      total: total.rows[0].n,
    };
  }

  async suppressedOnList(db: Queryable, listId: number, kind: SuppressionKind, values: string[]): Promise<Set<string>> {
    const r = await db.query<{ value: string }>(s.onList, [listId, kind, values]);
    return new Set(r.rows.map((x) => x.value));
  }

  async saveSuppressionList(
    db: Queryable,
    accountId: number,
    list: { id?: number; name: string },
    now: number,
  ): Promise<number | undefined> {
    if (list.id === undefined)
      return (await db.query<{ id: number }>(s.insertList, [accountId, list.name, now])).rows[0].id;
    const r = await db.query(s.renameList, [list.name, now, list.id, accountId]);
    return (r.rowCount ?? 0) > 0 ? list.id : undefined;
  }

  async deleteSuppressionList(db: Queryable, accountId: number, id: number): Promise<boolean> {
    const r = await db.query(s.deleteList, [id, accountId]);
    if ((r.rowCount ?? 0) === 0) return false;
    await db.query(s.deleteEntries, [id]);
    return true;
  }

  async addSuppressions(
    db: Queryable,
    accountId: number,
    listId: number,
    kind: SuppressionKind,
    values: string[],
    now: number,
  ): Promise<number> {
    const r = await db.query(s.addEntries, [listId, kind, accountId, now, values]);
    return r.rowCount ?? 0;
  }

  async removeSuppressions(
    db: Queryable,
    listId: number,
    kind: SuppressionKind,
    values: string[] | undefined,
  ): Promise<number> {
    const r =
      values === undefined
        ? await db.query(s.clearEntries, [listId, kind])
        : await db.query(s.removeEntries, [listId, kind, values]);
    return r.rowCount ?? 0;
  }

  async suppressedValues(db: Queryable, accountId: number, values: SuppressionValue[]): Promise<Set<string>> {
    if (values.length === 0) return new Set();
    const r = await db.query<SuppressionValue>(s.suppressed, [
      accountId,
      values.map((v) => v.kind),
      values.map((v) => v.value),
    ]);
    return new Set(r.rows.map(suppressionKey));
  }

  /** The ids of a trigger's links, those not stored yet inserted (a concurrent insert of the same link is waited for). */
  async trackedLinkIds(db: Queryable, accountId: number, triggerId: number, links: TrackedLink[]): Promise<number[]> {
    const rows = JSON.stringify(linkRows(links).map(([position, url_hash, url]) => ({ position, url_hash, url })));
    await db.query(s.insertLinks, [accountId, triggerId, rows]);
    const found = await db.query<{ id: number; position: number; url_hash: string }>(s.linkIds, [
      accountId,
      triggerId,
      rows,
    ]);
    return idsInOrder(links, found.rows);
  }

  async findTrackedLink(
    db: Queryable,
    accountId: number,
    triggerId: number,
    id: number,
  ): Promise<TrackedLink | undefined> {
    return (await db.query<TrackedLink>(s.link, [id, accountId, triggerId])).rows[0];
  }

  async recordTracking(db: Queryable, t: TrackingWrite, now: number): Promise<TrackingResult> {
    await db.query(s.trackingEvent, [
      t.accountId,
      t.triggerId,
      t.messageId,
      t.kind,
      t.link ?? null,
      t.url ?? null,
      t.ip,
      t.userAgent,
      now,
    ]);
    const click = t.kind === 'click';
    const marks = click ? ['c', `c${t.link ?? 0}`, 'o'] : ['o'];
    const r = await db.query<{ mark: string }>(s.marks, [t.messageId, now, marks]);
    const fresh = new Set(r.rows.map((x) => x.mark));
    const firstOpen = fresh.has('o');
    const firstClick = click && fresh.has('c');
    const firstLinkClick = click && fresh.has(`c${t.link ?? 0}`);
    const opened = !click || firstOpen;
    const tally = new CounterTally();
    if (opened) tally.add(t.accountId, t.triggerId, now, firstOpen ? ['opened', 'opened_unique'] : ['opened']);
    if (click) tally.add(t.accountId, t.triggerId, now, firstClick ? ['clicked', 'clicked_unique'] : ['clicked']);
    await this.bump(db, tally.bumps());
    const events = [
      firstOpen ? t.events.uopen : undefined,
      opened ? t.events.open : undefined,
      firstLinkClick ? t.events.uclick : undefined,
      click ? t.events.click : undefined,
    ];
    await this.events.insertEvents(
      db,
      events.filter((e): e is AccountEvent => e !== undefined),
      now,
    );
    return { firstOpen, firstClick, firstLinkClick };
  }

  /** Opens and clicks older than the messages' retention. */
  async purge(db: Queryable, before: number): Promise<void> {
    await db.query(s.purgeMarks, [before]);
    await db.query(s.purgeTracking, [before]);
  }
}
