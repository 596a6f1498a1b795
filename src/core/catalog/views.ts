// Configuration objects as the API answers them (spec 04–05): the field names of the API, unset
// optional values omitted (so a `get` answer can be sent back to `update`, in JSON and in XML);
// beside each view, its JSON Schema (the payloads of the management methods).
import { arrayJson, boolJson, intJson, obj, strJson, timeJson, titled } from '../values/json-schema.js';
import { iso } from '../values/paging.js';
import type { JsonSchema } from '../values/schema.js';
import { channelsSchema, contentEntrySchema, fieldDefSchema, TEMPLATE_FIELD_NAMES } from './decode.js';
import {
  CHANNELS,
  PUSH_SENDING_MODES,
  TRIGGER_TYPES,
  templateChannels,
  type Channel,
  type DatabaseDef,
  type ResourceDef,
  type TemplateContent,
  type TemplateDef,
  type TriggerDef,
} from './types.js';

/** Altcraft's access groups: Herald has none, every object is in the account's one group. */
const groupJson = titled('Group', obj({ id: intJson, name: strJson }, ['id', 'name']));
export const MAIN_GROUPS: readonly { id: number; name: string }[] = Object.freeze([
  Object.freeze({ id: 0, name: 'main' }),
]);

export const channelJson: JsonSchema = { type: 'string', enum: [...CHANNELS] };

export const databaseJson = titled(
  'Database',
  obj(
    {
      id: intJson,
      name: strJson,
      description: strJson,
      fields: arrayJson(fieldDefSchema.json()),
      phone_region: {
        ...strJson,
        description:
          "the database's phone region (ISO 3166 alpha-2), when it sets one; absent: the server default (HERALD_PHONE_REGION)",
      },
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

export const resourceJson = titled(
  'Resource',
  obj({
    id: intJson,
    name: strJson,
    channels: arrayJson(channelJson),
    dbs_ids: arrayJson(intJson),
    channel_settings: {
      ...channelsSchema.json(),
      description: 'Herald: the settings per channel (sender, from and reply-to)',
    },
    groups: arrayJson(groupJson),
  }),
);

/** As Altcraft's resources/get answers (`channels` the names, `dbs_ids`), with Herald's settings per channel. */
export function resourceView(r: ResourceDef): Record<string, unknown> {
  const names = CHANNELS.filter((c) => r.channels[c] !== undefined);
  return {
    id: r.id,
    name: r.name,
    channels: names,
    dbs_ids: r.dbIds,
    channel_settings: r.channels,
    groups: MAIN_GROUPS,
  };
}

/** Herald's number for each channel in a template's `channels[].id` (Altcraft numbers its channels). */
export const TEMPLATE_CHANNEL_IDS: Record<Channel, number> = { email: 1, sms: 2, push: 3 };

const templateChannelJson = titled(
  'TemplateChannel',
  obj({
    id: intJson,
    sid: channelJson,
    fields: {
      type: 'object',
      additionalProperties: strJson,
      description: "Altcraft's field names: email subject, html, text; sms sms; push title, body, click_url, image",
    },
  }),
);

export const templateJson = titled(
  'Template',
  obj(
    {
      id: intJson,
      name: strJson,
      description: strJson,
      channels: arrayJson(templateChannelJson),
      groups: arrayJson(groupJson),
      params: {
        ...arrayJson(strJson),
        description:
          'templates/get with get_variable: the variables the channels answered use (`lead._fname`, `unsubscribe`)',
      },
      saved_id: {
        ...intJson,
        description: "templates/add: the new template's id (`id`), as Altcraft's Add template page answers it",
      },
    },
    ['id', 'name', 'description', 'channels', 'groups'],
  ),
);

/**
 * An item of templates/list, as Altcraft's Get templates list page shows it: the template's
 * channels as names (`["email"]`); templates/get answers each channel's fields.
 */
export const templateListItemJson = titled(
  'TemplateListItem',
  obj({
    id: intJson,
    name: strJson,
    description: strJson,
    channels: arrayJson(channelJson),
    groups: arrayJson(groupJson),
  }),
);

export function templateListItemView(t: TemplateDef): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    description: t.description ?? '',
    channels: templateChannels(t),
    groups: MAIN_GROUPS,
  };
}

/** The fields of a channel under Altcraft's names (each part under the first name given for it). */
function altcraftFields(channel: Channel, content: TemplateContent): Record<string, string> {
  const out: Record<string, string> = {};
  const named = new Set<string>();
  for (const [name, part] of TEMPLATE_FIELD_NAMES[channel]) {
    if (named.has(part)) continue;
    named.add(part);
    const value = content[part];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** As Altcraft's templates/get answers: the content of each channel as `{id, sid, fields}`. */
export function templateView(t: TemplateDef): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    description: t.description ?? '',
    channels: templateChannels(t).map((ch) => ({
      id: TEMPLATE_CHANNEL_IDS[ch],
      sid: ch,
      fields: altcraftFields(ch, t.channels[ch] ?? {}),
    })),
    groups: MAIN_GROUPS,
  };
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
      type: {
        type: 'string',
        enum: [...TRIGGER_TYPES],
        description: "the trigger type again, as Altcraft's list names it",
      },
      for_confirm: { ...boolJson, description: 'always false: Herald sends no opt-in confirmation messages' },
      groups: arrayJson(groupJson),
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
    [
      'id',
      'name',
      'is_active',
      'trigger_type',
      'type',
      'for_confirm',
      'groups',
      'send_channel',
      'content',
      'created_at',
      'updated_at',
    ],
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
    type: t.triggerType,
    for_confirm: false,
    groups: MAIN_GROUPS,
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
