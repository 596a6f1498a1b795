// Configuration objects as the API answers them (spec 04–05): the field names of the API, unset
// optional values omitted (so a `get` answer can be sent back to `update`, in JSON and in XML).
import { iso } from '../values/paging.js';
import type { DatabaseDef, ResourceDef, TemplateDef, TriggerDef } from './types.js';

export function databaseView(d: DatabaseDef): Record<string, unknown> {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    fields: d.fields.map((f) => ({ name: f.name, type: f.type, ...(f.values ? { values: f.values } : {}) })),
  };
}

export function resourceView(r: ResourceDef): Record<string, unknown> {
  return { id: r.id, name: r.name, db_ids: r.dbIds, channels: r.channels };
}

const TEMPLATE_PARTS = ['subject', 'html', 'text', 'title', 'url', 'image'] as const;

export function templateView(t: TemplateDef): Record<string, unknown> {
  const out: Record<string, unknown> = { id: t.id, name: t.name, channel: t.channel };
  for (const key of TEMPLATE_PARTS) if (t[key] !== undefined) out[key] = t[key];
  return out;
}

export function triggerView(t: TriggerDef): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    subid: t.subid,
    ui_tags: t.uiTags,
    is_active: t.isActive,
    trigger_type: t.triggerType,
    send_channel: t.sendChannel,
    ...(t.resourceId !== undefined ? { resource_id: t.resourceId } : {}),
    ...(t.listId !== undefined ? { list_id: t.listId } : {}),
    skip_minutes: t.skipMinutes,
    content: t.content,
    push_sending_mode: t.pushSendingMode,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}
