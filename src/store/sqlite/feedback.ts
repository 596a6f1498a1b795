// Stop lists, opens and clicks, and the report counters on SQLite (spec 07). Counters are
// bumped by the statements that write what they count, in the same transaction.
import type { Statement } from 'better-sqlite3';
import { type CounterBump, type CounterName, CounterTally } from '../../core/delivery/counters.js';
import { counterObject, counterRecord } from '../shared/counters.js';
import type { AccountEvent, TrackingResult, TrackingWrite } from '../../core/delivery/store-port.js';
import {
  suppressionKey,
  type SuppressionEntry,
  type SuppressionEntryFilter,
  type SuppressionKind,
  type SuppressionList,
  type SuppressionValue,
} from '../../core/delivery/suppression-port.js';
import type { TrackedLink } from '../../core/delivery/tracked-links.js';
import { idsInOrder, linkRows } from '../shared/links.js';
import type { SqliteEvents } from './events.js';
import type { SqliteDb } from './open.js';

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
  (SELECT COUNT(*) FROM suppression_entries e WHERE e.list_id = l.id AND e.kind = 'email') AS emails,
  (SELECT COUNT(*) FROM suppression_entries e WHERE e.list_id = l.id AND e.kind = 'domain') AS domains,
  (SELECT COUNT(*) FROM suppression_entries e WHERE e.list_id = l.id AND e.kind = 'phone') AS phones
  FROM suppression_lists l`;

const toList = (r: ListRow): SuppressionList => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  counts: { email: r.emails, domain: r.domains, phone: r.phones },
});

export class SqliteFeedback {
  private readonly s: Record<string, Statement>;

  /** `events`: the outbox the hook events of opens and clicks go to. */
  constructor(
    db: SqliteDb,
    private readonly events: SqliteEvents,
  ) {
    this.s = {
      bump: db.prepare(
        'INSERT INTO report_counters (account_id, trigger_id, day, name, n) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n',
      ),
      totals: db.prepare(
        'SELECT name, SUM(n) AS n FROM report_counters WHERE account_id = ? AND trigger_id = ? GROUP BY name',
      ),
      days: db.prepare(
        // One row a day (its counters as one JSON object), not one a counter: a year is 365 rows, not ~4,000.
        `SELECT day, json_group_object(name, n) AS c FROM report_counters
         WHERE account_id = ? AND trigger_id = ? AND day BETWEEN ? AND ? GROUP BY day ORDER BY day`,
      ),
      lists: db.prepare(`${LIST_SELECT} WHERE l.account_id = ? AND l.id >= ? ORDER BY l.id LIMIT ?`),
      list: db.prepare(`${LIST_SELECT} WHERE l.account_id = ? AND l.id = ?`),
      insertList: db.prepare(
        'INSERT INTO suppression_lists (account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)',
      ),
      renameList: db.prepare('UPDATE suppression_lists SET name = ?, updated_at = ? WHERE id = ? AND account_id = ?'),
      deleteList: db.prepare('DELETE FROM suppression_lists WHERE id = ? AND account_id = ?'),
      deleteEntries: db.prepare('DELETE FROM suppression_entries WHERE list_id = ?'),
      addEntries: db.prepare(
        'INSERT INTO suppression_entries (list_id, kind, value, account_id, created_at) SELECT ?, ?, value, ?, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING',
      ),
      removeEntries: db.prepare(
        'DELETE FROM suppression_entries WHERE list_id = ? AND kind = ? AND value IN (SELECT value FROM json_each(?))',
      ),
      clearEntries: db.prepare('DELETE FROM suppression_entries WHERE list_id = ? AND kind = ?'),
      entries: db.prepare(
        `SELECT kind, value, created_at FROM suppression_entries WHERE list_id = ? AND (? IS NULL OR kind = ?) AND instr(value, ?) > 0
         ORDER BY created_at DESC, kind, value LIMIT ? OFFSET ?`,
      ),
      entryCount: db.prepare(
        'SELECT COUNT(*) AS n FROM suppression_entries WHERE list_id = ? AND (? IS NULL OR kind = ?) AND instr(value, ?) > 0',
      ),
      onList: db.prepare(
        'SELECT value FROM suppression_entries WHERE list_id = ? AND kind = ? AND value IN (SELECT value FROM json_each(?))',
      ),
      insertLinks: db.prepare(
        `INSERT INTO tracked_links (account_id, trigger_id, position, url_hash, url)
         SELECT ?, ?, j.value ->> 0, j.value ->> 1, j.value ->> 2 FROM json_each(?) j WHERE true ON CONFLICT DO NOTHING`,
      ),
      linkIds: db.prepare(
        `SELECT t.id, t.position, t.url_hash FROM json_each(?) j
         JOIN tracked_links t ON t.account_id = ? AND t.trigger_id = ? AND t.position = j.value ->> 0 AND t.url_hash = j.value ->> 1`,
      ),
      link: db.prepare('SELECT position, url FROM tracked_links WHERE id = ? AND account_id = ? AND trigger_id = ?'),
      suppressed: db.prepare(
        `SELECT DISTINCT e.kind, e.value FROM suppression_entries e
         JOIN (SELECT json_extract(j.value, '$[0]') AS kind, json_extract(j.value, '$[1]') AS value FROM json_each(?) j) x ON e.kind = x.kind AND e.value = x.value
         WHERE e.account_id = ?`,
      ),
      mark: db.prepare(
        'INSERT INTO tracking_marks (message_id, mark, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      trackingEvent: db.prepare(
        'INSERT INTO tracking_events (account_id, trigger_id, message_id, kind, link, url, ip, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      purgeMarks: db.prepare('DELETE FROM tracking_marks WHERE created_at < ?'),
      purgeTracking: db.prepare('DELETE FROM tracking_events WHERE created_at < ?'),
    };
  }

  /** Writes a tally's increments: one statement per counter row. */
  bump(bumps: CounterBump[]): void {
    for (const b of bumps) this.s.bump.run(b.accountId, b.triggerId, b.day, b.name, b.n);
  }

  counterTotals(accountId: number, triggerId: number): Partial<Record<CounterName, number>> {
    return counterRecord(this.s.totals.all(accountId, triggerId) as { name: string; n: number }[]);
  }

  counterDays(
    accountId: number,
    triggerId: number,
    fromDay: number,
    toDay: number,
  ): { day: number; counters: Partial<Record<CounterName, number>> }[] {
    const rows = this.s.days.all(accountId, triggerId, fromDay, toDay) as { day: number; c: string }[];
    return rows.map((r) => ({ day: r.day, counters: counterObject(r.c) }));
  }

  listSuppressionLists(accountId: number, fromId: number, limit: number): SuppressionList[] {
    return (this.s.lists.all(accountId, fromId, limit) as ListRow[]).map(toList);
  }

  getSuppressionList(accountId: number, id: number): SuppressionList | undefined {
    const r = this.s.list.get(accountId, id) as ListRow | undefined;
    return r ? toList(r) : undefined;
  }

  listSuppressions(listId: number, f: SuppressionEntryFilter): { rows: SuppressionEntry[]; total: number } {
    const where = [listId, f.kind ?? null, f.kind ?? null, f.search ?? ''];
    const rows = this.s.entries.all(...where, f.limit, f.offset) as {
      kind: SuppressionKind;
      value: string;
      created_at: number;
    }[];
    const total = (this.s.entryCount.get(...where) as { n: number }).n;
    return { rows: rows.map((r) => ({ kind: r.kind, value: r.value, createdAt: r.created_at })), total };
  }

  suppressedOnList(listId: number, kind: SuppressionKind, values: string[]): Set<string> {
    return new Set(
      (this.s.onList.all(listId, kind, JSON.stringify(values)) as { value: string }[]).map((r) => r.value),
    );
  }

  saveSuppressionList(accountId: number, list: { id?: number; name: string }, now: number): number | undefined {
    if (list.id === undefined) return Number(this.s.insertList.run(accountId, list.name, now, now).lastInsertRowid);
    return this.s.renameList.run(list.name, now, list.id, accountId).changes > 0 ? list.id : undefined;
  }

  deleteSuppressionList(accountId: number, id: number): boolean {
    if (this.s.deleteList.run(id, accountId).changes === 0) return false;
    this.s.deleteEntries.run(id);
    return true;
  }

  addSuppressions(accountId: number, listId: number, kind: SuppressionKind, values: string[], now: number): number {
    return this.s.addEntries.run(listId, kind, accountId, now, JSON.stringify(values)).changes;
  }

  removeSuppressions(listId: number, kind: SuppressionKind, values: string[] | undefined): number {
    return values === undefined
      ? this.s.clearEntries.run(listId, kind).changes
      : this.s.removeEntries.run(listId, kind, JSON.stringify(values)).changes;
  }

  suppressedValues(accountId: number, values: SuppressionValue[]): Set<string> {
    if (values.length === 0) return new Set();
    const rows = this.s.suppressed.all(
      JSON.stringify(values.map((v) => [v.kind, v.value])),
      accountId,
    ) as SuppressionValue[];
    return new Set(rows.map(suppressionKey));
  }

  /** The ids of a trigger's links, those not stored yet inserted (one statement each way). */
  trackedLinkIds(accountId: number, triggerId: number, links: TrackedLink[]): number[] {
    const rows = JSON.stringify(linkRows(links));
    this.s.insertLinks.run(accountId, triggerId, rows);
    const found = this.s.linkIds.all(rows, accountId, triggerId) as {
      id: number;
      position: number;
      url_hash: string;
    }[];
    return idsInOrder(links, found);
  }

  findTrackedLink(accountId: number, triggerId: number, id: number): TrackedLink | undefined {
    return this.s.link.get(id, accountId, triggerId) as TrackedLink | undefined;
  }

  recordTracking(t: TrackingWrite, now: number): TrackingResult {
    const s = this.s;
    const marked = (mark: string) => s.mark.run(t.messageId, mark, now).changes > 0;
    s.trackingEvent.run(
      t.accountId,
      t.triggerId,
      t.messageId,
      t.kind,
      t.link ?? null,
      t.url ?? null,
      t.ip,
      t.userAgent,
      now,
    );
    const click = t.kind === 'click';
    const firstClick = click && marked('c');
    const firstLinkClick = click && marked(`c${t.link ?? 0}`);
    const firstOpen = marked('o');
    const tally = new CounterTally();
    const opened = !click || firstOpen;
    if (opened) tally.add(t.accountId, t.triggerId, now, firstOpen ? ['opened', 'opened_unique'] : ['opened']);
    if (click) tally.add(t.accountId, t.triggerId, now, firstClick ? ['clicked', 'clicked_unique'] : ['clicked']);
    this.bump(tally.bumps());
    const events = [
      firstOpen ? t.events.uopen : undefined,
      opened ? t.events.open : undefined,
      firstLinkClick ? t.events.uclick : undefined,
      click ? t.events.click : undefined,
    ];
    this.events.insertEvents(
      events.filter((e): e is AccountEvent => e !== undefined),
      now,
    );
    return { firstOpen, firstClick, firstLinkClick };
  }

  /** Opens and clicks older than the messages' retention. */
  purge(before: number): void {
    this.s.purgeMarks.run(before);
    this.s.purgeTracking.run(before);
  }
}
