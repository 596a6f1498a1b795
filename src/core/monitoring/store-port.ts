// What operators' checks read from storage: readiness (reachable, schema current) and the cheap
// numbers behind the queue and hook gauges. Read-only, no locks held; each is a handful of
// indexed statements, so a scrape every few seconds costs nothing noticeable.

export interface StoreHealth {
  /** Migrations this program knows that the storage has not applied (0 = current). */
  pendingMigrations: number;
}

export interface QueueStats {
  /** Scheduled messages whose due time has come (not yet claimed by a worker). */
  due: number;
  /** The due time of the oldest of them; undefined when none is due. */
  oldestDueAt: number | undefined;
  /** Messages claimed by a worker and not finished yet. */
  sending: number;
}

export interface HookBacklog {
  hookId: number;
  accountId: number;
  /** Events of the hook's account after its cursor (before its event filters): an upper bound. */
  pending: number;
  /** Events moved to the dead-letter list so far. */
  deadLettered: number;
}

export interface MonitorStore {
  /** Throws when the storage cannot be reached. */
  health(): Promise<StoreHealth>;
  queueStats(now: number): Promise<QueueStats>;
  hookBacklog(): Promise<HookBacklog[]>;
}
