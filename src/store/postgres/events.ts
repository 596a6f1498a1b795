// The durable outbox of action-hook events on PostgreSQL: the events of a write in one statement,
// in the caller's transaction, in the order given (an import's through the bulk insert: COPY for
// many of them).
import type { AccountEvent } from '../../core/delivery/store-port.js';
import type { EventWrite } from '../../core/triggers/store-port.js';
import { bulkInsert, type BulkTable } from './bulk.js';
import type { PgClient, Queryable } from './open.js';

/** The events table as the bulk insert writes it. */
const EVENTS: BulkTable = {
  table: 'events',
  columns: [
    ['account_id', 'int'],
    ['type', 'text'],
    ['db_id', 'int'],
    ['resource_id', 'int'],
    ['trigger_id', 'int'],
    ['profile_id', 'text'],
    ['payload', 'json'],
    ['created_at', 'bigint'],
  ],
};

const s = {
  insert: `INSERT INTO events (account_id, type, db_id, resource_id, trigger_id, profile_id, payload, created_at)
   SELECT x.account_id, x.type, x.db_id, x.resource_id, x.trigger_id, x.profile_id, x.payload, $2
   FROM json_to_recordset($1::json) AS x(n int, account_id int, type text, db_id int, resource_id int, trigger_id int, profile_id text, payload json) ORDER BY x.n`,
} as const;

export class PgEvents {
  async insertEvents(db: Queryable, events: readonly AccountEvent[], now: number): Promise<void> {
    if (events.length === 0) return;
    await db.query(s.insert, [
      JSON.stringify(
        events.map((e, n) => ({
          n,
          account_id: e.accountId,
          type: e.type,
          db_id: e.dbId,
          resource_id: e.resourceId,
          trigger_id: e.triggerId,
          profile_id: e.profileId,
          payload: e.payload,
        })),
      ),
      now,
    ]);
  }

  /** The events of an import: all of one account. */
  async insertAccountEvents(
    db: PgClient,
    accountId: number,
    events: readonly EventWrite[],
    now: number,
  ): Promise<void> {
    await bulkInsert(
      db,
      EVENTS,
      events.map((e) => [accountId, e.type, e.dbId, e.resourceId, e.triggerId, e.profileId, e.payload, now]),
    );
  }
}
