// tasks/status (spec 05): a task's status, progress and, once finished, its result.
import { taskStatus } from '../../core/tasks/task-methods.js';
import { object, required, str } from '../../core/values/schema.js';
import { payloads } from './payloads.js';
import { defineMethod } from './types.js';
import { LIMITS } from '../../core/base/limits.js';

export const taskMethods = [
  defineMethod({
    name: 'tasks/status', payload: payloads.taskStatus,
    summary: 'The status, progress and result of a task',
    write: false,
    params: object({ task_id: required(str({ nonEmpty: true, maxLength: LIMITS.taskIdLength })) }),
    handle: (call, p) => taskStatus(call, p),
  }),
];
