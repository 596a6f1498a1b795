// The *_task methods and tasks/status (spec 05). A task request is checked when submitted
// (400/404 at once, no task made), stored with its request in one transaction (with the request
// key's record when there is one), and run by the workers; its status shows the synchronous
// method's payload once completed.
import type { ReadCall, WriteCall } from '../api/method.js';
import { notFound } from '../base/errors.js';
import { newTaskId } from '../base/ids.js';
import { taskKind } from './kinds.js';
import type { StoredTask, TaskPart, TaskStore, TaskTx } from './store-port.js';
import { serializeTaskRequest } from './task-request.js';

/** How long a finished task's status and result are kept (spec 05). */
export const TASK_KEEP_MS = 7 * 24 * 3_600_000;

export async function submitTask(call: WriteCall<TaskTx>, kindName: string, params: Record<string, unknown>) {
  const kind = taskKind(kindName);
  const request = { wire: call.wire.name, params };
  const prepared = kind.prepare(call.env, call.catalog, request, call.wire);
  const id = newTaskId();
  await call.tx.insertTask({ id, accountId: call.catalog.accountId, kind: kind.name, request: serializeTaskRequest(request), total: prepared.total, createdAt: call.env.clock.now() });
  return { data: { task_id: id } };
}

/** The synchronous payload a completed task's parts add up to: `result`, and `errors` when an item failed. */
export function taskPayload(parts: TaskPart[]): { result: { profile_id: string }[]; errors?: TaskPart['errors'] } {
  const result = parts.flatMap((p) => p.result);
  const errors = parts.flatMap((p) => p.errors);
  return errors.length > 0 ? { result, errors } : { result };
}

export function taskView(t: StoredTask): { status: string; progress: number; result: unknown } {
  const progress = t.status === 'completed' ? 100 : t.total === 0 ? 0 : Math.min(100, Math.floor((t.done * 100) / t.total));
  const result = t.status === 'completed' ? taskPayload(t.parts) : t.status === 'failed' ? t.failure : null;
  return { status: t.status, progress, result };
}

export async function taskStatus(call: ReadCall<Pick<TaskStore, 'findTask'>>, input: { task_id: string }) {
  const task = await call.read.findTask(call.catalog.accountId, input.task_id.trim(), call.env.clock.now());
  if (!task) throw notFound(`task ${input.task_id} not found`);
  return { data: taskView(task) };
}
