// The *_task methods and tasks/status (spec 05). A task request is checked when submitted
// (400/404 at once, no task made), stored with its request in one transaction (with the request
// key's record when there is one), and run by the workers; its status shows the synchronous
// method's payload once completed.
import { defineMethod } from '../api/define.js';
import type { ReadCall, WriteCall } from '../api/method.js';
import { notFound } from '../base/errors.js';
import { LIMITS } from '../base/limits.js';
import { newTaskId } from '../base/ids.js';
import { importAndStartBatchParams } from '../imports/import-and-start.js';
import { batchJson } from '../imports/outcome.js';
import { startBatchParams } from '../launches/start-batch.js';
import { obj, one, titled } from '../values/json-schema.js';
import { object, required, str } from '../values/schema.js';
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
  await call.tx.insertTask({
    id,
    accountId: call.catalog.accountId,
    kind: kind.name,
    request: serializeTaskRequest(request),
    total: prepared.total,
    createdAt: call.env.clock.now(),
  });
  return { data: { task_id: id } };
}

/** The synchronous payload a completed task's parts add up to: `result`, and `errors` when an item failed. */
export function taskPayload(parts: TaskPart[]): { result: { profile_id: string }[]; errors?: TaskPart['errors'] } {
  const result = parts.flatMap((p) => p.result);
  const errors = parts.flatMap((p) => p.errors);
  return errors.length > 0 ? { result, errors } : { result };
}

export function taskView(t: StoredTask): { status: string; progress: number; result: unknown } {
  const progress =
    t.status === 'completed' ? 100 : t.total === 0 ? 0 : Math.min(100, Math.floor((t.done * 100) / t.total));
  const result = t.status === 'completed' ? taskPayload(t.parts) : t.status === 'failed' ? t.failure : null;
  return { status: t.status, progress, result };
}

export async function taskStatus(call: ReadCall<Pick<TaskStore, 'findTask'>>, input: { task_id: string }) {
  const task = await call.read.findTask(call.catalog.accountId, input.task_id.trim(), call.env.clock.now());
  if (!task) throw notFound(`task ${input.task_id} not found`);
  return { data: taskView(task) };
}

const taskCreatedJson = one(obj({ task_id: { type: 'string', description: 'for tasks/status' } }));
const failureJson = titled(
  'TaskFailure',
  obj({ error: { type: 'integer' }, error_text: { type: 'string' }, error_debug: { type: 'string' } }),
);
const taskStatusJson = one(
  titled(
    'TaskStatus',
    obj({
      status: { type: 'string', enum: ['pending', 'running', 'completed', 'failed'] },
      progress: { type: 'integer', minimum: 0, maximum: 100 },
      result: {
        anyOf: [batchJson, failureJson, { type: 'null' }],
        description: "completed: the synchronous method's payload (result, errors); failed: the error; otherwise null",
      },
    }),
  ),
);

export const taskMethods = [
  defineMethod({
    name: 'campaigns/triggers/import_and_start_batch_task',
    summary: 'import_and_start_batch as a background task: answers data.task_id',
    write: true,
    params: importAndStartBatchParams,
    payload: taskCreatedJson,
    handle: (call: WriteCall<TaskTx>, p) => submitTask(call, 'campaigns/triggers/import_and_start_batch', p),
  }),
  defineMethod({
    name: 'campaigns/triggers/start_batch_task',
    summary: 'start_batch as a background task: answers data.task_id',
    write: true,
    params: startBatchParams,
    payload: taskCreatedJson,
    handle: (call: WriteCall<TaskTx>, p) => submitTask(call, 'campaigns/triggers/start_batch', p),
  }),
  defineMethod({
    name: 'tasks/status',
    summary: 'The status, progress and result of a task',
    write: false,
    params: object({ task_id: required(str({ nonEmpty: true, maxLength: LIMITS.taskIdLength })) }),
    payload: taskStatusJson,
    handle: taskStatus,
  }),
];
