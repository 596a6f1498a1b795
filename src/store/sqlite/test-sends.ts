// Test sends on SQLite: queued in the request's transaction, claimed (scheduled → sending) in a
// write transaction of their own, so two processes never take one, and finished once.
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
import type { SqliteDb } from './open.js';

export class SqliteTestSends {
  private readonly s;

  constructor(db: SqliteDb) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO test_sends (account_id, template_id, channel, resource_id, address, content, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?)`,
      ),
      count: db.prepare('SELECT count(*) FROM test_sends WHERE account_id = ? AND created_at >= ?').pluck(),
      claim: db.prepare(
        `UPDATE test_sends SET status = 'sending'
         WHERE id IN (SELECT id FROM test_sends WHERE status = 'scheduled' ORDER BY id LIMIT ?)
         RETURNING id, account_id, resource_id, address, content`,
      ),
      finish: db.prepare(
        "UPDATE test_sends SET status = ?, error = ?, provider_id = ?, sent_at = ? WHERE id = ? AND status = 'sending'",
      ),
      list: db.prepare(
        `SELECT ${TEST_SEND_COLUMNS} FROM test_sends WHERE account_id = ? AND (? IS NULL OR template_id = ?)
         ORDER BY id DESC LIMIT ?`,
      ),
      purge: db.prepare('DELETE FROM test_sends WHERE created_at < ?'),
    };
  }

  insertTestSend(w: TestSendWrite): number {
    const r = this.s.insert.run(
      w.accountId,
      w.templateId,
      w.content.channel,
      w.resourceId,
      w.address,
      JSON.stringify(w.content),
      w.now,
    );
    return Number(r.lastInsertRowid);
  }

  countTestSends(accountId: number, since: number): number {
    return Number(this.s.count.get(accountId, since));
  }

  claimTestSends(limit: number): ClaimedTestSend[] {
    return (this.s.claim.all(limit) as ClaimedTestSendRow[]).map(claimedTestSend).sort((a, b) => a.id - b.id);
  }

  finishTestSend(id: number, o: TestSendOutcome, now: number): void {
    if (o.status === 'sent') this.s.finish.run('sent', null, o.providerId ?? null, now, id);
    else this.s.finish.run('failed', o.error, null, null, id);
  }

  listTestSends(accountId: number, opts: { templateId?: number; limit: number }): StoredTestSend[] {
    const template = opts.templateId ?? null;
    return (this.s.list.all(accountId, template, template, opts.limit) as TestSendRow[]).map(storedTestSend);
  }

  /** Test sends older than the messages' retention. */
  purge(before: number): number {
    return this.s.purge.run(before).changes;
  }
}
