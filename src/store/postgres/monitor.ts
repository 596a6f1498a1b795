// Readiness and the numbers behind the queue and hook gauges, on PostgreSQL: the same
// statements as on SQLite, over the same partial indexes (messages_due, messages_leased) and
// events_account.
import type { HookBacklog, QueueStats, StoreHealth } from '../../core/monitoring/store-port.js';
import { migrationFiles, type Queryable } from './open.js';

/** Migration versions of this program, read once: the files do not change while it runs. */
let known: number[] | undefined;

const s = {
  present: "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  applied: 'SELECT version FROM schema_migrations',
  queue: `SELECT COUNT(*)::int AS due, MIN(due_at) AS oldest, (SELECT COUNT(*) FROM messages WHERE status = 'sending')::int AS sending
   FROM messages WHERE status = 'scheduled' AND due_at <= $1`,
  hooks: `SELECT h.id AS hook_id, h.account_id,
     (SELECT COUNT(*) FROM events e WHERE e.account_id = h.account_id AND e.id > COALESCE(s.cursor, 0))::int AS pending,
     COALESCE(s.dead_lettered, 0)::int AS dead_lettered
   FROM action_hooks h LEFT JOIN hook_states s ON s.hook_id = h.id ORDER BY h.id`,
} as const;

export class PgMonitor {
  /** Works on an unmigrated database too (every migration pending). */
  async health(db: Queryable): Promise<StoreHealth> {
    known ??= migrationFiles().map((m) => m.version);
    const present = (await db.query<{ present: boolean }>(s.present)).rows[0].present;
    if (!present) return { pendingMigrations: known.length };
    const applied = new Set((await db.query<{ version: number }>(s.applied)).rows.map((r) => r.version));
    return { pendingMigrations: known.filter((v) => !applied.has(v)).length };
  }

  async queueStats(db: Queryable, now: number): Promise<QueueStats> {
    const r = (await db.query<{ due: number; oldest: number | null; sending: number }>(s.queue, [now])).rows[0];
    return { due: r.due, oldestDueAt: r.oldest ?? undefined, sending: r.sending };
  }

  async hookBacklog(db: Queryable): Promise<HookBacklog[]> {
    const r = await db.query<{ hook_id: number; account_id: number; pending: number; dead_lettered: number }>(s.hooks);
    return r.rows.map((x) => ({
      hookId: x.hook_id,
      accountId: x.account_id,
      pending: x.pending,
      deadLettered: x.dead_lettered,
    }));
  }
}
