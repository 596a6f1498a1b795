// Trigger campaign management (spec 05): add, update, get, list, clone, delete. Every change is
// checked with the rules the provisioning file uses (catalog/validate.ts) and written through the
// config-version compare-and-swap (catalog/change.ts). Launching is elsewhere (import-and-start).
import { CONFIG_CHANGE, defineMethod } from '../api/define.js';
import type { Call, WriteCall } from '../api/method.js';
import type { CatalogTx } from '../catalog/store-port.js';
import { commitChange, idField, pageById, throwFirst, writtenId } from './change.js';
import { contentEntrySchema, triggerFields } from '../catalog/decode.js';
import type { Draft } from '../catalog/store-port.js';
import { CHANNELS, TRIGGER_TYPES, type TriggerDef } from '../catalog/types.js';
import { triggerProblems } from '../catalog/validate.js';
import { triggerJson, triggerView } from '../catalog/views.js';
import { getTrigger } from '../catalog/lookup.js';
import { noPayload, obj, one, idPage } from '../values/json-schema.js';
import { idPagingFields } from '../values/paging.js';
import { arrayOf, bool, object, oneOf, optional, required, str, type Decoded } from '../values/schema.js';

/** The trigger fields a request may set (`id` names the trigger, it is never set). */
const { id: _id, ...fields } = triggerFields;
type TriggerFieldsInput = Decoded<typeof fields>;
/** The trigger a method reads or changes (also accepted as `trigger_id`). */
export const triggerId = object(idField(['trigger_id']));

const addParams = object({
  ...fields,
  name: required(str({ nonEmpty: true })),
  send_channel: required(oneOf(CHANNELS)),
  trigger_type: required(oneOf(TRIGGER_TYPES)),
  content: required(arrayOf(contentEntrySchema, { single: true, minItems: 1 })),
});
const updateParams = object({ ...fields, ...triggerId.shape });
const listParams = object({
  ...idPagingFields,
  is_active: optional(bool()),
  ui_tags: optional(arrayOf(str(), { single: true })),
});
const cloneParams = object({ ...triggerId.shape, name: optional(str({ nonEmpty: true })) });

/** The fields a request sent, over `base`; `send_channel` is never taken (fixed at creation). */
function patched<T extends Draft<TriggerDef>>(base: T, p: TriggerFieldsInput): T {
  return {
    ...base,
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
    ...(p.subid !== undefined ? { subid: p.subid } : {}),
    ...(p.ui_tags !== undefined ? { uiTags: p.ui_tags } : {}),
    ...(p.is_active !== undefined ? { isActive: p.is_active } : {}),
    ...(p.trigger_type !== undefined ? { triggerType: p.trigger_type } : {}),
    ...(p.resource_id !== undefined ? { resourceId: p.resource_id } : {}),
    ...(p.list_id !== undefined ? { listId: p.list_id } : {}),
    ...(p.skip_minutes !== undefined ? { skipMinutes: p.skip_minutes } : {}),
    ...(p.content !== undefined ? { content: p.content } : {}),
    ...(p.push_sending_mode !== undefined ? { pushSendingMode: p.push_sending_mode } : {}),
    ...(p.track_opens !== undefined ? { trackOpens: p.track_opens } : {}),
    ...(p.track_clicks !== undefined ? { trackClicks: p.track_clicks } : {}),
  };
}

/** Checks a trigger as it would be saved, writes it, and answers with it. */
async function saveChecked(
  call: WriteCall<CatalogTx>,
  build: (current: (id: number) => TriggerDef) => Draft<TriggerDef>,
): Promise<TriggerDef> {
  let saved: Draft<TriggerDef> | undefined;
  const result = await commitChange(call, async (catalog, at) => {
    saved = build((id) => getTrigger(catalog, id));
    throwFirst(triggerProblems({ ...saved, id: saved.id ?? 0 }, catalog));
    return call.tx.saveTrigger(at, saved, {}, call.env.clock.now());
  });
  return { ...(saved as Draft<TriggerDef>), id: writtenId(result) };
}

export async function addTrigger(call: WriteCall<CatalogTx>, input: Decoded<typeof addParams>) {
  const now = call.env.clock.now();
  const trigger = await saveChecked(call, () =>
    patched<Draft<TriggerDef>>(
      {
        accountId: call.catalog.accountId,
        name: input.name,
        description: '',
        subid: '',
        uiTags: [],
        isActive: false,
        triggerType: input.trigger_type,
        sendChannel: input.send_channel,
        skipMinutes: 0,
        content: [],
        pushSendingMode: 'fanout',
        createdAt: now,
        updatedAt: now,
      },
      input,
    ),
  );
  return { data: triggerView(trigger) };
}

export async function updateTrigger(call: WriteCall<CatalogTx>, input: Decoded<typeof updateParams>) {
  const now = call.env.clock.now();
  const trigger = await saveChecked(call, (current) => ({ ...patched(current(input.id), input), updatedAt: now }));
  return { data: triggerView(trigger) };
}

export async function readTrigger(call: Call, input: Decoded<typeof triggerId>) {
  return { data: triggerView(getTrigger(call.catalog, input.id)) };
}

/** A trigger matches when it has every tag given. */
export async function listTriggers(call: Call, input: Decoded<typeof listParams>) {
  const tags = input.ui_tags ?? [];
  const matches = [...call.catalog.triggers.values()].filter(
    (t) =>
      (input.is_active === undefined || t.isActive === input.is_active) && tags.every((tag) => t.uiTags.includes(tag)),
  );
  const { page, total, next } = pageById(matches, input.from_id, input.limit);
  return { data: page.map(triggerView), total_count: total, next_from_id: next };
}

export async function cloneTrigger(call: WriteCall<CatalogTx>, input: Decoded<typeof cloneParams>) {
  const now = call.env.clock.now();
  const clone = await saveChecked(call, (current) => {
    const { id: _id, ...source } = current(input.id);
    return {
      ...source,
      name: input.name ?? `Clone of ${source.name}`,
      isActive: false,
      createdAt: now,
      updatedAt: now,
    };
  });
  return { data: { saved_id: clone.id } };
}

/** Deletes a trigger; its scheduled messages are cancelled in the same transaction. */
export async function deleteTrigger(call: WriteCall<CatalogTx>, input: Decoded<typeof triggerId>) {
  await commitChange(call, async (catalog, at) => {
    getTrigger(catalog, input.id);
    return call.tx.deleteTrigger(at, input.id, call.env.clock.now());
  });
  return {};
}

export const triggerMethods = [
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'campaigns/triggers/add',
    summary: 'Create a trigger campaign (inactive unless is_active is given)',
    params: addParams,
    payload: one(triggerJson),
    handle: addTrigger,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'campaigns/triggers/update',
    summary: 'Change a trigger campaign: fields not sent are kept; send_channel cannot change',
    params: updateParams,
    payload: one(triggerJson),
    handle: updateTrigger,
  }),
  defineMethod({
    name: 'campaigns/triggers/get',
    summary: 'A trigger campaign',
    write: false,
    params: triggerId,
    payload: one(triggerJson),
    handle: readTrigger,
  }),
  defineMethod({
    name: 'campaigns/triggers/list',
    summary: 'Trigger campaigns by id; is_active and ui_tags (every tag given) filter',
    write: false,
    params: listParams,
    payload: idPage(triggerJson),
    handle: listTriggers,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'campaigns/triggers/clone',
    summary: 'Copy a trigger campaign; the copy is inactive',
    params: cloneParams,
    payload: one(obj({ saved_id: { type: 'integer', description: 'the id of the copy' } })),
    handle: cloneTrigger,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'campaigns/triggers/delete',
    summary: 'Delete a trigger campaign and cancel its scheduled messages',
    params: triggerId,
    payload: noPayload,
    handle: deleteTrigger,
  }),
];
