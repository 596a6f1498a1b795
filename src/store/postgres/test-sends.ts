// Test sends on PostgreSQL: queued in the request's transaction, claimed (scheduled → sending)
// with FOR UPDATE SKIP LOCKED, so two workers never take one, and finished once.
import type {
  ClaimedTestSend,
  StoredTestSend,
  TestSendOutcome,
  TestSendWrite,
} from '../../core/delivery/test-send-port.js';
import {
  claimedTestSend,
  storedTestSend,
  TEST_SEND_COLUMNS,
  type ClaimedTestSendRow,
  type TestSendRow,
} from '../shared/test-send-rows.js';
import type { Queryable } from './open.js';

const s = {
  insert: `INSERT INTO test_sends (account_id, template_id, channel, resource_id, address, content, status, created_at)
   VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7) RETURNING id`,
  count: 'SELECT count(*)::int AS n FROM test_sends WHERE account_id = $1 AND created_at >= $2',
  claim: `WITH picked AS (SELECT id FROM test_sends WHERE status = 'scheduled' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
   UPDATE test_sends t SET status = 'sending' FROM picked WHERE t.id = picked.id
   RETURNING t.id, t.account_id, t.resource_id, t.address, t.content`,
  finish:
    "UPDATE test_sends SET status = $1, error = $2, provider_id = $3, sent_at = $4 WHERE id = $5 AND status = 'sending'",
  list: `SELECT ${TEST_SEND_COLUMNS} FROM test_sends WHERE account_id = $1 AND ($2::int IS NULL OR template_id = $2)
   ORDER BY id DESC LIMIT $3`,
  purge: 'DELETE FROM test_sends WHERE created_at < $1',
} as const;

export class PgTestSends {
  async insertTestSend(db: Queryable, w: TestSendWrite): Promise<number> {
    const r = await db.query<{ id: number }>(s.insert, [
      w.accountId,
      w.templateId,
      w.content.channel,
      w.resourceId,
      w.address,
      JSON.stringify(w.content),
      w.now,
    ]);
    return Number(r.rows[0].id);
  }

  async countTestSends(db: Queryable, accountId: number, since: number): Promise<number> {
    return (await db.query<{ n: number }>(s.count, [accountId, since])).rows[0].n;
  }

  async claimTestSends(db: Queryable, limit: number): Promise<ClaimedTestSend[]> {
    const r = await db.query<ClaimedTestSendRow>(s.claim, [limit]);
    return r.rows.map(claimedTestSend).sort((a, b) => a.id - b.id);
  }

  async finishTestSend(db: Queryable, id: number, o: TestSendOutcome, now: number): Promise<void> {
    await db.query(
      s.finish,
      o.status === 'sent' ? ['sent', null, o.providerId ?? null, now, id] : ['failed', o.error, null, null, id],
    );
  }

  async listTestSends(
    db: Queryable,
    accountId: number,
    opts: { templateId?: number; limit: number },
  ): Promise<StoredTestSend[]> {
    const r = await db.query<TestSendRow>(s.list, [accountId, opts.templateId ?? null, opts.limit]);
    return r.rows.map(storedTestSend);
  }

  /** Test sends older than the messages' retention. */
  async purge(db: Queryable, before: number): Promise<number> {
    return (await db.query(s.purge, [before])).rowCount ?? 0;
  }
}
