// Read models on SQLite: the message list and the campaign log, paged, with total counts.
import type { LogEntry, MessageFilter, MessageRecord } from '../../core/delivery/report-port.js';
import { toMessageRecord, type MessageRow } from '../shared/rows.js';
import type { SqliteDb } from './open.js';
import type { MessageStatus } from '../../core/triggers/store-port.js';

export class SqliteReports {
  private readonly s;

  constructor(private readonly db: SqliteDb) {
    this.s = {
      log: db.prepare(
        `SELECT time, kind, value, address, detail FROM (
           SELECT l.created_at AS time, 'launch' AS kind, l.id AS id,
             (SELECT COUNT(*) FROM messages m WHERE m.id BETWEEN l.first_message_id AND l.last_message_id AND m.launch_id = l.id) AS value,
             NULL AS address, l.kind AS detail
           FROM launches l WHERE l.account_id = @account AND l.trigger_id = @trigger AND l.created_at >= @from
           UNION ALL
           SELECT m.finished_at, m.status, m.id, m.id, m.address, COALESCE(m.receipt_reason, m.last_error, m.skip_reason)
           FROM messages m WHERE m.trigger_id = @trigger AND m.account_id = @account AND m.finished_at IS NOT NULL AND m.finished_at >= @from
         ) ORDER BY time, kind <> 'launch', id LIMIT @limit`,
      ),
      logCount: db.prepare(
        `SELECT (SELECT COUNT(*) FROM launches WHERE account_id = @account AND trigger_id = @trigger AND created_at >= @from)
              + (SELECT COUNT(*) FROM messages WHERE trigger_id = @trigger AND account_id = @account AND finished_at IS NOT NULL AND finished_at >= @from) AS n`,
      ),
      counts: db.prepare(
        'SELECT status, COUNT(*) AS n FROM messages WHERE trigger_id = ? AND account_id = ? GROUP BY status',
      ),
    };
  }

  listMessages(f: MessageFilter): { rows: MessageRecord[]; total: number } {
    const where = ['account_id = @account'];
    const params: Record<string, unknown> = { account: f.accountId, limit: f.limit };
    if (f.triggerId !== undefined) {
      where.push('trigger_id = @trigger');
      params.trigger = f.triggerId;
    }
    if (f.profileId !== undefined) {
      where.push('profile_id = @profile');
      params.profile = f.profileId;
    }
    if (f.statuses && f.statuses.length > 0) {
      where.push('status IN (SELECT value FROM json_each(@statuses))');
      params.statuses = JSON.stringify(f.statuses);
    }
    if (f.fromTime !== undefined) {
      where.push('created_at >= @fromTime');
      params.fromTime = f.fromTime;
    }
    const filter = where.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE ${filter}`).get(params) as { n: number })
      .n;
    const page = f.fromId !== undefined ? `${filter} AND id ${f.newestFirst ? '<=' : '>='} @fromId` : filter;
    if (f.fromId !== undefined) params.fromId = f.fromId;
    const rows = this.db
      .prepare(`SELECT * FROM messages WHERE ${page} ORDER BY id ${f.newestFirst ? 'DESC' : ''} LIMIT @limit`)
      .all(params) as MessageRow[];
    return {
      total,
      rows: rows.map(toMessageRecord),
    };
  }

  campaignLog(
    accountId: number,
    triggerId: number,
    fromTime: number,
    limit: number,
  ): { entries: LogEntry[]; total: number } {
    const params = { account: accountId, trigger: triggerId, from: fromTime, limit };
    const entries = this.s.log.all(params) as LogEntry[];
    return { entries, total: (this.s.logCount.get(params) as { n: number }).n };
  }

  triggerCounts(accountId: number, triggerId: number): Partial<Record<MessageStatus, number>> {
    const out: Partial<Record<MessageStatus, number>> = {};
    for (const r of this.s.counts.all(triggerId, accountId) as { status: MessageStatus; n: number }[])
      out[r.status] = r.n;
    return out;
  }
}
