// The durable outbox of action-hook events on PostgreSQL: one statement for a batch of them, in
// the caller's transaction, in the order given.
import type { AccountEvent } from '../../core/delivery/store-port.js';
import type { Queryable } from './open.js';

export async function insertEvents(db: Queryable, events: AccountEvent[], now: number): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO events (account_id, type, db_id, resource_id, trigger_id, profile_id, payload, created_at)
     SELECT x.account_id, x.type, x.db_id, x.resource_id, x.trigger_id, x.profile_id, x.payload, $2
     FROM json_to_recordset($1::json) AS x(n int, account_id int, type text, db_id int, resource_id int, trigger_id int, profile_id text, payload json) ORDER BY x.n`,
    [
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
    ],
  );
}
