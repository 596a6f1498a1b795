// Read models on PostgreSQL: the message list and the campaign log (see the SQLite twin).
import type { LogEntry, MessageFilter, MessageRecord } from '../../core/delivery/report-port.js';
import { toMessageRecord, type MessageRow } from '../shared/rows.js';
import type { Queryable } from './open.js';
import type { MessageStatus } from '../../core/triggers/store-port.js';

const s = {
  log: `SELECT time, kind, value, address, detail FROM (
     SELECT l.created_at AS time, 'launch' AS kind, l.id AS id,
       (SELECT COUNT(*) FROM messages m WHERE m.id BETWEEN l.first_message_id AND l.last_message_id AND m.launch_id = l.id) AS value,
       NULL::text AS address, l.kind AS detail
     FROM launches l WHERE l.account_id = $1 AND l.trigger_id = $2 AND l.created_at >= $3
     UNION ALL
     SELECT m.finished_at, m.status, m.id, m.id, m.address, COALESCE(m.receipt_reason, m.last_error, m.skip_reason)
     FROM messages m WHERE m.trigger_id = $2 AND m.account_id = $1 AND m.finished_at IS NOT NULL AND m.finished_at >= $3
   ) e ORDER BY time, kind <> 'launch', id LIMIT $4`,
  logCount: `SELECT (SELECT COUNT(*) FROM launches WHERE account_id = $1 AND trigger_id = $2 AND created_at >= $3)
        + (SELECT COUNT(*) FROM messages WHERE trigger_id = $2 AND account_id = $1 AND finished_at IS NOT NULL AND finished_at >= $3) AS n`,
  counts: 'SELECT status, COUNT(*) AS n FROM messages WHERE trigger_id = $1 AND account_id = $2 GROUP BY status',
} as const;

export class PgReports {
  /** The filter makes the statement: it is built per call. */
  async listMessages(db: Queryable, f: MessageFilter): Promise<{ rows: MessageRecord[]; total: number }> {
    const params: unknown[] = [f.accountId];
    const where = ['account_id = $1'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.triggerId !== undefined) add('trigger_id = ?', f.triggerId);
    if (f.profileId !== undefined) add('profile_id = ?', f.profileId);
    if (f.statuses && f.statuses.length > 0) add('status = ANY(?::text[])', f.statuses);
    if (f.fromTime !== undefined) add('created_at >= ?', f.fromTime);
    const filter = where.join(' AND ');
    const total = (await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE ${filter}`, params)).rows[0]
      .n;
    const pageParams = [...params];
    let page = filter;
    if (f.fromId !== undefined) {
      pageParams.push(f.fromId);
      page += ` AND id ${f.newestFirst ? '<=' : '>='} $${pageParams.length}`;
    }
    pageParams.push(f.limit);
    const rows = (
      await db.query<MessageRow>(
        `SELECT * FROM messages WHERE ${page} ORDER BY id ${f.newestFirst ? 'DESC' : ''} LIMIT $${pageParams.length}`,
        pageParams,
      )
    ).rows;
    return {
      total,
      rows: rows.map(toMessageRecord),
    };
  }

  async campaignLog(
    db: Queryable,
    accountId: number,
    triggerId: number,
    fromTime: number,
    limit: number,
  ): Promise<{ entries: LogEntry[]; total: number }> {
    const params = [accountId, triggerId, fromTime];
    const entries = (await db.query<LogEntry>(s.log, [...params, limit])).rows;
    const total = (await db.query<{ n: number }>(s.logCount, params)).rows[0].n;
    return { entries, total };
  }

  async triggerCounts(
    db: Queryable,
    accountId: number,
    triggerId: number,
  ): Promise<Partial<Record<MessageStatus, number>>> {
    const out: Partial<Record<MessageStatus, number>> = {};
    const r = await db.query<{ status: MessageStatus; n: number }>(s.counts, [triggerId, accountId]);
    for (const row of r.rows) out[row.status] = row.n;
    return out;
  }
}
