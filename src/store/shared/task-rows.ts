// Rows of the tasks table, the same on both stores, and the objects they become.
import type { ClaimedTask, StoredTask, TaskFailure, TaskPart, TaskStatus } from '../../core/tasks/store-port.js';

export interface ClaimRow {
  id: string;
  account_id: number;
  kind: string;
  request: string;
  total: number;
  done: number;
  launch_id: number | null;
  attempts: number;
  claim_token: string;
}

export interface TaskRow {
  id: string;
  status: TaskStatus;
  total: number;
  done: number;
  failure: string | null;
  expires_at: number | null;
}

export function toClaimedTask(r: ClaimRow): ClaimedTask {
  return {
    id: r.id,
    accountId: r.account_id,
    kind: r.kind,
    request: r.request,
    total: r.total,
    done: r.done,
    launchId: r.launch_id,
    attempts: r.attempts,
    claimToken: r.claim_token,
  };
}

/** A task as its owner reads it; `parts`: the stored parts of its result (JSON texts), read once it completed. */
export function toStoredTask(r: TaskRow, parts: string[]): StoredTask {
  return {
    id: r.id,
    status: r.status,
    total: r.total,
    done: r.done,
    failure: r.failure ? (JSON.parse(r.failure) as TaskFailure) : null,
    parts: parts.map((p) => JSON.parse(p) as TaskPart),
  };
}

/** Whether a task row is past its keeping time (finished tasks expire). */
export const expired = (r: TaskRow, now: number): boolean => r.expires_at !== null && r.expires_at <= now;
