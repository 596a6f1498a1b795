// Tasks on SQLite: a queue claimed under a lease (the claim runs in BEGIN IMMEDIATE, so two
// processes never hold one task), chunk progress guarded by the claim token and written with
// the chunk's part of the result, and expiry of finished tasks.
import { randomBytes } from 'node:crypto';
import type { ClaimedTask, NewTask, StoredTask, TaskProgress } from '../../core/tasks/store-port.js';
import { expired, toClaimedTask, toStoredTask, type ClaimRow, type TaskRow } from '../shared/task-rows.js';
import type { SqliteDb } from './open.js';

export class SqliteTasks {
  private readonly s;

  constructor(db: SqliteDb) {
    this.s = {
      insert: db.prepare(
        "INSERT INTO tasks (id, account_id, kind, request, status, total, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
      ),
      next: db.prepare(
        `SELECT id FROM tasks WHERE status IN ('pending', 'running') AND (lease_until IS NULL OR lease_until < ?)
         ORDER BY created_at, id LIMIT 1`,
      ),
      claim: db.prepare(
        `UPDATE tasks SET status = 'running', attempts = attempts + 1, claim_token = ?, lease_until = ?, updated_at = ? WHERE id = ?
         RETURNING id, account_id, kind, request, total, done, launch_id, attempts, claim_token`,
      ),
      release: db.prepare(
        "UPDATE tasks SET lease_until = NULL, claim_token = NULL WHERE id = ? AND claim_token = ? AND status = 'running'",
      ),
      progress: db.prepare(
        `UPDATE tasks SET done = @done, launch_id = coalesce(@launchId, launch_id), lease_until = @leaseUntil, updated_at = @now,
           parts = parts + @addPart, status = coalesce(@status, status), failure = @failure,
           finished_at = CASE WHEN @status IS NULL THEN NULL ELSE @now END, expires_at = @expiresAt
         WHERE id = @id AND claim_token = @token AND status = 'running' RETURNING parts`,
      ),
      insertPart: db.prepare('INSERT INTO task_parts (task_id, part_no, payload) VALUES (?, ?, ?)'),
      find: db.prepare(
        'SELECT id, status, total, done, failure, expires_at FROM tasks WHERE id = ? AND account_id = ?',
      ),
      parts: db.prepare('SELECT payload FROM task_parts WHERE task_id = ? ORDER BY part_no').pluck(),
      purgeParts: db.prepare('DELETE FROM task_parts WHERE task_id IN (SELECT id FROM tasks WHERE expires_at < ?)'),
      purgeTasks: db.prepare('DELETE FROM tasks WHERE expires_at < ?'),
    };
  }

  insertTask(t: NewTask): void {
    this.s.insert.run(t.id, t.accountId, t.kind, t.request, t.total, t.createdAt, t.createdAt);
  }

  claimTask(now: number, leaseMs: number): ClaimedTask | undefined {
    const next = this.s.next.get(now) as { id: string } | undefined;
    if (!next) return undefined;
    const r = this.s.claim.get(randomBytes(9).toString('base64url'), now + leaseMs, now, next.id) as ClaimRow;
    return toClaimedTask(r);
  }

  releaseTask(id: string, claimToken: string): void {
    this.s.release.run(id, claimToken);
  }

  saveTaskProgress(p: TaskProgress): boolean {
    const row = this.s.progress.get({
      id: p.taskId,
      token: p.claimToken,
      done: p.done,
      launchId: p.launchId ?? null,
      leaseUntil: p.leaseUntil,
      now: p.now,
      addPart: p.part ? 1 : 0,
      status: p.finish?.status ?? null,
      failure: p.finish?.failure ? JSON.stringify(p.finish.failure) : null,
      expiresAt: p.finish?.expiresAt ?? null,
    }) as { parts: number } | undefined;
    if (!row) return false;
    if (p.part) this.s.insertPart.run(p.taskId, row.parts - 1, JSON.stringify(p.part));
    return true;
  }

  findTask(accountId: number, id: string, now: number): StoredTask | undefined {
    const r = this.s.find.get(id, accountId) as TaskRow | undefined;
    if (!r || expired(r, now)) return undefined;
    return toStoredTask(r, r.status === 'completed' ? (this.s.parts.all(r.id) as string[]) : []);
  }

  purge(now: number): number {
    this.s.purgeParts.run(now);
    return this.s.purgeTasks.run(now).changes;
  }
}
