// Trigger campaign management: campaigns/triggers/add|update|get|list|clone|delete,
// campaigns/activate|deactivate|status.
import { contentEntrySchema, triggerFields } from '../../core/catalog/decode.js';
import { activateTrigger, deactivateTrigger, triggerStatus } from '../../core/manage/activation.js';
import { addTrigger, cloneTrigger, deleteTrigger, readTrigger, listTriggers, updateTrigger } from '../../core/manage/triggers.js';
import { limitSchema } from '../../core/values/paging.js';
import { arrayOf, bool, int, object, oneOf, optional, required, str } from '../../core/values/schema.js';
import { CHANNELS, TRIGGER_TYPES } from '../../core/catalog/types.js';
import { payloads } from './payloads.js';
import { defineMethod } from './types.js';

const { id: _id, ...fields } = triggerFields;
const triggerId = { id: required(int({ min: 1 }), { aliases: ['trigger_id'] }) };

export const triggerManageMethods = [
  defineMethod({
    name: 'campaigns/triggers/add', payload: payloads.trigger,
    summary: 'Create a trigger campaign (inactive unless is_active is given)',
    write: true, config: true,
    params: object({
      ...fields,
      name: required(str({ nonEmpty: true })),
      send_channel: required(oneOf(CHANNELS)),
      trigger_type: required(oneOf(TRIGGER_TYPES)),
      content: required(arrayOf(contentEntrySchema, { single: true, minItems: 1 })),
    }),
    handle: (call, p) => addTrigger(call, p),
  }),
  defineMethod({
    name: 'campaigns/triggers/update', payload: payloads.trigger,
    summary: 'Change a trigger campaign: fields not sent are kept; send_channel cannot change',
    write: true, config: true,
    params: object({ ...fields, ...triggerId }),
    handle: (call, p) => updateTrigger(call, p),
  }),
  defineMethod({
    name: 'campaigns/triggers/get', payload: payloads.trigger,
    summary: 'A trigger campaign',
    write: false,
    params: object(triggerId),
    handle: (call, p) => readTrigger(call, p),
  }),
  defineMethod({
    name: 'campaigns/triggers/list', payload: payloads.triggers,
    summary: 'Trigger campaigns by id; is_active and ui_tags (every tag given) filter',
    write: false,
    params: object({
      from_id: optional(int({ min: 0 }), 1),
      limit: optional(limitSchema, 1000),
      is_active: optional(bool()),
      ui_tags: optional(arrayOf(str(), { single: true })),
    }),
    handle: (call, p) => listTriggers(call, p),
  }),
  defineMethod({
    name: 'campaigns/triggers/clone', payload: payloads.cloned,
    summary: 'Copy a trigger campaign; the copy is inactive',
    write: true, config: true,
    params: object({ ...triggerId, name: optional(str({ nonEmpty: true })) }),
    handle: (call, p) => cloneTrigger(call, p),
  }),
  defineMethod({
    name: 'campaigns/triggers/delete', payload: payloads.none,
    summary: 'Delete a trigger campaign and cancel its scheduled messages',
    write: true, config: true,
    params: object(triggerId),
    handle: (call, p) => deleteTrigger(call, p),
  }),
  defineMethod({
    name: 'campaigns/activate', payload: payloads.nullData,
    summary: 'Activate a trigger campaign (it must meet the rules of an active trigger)',
    write: true, config: true,
    params: object(triggerId),
    handle: (call, p) => activateTrigger(call, p),
  }),
  defineMethod({
    name: 'campaigns/deactivate', payload: payloads.nullData,
    summary: 'Deactivate a trigger campaign; abort_if_running cancels its scheduled messages',
    write: true, config: true,
    params: object({ ...triggerId, abort_if_running: optional(bool(), false) }),
    handle: (call, p) => deactivateTrigger(call, p),
  }),
  defineMethod({
    name: 'campaigns/status', payload: payloads.triggerStatus,
    summary: 'Whether a trigger campaign is active, and its messages by state',
    write: false,
    params: object(triggerId),
    handle: (call, p) => triggerStatus(call, p),
  }),
];
