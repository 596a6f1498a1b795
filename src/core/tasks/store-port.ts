// What tasks (spec 05: the *_task methods and tasks/status) need from storage: a durable queue
// with leased claims, and progress committed in the transaction of the work it counts.
import type { ItemError } from '../base/errors.js';

export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed';

/** A chunk's part of the result: the synchronous method's payload for those items. */
export interface TaskPart {
  result: { profile_id: string }[];
  errors: ItemError[];
}

export interface TaskFailure {
  error: number;
  error_text: string;
  error_debug: string;
}

export interface NewTask {
  id: string;
  accountId: number;
  kind: string;
  /** The request as the task kind serialised it (JSON); never holds the token. */
  request: string;
  total: number;
  createdAt: number;
}

export interface ClaimedTask {
  id: string;
  accountId: number;
  kind: string;
  request: string;
  total: number;
  /** Items already done (committed with their work). */
  done: number;
  /** The launch the task's messages reference, once its first chunk stored it. */
  launchId: number | null;
  /** Claims so far, this one included (a task that keeps failing is given up). */
  attempts: number;
  claimToken: string;
}

/** One chunk's commit: counted with its work, guarded by the claim. */
export interface TaskProgress {
  taskId: string;
  claimToken: string;
  done: number;
  part?: TaskPart;
  launchId?: number;
  leaseUntil: number;
  now: number;
  /** Set by the last chunk (completed) or a failure; the task is then kept until `expiresAt`. */
  finish?: { status: 'completed' | 'failed'; failure?: TaskFailure; expiresAt: number };
}

export interface StoredTask {
  id: string;
  status: TaskStatus;
  total: number;
  done: number;
  failure: TaskFailure | null;
  /** The parts in commit order (only for a completed task). */
  parts: TaskPart[];
}

export interface TaskTx {
  insertTask(task: NewTask): Promise<void>;
  /** Records a chunk's progress and part of the result; false when the claim is no longer held. */
  saveTaskProgress(progress: TaskProgress): Promise<boolean>;
}

export interface TaskStore {
  /** Claims the oldest pending task, or a running one whose lease expired, leased until `now + leaseMs`. */
  claimTask(now: number, leaseMs: number): Promise<ClaimedTask | undefined>;
  /** Gives a claimed task back (graceful stop): the next claim resumes it at once. */
  releaseTask(id: string, claimToken: string): Promise<void>;
  /** A task of the account, unless unknown or expired. */
  findTask(accountId: number, id: string, now: number): Promise<StoredTask | undefined>;
}
