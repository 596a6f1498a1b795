// Tasks on PostgreSQL: claims with FOR UPDATE SKIP LOCKED under a lease, chunk progress guarded
// by the claim token (written with the chunk's part of the result), expiry of finished tasks.
import { randomBytes } from 'node:crypto';
import type { ClaimedTask, NewTask, StoredTask, TaskProgress } from '../../core/tasks/store-port.js';
import { expired, toClaimedTask, toStoredTask, type ClaimRow, type TaskRow } from '../shared/task-rows.js';
import type { Queryable } from './open.js';

const s = {
  insert:
    "INSERT INTO tasks (id, account_id, kind, request, status, total, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $6)",
  claim: `WITH picked AS (SELECT id FROM tasks WHERE status IN ('pending', 'running') AND (lease_until IS NULL OR lease_until < $1)
                   ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
   UPDATE tasks t SET status = 'running', attempts = t.attempts + 1, claim_token = $2, lease_until = $3, updated_at = $1
   FROM picked WHERE t.id = picked.id
   RETURNING t.id, t.account_id, t.kind, t.request, t.total, t.done, t.launch_id, t.attempts, t.claim_token`,
  release:
    "UPDATE tasks SET lease_until = NULL, claim_token = NULL WHERE id = $1 AND claim_token = $2 AND status = 'running'",
  progress: `UPDATE tasks SET done = $3, launch_id = coalesce($4::bigint, launch_id), lease_until = $5, updated_at = $6::bigint, parts = parts + $7,
     status = coalesce($8::text, status), failure = $9, finished_at = CASE WHEN $8::text IS NULL THEN NULL ELSE $6::bigint END, expires_at = $10
   WHERE id = $1 AND claim_token = $2 AND status = 'running' RETURNING parts`,
  insertPart: 'INSERT INTO task_parts (task_id, part_no, payload) VALUES ($1, $2, $3)',
  find: 'SELECT id, status, total, done, failure, expires_at FROM tasks WHERE id = $1 AND account_id = $2',
  parts: 'SELECT payload FROM task_parts WHERE task_id = $1 ORDER BY part_no',
  purgeParts: 'DELETE FROM task_parts WHERE task_id IN (SELECT id FROM tasks WHERE expires_at < $1)',
  purgeTasks: 'DELETE FROM tasks WHERE expires_at < $1',
} as const;

export class PgTasks {
  async insertTask(db: Queryable, t: NewTask): Promise<void> {
    await db.query(s.insert, [t.id, t.accountId, t.kind, t.request, t.total, t.createdAt]);
  }

  async claimTask(db: Queryable, now: number, leaseMs: number): Promise<ClaimedTask | undefined> {
    const r = (await db.query<ClaimRow>(s.claim, [now, randomBytes(9).toString('base64url'), now + leaseMs])).rows[0];
    if (!r) return undefined;
    return toClaimedTask(r);
  }

  async releaseTask(db: Queryable, id: string, claimToken: string): Promise<void> {
    await db.query(s.release, [id, claimToken]);
  }

  async saveTaskProgress(db: Queryable, p: TaskProgress): Promise<boolean> {
    const row = (
      await db.query<{ parts: number }>(s.progress, [
        p.taskId,
        p.claimToken,
        p.done,
        p.launchId ?? null,
        p.leaseUntil,
        p.now,
        p.part ? 1 : 0,
        p.finish?.status ?? null,
        p.finish?.failure ? JSON.stringify(p.finish.failure) : null,
        p.finish?.expiresAt ?? null,
      ])
    ).rows[0];
    if (!row) return false;
    if (p.part) await db.query(s.insertPart, [p.taskId, row.parts - 1, JSON.stringify(p.part)]);
    return true;
  }

  async findTask(db: Queryable, accountId: number, id: string, now: number): Promise<StoredTask | undefined> {
    const r = (await db.query<TaskRow>(s.find, [id, accountId])).rows[0];
    if (!r || expired(r, now)) return undefined;
    const parts =
      r.status === 'completed' ? (await db.query<{ payload: string }>(s.parts, [id])).rows.map((p) => p.payload) : [];
    return toStoredTask(r, parts);
  }

  async purge(db: Queryable, now: number): Promise<number> {
    await db.query(s.purgeParts, [now]);
    return (await db.query(s.purgeTasks, [now])).rowCount ?? 0;
  }
}
