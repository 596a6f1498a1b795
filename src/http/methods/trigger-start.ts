// campaigns/triggers/start, start_batch, and the task variants import_and_start_batch_task and
// start_batch_task (spec 05).
import { submitTask } from '../../core/tasks/task-methods.js';
import { startTrigger } from '../../core/launches/start.js';
import { startBatch } from '../../core/launches/start-batch.js';
import { object, optional, unknownValue } from '../../core/values/schema.js';
import { batchData, importFlagFields, launchData, launchFields, matchingFields } from './params.js';
import { payloads } from './payloads.js';
import { defineMethod } from './types.js';

const startBatchShape = { ...matchingFields, ...launchFields, data: launchData };
const importBatchShape = { ...matchingFields, ...importFlagFields, ...launchFields, data: batchData };

export const triggerStartMethods = [
  defineMethod({
    name: 'campaigns/triggers/start', payload: payloads.batch,
    summary: 'Launch the trigger for one stored profile (matching) or every profile answering custom_request',
    write: true,
    params: object({
      ...matchingFields,
      // No default: custom_request is used only when matching is absent.
      matching: optional(matchingFields.matching.schema),
      custom_request: optional(unknownValue()),
      ...launchFields,
    }),
    handle: (call, p) => startTrigger(call, p),
  }),
  defineMethod({
    name: 'campaigns/triggers/start_batch', payload: payloads.batch,
    summary: 'Launch the trigger for a list of stored profiles',
    write: true,
    params: object(startBatchShape),
    handle: (call, p) => startBatch(call, p),
  }),
  defineMethod({
    name: 'campaigns/triggers/import_and_start_batch_task', payload: payloads.taskCreated,
    summary: 'import_and_start_batch as a background task: answers data.task_id',
    write: true,
    params: object(importBatchShape),
    handle: (call, p) => submitTask(call, 'campaigns/triggers/import_and_start_batch', p),
  }),
  defineMethod({
    name: 'campaigns/triggers/start_batch_task', payload: payloads.taskCreated,
    summary: 'start_batch as a background task: answers data.task_id',
    write: true,
    params: object(startBatchShape),
    handle: (call, p) => submitTask(call, 'campaigns/triggers/start_batch', p),
  }),
];
