// Readiness and the numbers behind the queue and hook gauges, on SQLite. The queue statements
// read the partial index messages_due (scheduled only) and messages_leased (sending only); the
// hook backlog reads events_account from each hook's cursor.
import type { HookBacklog, QueueStats, StoreHealth } from '../../core/monitoring/store-port.js';
import { pendingMigrations, type SqliteDb } from './open.js';

type Statements = ReturnType<typeof statements>;

function statements(db: SqliteDb) {
  return {
    due: db.prepare(
      "SELECT COUNT(*) AS n, MIN(due_at) AS oldest FROM messages WHERE status = 'scheduled' AND due_at <= ?",
    ),
    sending: db.prepare("SELECT COUNT(*) AS n FROM messages WHERE status = 'sending'"),
    hooks: db.prepare(
      `SELECT h.id AS hook_id, h.account_id,
           (SELECT COUNT(*) FROM events e WHERE e.account_id = h.account_id AND e.id > COALESCE(s.cursor, 0)) AS pending,
           COALESCE(s.dead_lettered, 0) AS dead_lettered
         FROM action_hooks h LEFT JOIN hook_states s ON s.hook_id = h.id ORDER BY h.id`,
    ),
  };
}

export class SqliteMonitor {
  /** Prepared on first use: health() runs on an unmigrated file too. */
  private prepared: Statements | undefined;

  constructor(private readonly db: SqliteDb) {}

  private get s(): Statements {
    return (this.prepared ??= statements(this.db));
  }

  /** Works on an unmigrated file too (every migration pending); throws once the connection is closed. */
  health(): StoreHealth {
    return { pendingMigrations: pendingMigrations(this.db) };
  }

  queueStats(now: number): QueueStats {
    const due = this.s.due.get(now) as { n: number; oldest: number | null };
    const sending = this.s.sending.get() as { n: number };
    return { due: due.n, oldestDueAt: due.oldest ?? undefined, sending: sending.n };
  }

  hookBacklog(): HookBacklog[] {
    return (
      this.s.hooks.all() as { hook_id: number; account_id: number; pending: number; dead_lettered: number }[]
    ).map((r) => ({
      hookId: r.hook_id,
      accountId: r.account_id,
      pending: r.pending,
      deadLettered: r.dead_lettered,
    }));
  }
}
