// Configuration objects as the API answers them (spec 04–05): the field names of the API, unset
// optional values omitted (so a `get` answer can be sent back to `update`, in JSON and in XML);
// beside each view, its JSON Schema (the payloads of the management methods).
import { arrayJson, boolJson, intJson, obj, strJson, timeJson, titled } from '../values/json-schema.js';
import { iso } from '../values/paging.js';
import type { JsonSchema } from '../values/schema.js';
import { channelsSchema, contentEntrySchema, fieldDefSchema } from './decode.js';
import { CHANNELS, PUSH_SENDING_MODES, TRIGGER_TYPES, type DatabaseDef, type ResourceDef, type TemplateDef, type TriggerDef } from './types.js';

export const channelJson: JsonSchema = { type: 'string', enum: [...CHANNELS] };

export const databaseJson = titled(
  'Database',
  obj(
    {
      id: intJson,
      name: strJson,
      description: strJson,
      fields: arrayJson(fieldDefSchema.json()),
      phone_region: { ...strJson, description: "the database's phone region (ISO 3166 alpha-2), when it sets one; absent: the server default (HERALD_PHONE_REGION)" },
    },
    ['id', 'name', 'fields'],
  ),
);

export function databaseView(d: DatabaseDef): Record<string, unknown> {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    fields: d.fields.map((f) => ({ name: f.name, type: f.type, ...(f.values ? { values: f.values } : {}) })),
    ...(d.phoneRegion ? { phone_region: d.phoneRegion } : {}),
  };
}

export const resourceJson = titled('Resource', obj({ id: intJson, name: strJson, db_ids: arrayJson(intJson), channels: { ...channelsSchema.json(), description: 'settings per channel: sender, from and reply-to' } }));

export function resourceView(r: ResourceDef): Record<string, unknown> {
  return { id: r.id, name: r.name, db_ids: r.dbIds, channels: r.channels };
}

const TEMPLATE_PARTS = ['subject', 'html', 'text', 'title', 'url', 'image'] as const;

export const templateJson = titled('Template', obj({ id: intJson, name: strJson, channel: channelJson, ...Object.fromEntries(TEMPLATE_PARTS.map((k) => [k, strJson])) }, ['id', 'name', 'channel']));

export function templateView(t: TemplateDef): Record<string, unknown> {
  const out: Record<string, unknown> = { id: t.id, name: t.name, channel: t.channel };
  for (const key of TEMPLATE_PARTS) if (t[key] !== undefined) out[key] = t[key];
  return out;
}

export const triggerJson = titled(
  'Trigger',
  obj(
  {
    id: intJson,
    name: strJson,
    description: strJson,
    subid: strJson,
    ui_tags: arrayJson(strJson),
    is_active: boolJson,
    trigger_type: { type: 'string', enum: [...TRIGGER_TYPES] },
    send_channel: channelJson,
    resource_id: intJson,
    list_id: intJson,
    skip_minutes: intJson,
    content: arrayJson(contentEntrySchema.json()),
    push_sending_mode: { type: 'string', enum: [...PUSH_SENDING_MODES] },
    track_opens: boolJson,
    track_clicks: boolJson,
    created_at: timeJson,
    updated_at: timeJson,
  },
  ['id', 'name', 'is_active', 'trigger_type', 'send_channel', 'content', 'created_at', 'updated_at'],
  ),
);

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
    track_opens: t.trackOpens !== false,
    track_clicks: t.trackClicks !== false,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}
