// Trigger campaign management (spec 05): add, update, get, list, clone, delete. Every change is
// checked with the rules the provisioning file uses (catalog/validate.ts) and written through the
// config-version compare-and-swap (catalog/change.ts). Launching is elsewhere (import-and-start).
import type { Call, WriteCall } from '../api/method.js';
import type { CatalogTx } from '../catalog/store-port.js';
import { commitChange, pageById, throwFirst, writtenId } from './change.js';
import type { TriggerPatch } from '../catalog/decode.js';
import type { Draft } from '../catalog/store-port.js';
import type { TriggerDef } from '../catalog/types.js';
import { triggerProblems } from '../catalog/validate.js';
import { triggerView } from '../catalog/views.js';
import { getTrigger } from '../catalog/lookup.js';

/** The trigger fields a request may set (`id` names the trigger, it is never set). */
export type TriggerFieldsInput = Omit<TriggerPatch, 'id'>;
type AddRequired = 'name' | 'send_channel' | 'trigger_type' | 'content';
export type TriggerAddInput = Omit<TriggerFieldsInput, AddRequired> & { [K in AddRequired]: NonNullable<TriggerFieldsInput[K]> };

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
  };
}

/** Checks a trigger as it would be saved, writes it, and answers with it. */
async function saveChecked(call: WriteCall<CatalogTx>, build: (current: (id: number) => TriggerDef) => Draft<TriggerDef>): Promise<TriggerDef> {
  let saved: Draft<TriggerDef> | undefined;
  const result = await commitChange(call, async (catalog, at) => {
    saved = build((id) => getTrigger(catalog, id));
    throwFirst(triggerProblems({ ...saved, id: saved.id ?? 0 }, catalog));
    return call.tx.saveTrigger(at, saved, {}, call.env.clock.now());
  });
  return { ...(saved as Draft<TriggerDef>), id: writtenId(result) };
}

export async function addTrigger(call: WriteCall<CatalogTx>, input: TriggerAddInput) {
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

export async function updateTrigger(call: WriteCall<CatalogTx>, input: TriggerFieldsInput & { id: number }) {
  const now = call.env.clock.now();
  const trigger = await saveChecked(call, (current) => ({ ...patched(current(input.id), input), updatedAt: now }));
  return { data: triggerView(trigger) };
}

export async function readTrigger(call: Call, input: { id: number }) {
  return { data: triggerView(getTrigger(call.catalog, input.id)) };
}

export interface TriggerListInput {
  from_id: number;
  limit: number;
  is_active?: boolean;
  /** A trigger matches when it has every tag given. */
  ui_tags?: string[];
}

export async function listTriggers(call: Call, input: TriggerListInput) {
  const tags = input.ui_tags ?? [];
  const matches = [...call.catalog.triggers.values()].filter(
    (t) => (input.is_active === undefined || t.isActive === input.is_active) && tags.every((tag) => t.uiTags.includes(tag)),
  );
  const { page, total } = pageById(matches, input.from_id, input.limit);
  return { data: page.map(triggerView), total_count: total };
}

export async function cloneTrigger(call: WriteCall<CatalogTx>, input: { id: number; name?: string }) {
  const now = call.env.clock.now();
  const clone = await saveChecked(call, (current) => {
    const { id: _id, ...source } = current(input.id);
    return { ...source, name: input.name ?? `Clone of ${source.name}`, isActive: false, createdAt: now, updatedAt: now };
  });
  return { data: { saved_id: clone.id } };
}

/** Deletes a trigger; its scheduled messages are cancelled in the same transaction. */
export async function deleteTrigger(call: WriteCall<CatalogTx>, input: { id: number }) {
  await commitChange(call, async (catalog, at) => {
    getTrigger(catalog, input.id);
    return call.tx.deleteTrigger(at, input.id, call.env.clock.now());
  });
  return {};
}
