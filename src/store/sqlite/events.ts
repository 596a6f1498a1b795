// The durable outbox of action-hook events on SQLite: the events of a write, in the caller's
// transaction, in the order given (the one statement every writer of events uses).
import type { AccountEvent } from '../../core/delivery/store-port.js';
import type { EventWrite } from '../../core/triggers/store-port.js';
import type { SqliteDb } from './open.js';

export class SqliteEvents {
  private readonly s;

  constructor(db: SqliteDb) {
    this.s = {
      insert: db.prepare(
        'INSERT INTO events (account_id, type, db_id, resource_id, trigger_id, profile_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  insertEvents(events: readonly AccountEvent[], now: number): void {
    for (const e of events) this.insert(e.accountId, e, now);
  }

  /** The events of an import: all of one account. */
  insertAccountEvents(accountId: number, events: readonly EventWrite[], now: number): void {
    for (const e of events) this.insert(accountId, e, now);
  }

  private insert(accountId: number, e: EventWrite, now: number): void {
    this.s.insert.run(
      accountId,
      e.type,
      e.dbId,
      e.resourceId,
      e.triggerId,
      e.profileId,
      JSON.stringify(e.payload),
      now,
    );
  }
}
