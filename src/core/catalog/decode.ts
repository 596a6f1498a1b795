// Decoders for configuration objects, shared by the provisioning file (06) and the management
// methods (05) so both validate the same way. Cross-object rules live in validate.ts.
import { DecodeError, within } from '../base/errors.js';
import { LIMITS } from '../base/limits.js';
import { normalizeEmail } from '../values/formats.js';
import { templateProblem } from '../templates/check.js';
import { isPhoneRegion } from '../values/phone.js';
import { describe, isPlainObject, toStr } from '../values/coerce.js';
import {
  anyObject,
  arrayOf,
  bool,
  int,
  number,
  object,
  oneOf,
  optional,
  required,
  str,
  type DecodeContext,
  type Decoded,
  type Schema,
} from '../values/schema.js';
import { PLAIN_WIRE } from '../values/wire.js';
import {
  CHANNELS,
  FIELD_TYPES,
  HOOK_EVENTS,
  PUSH_SENDING_MODES,
  SENDER_TYPES,
  TRIGGER_TYPES,
  type Channel,
  type ChannelSettings,
  type ContentEntry,
  type FieldDef,
  type HookFilters,
  TEMPLATE_PARTS,
  type TemplateContent,
  type TemplateDef,
  type TemplatePart,
} from './types.js';

const ctx: DecodeContext = { wire: PLAIN_WIRE };

/** Names a custom field may not take (spec 03). */
export function reservedFieldName(name: string): string | undefined {
  if (name === '') return 'must not be empty';
  if (name.startsWith('_')) return 'may not start with "_"';
  if (['data', 'subscriptions', 'custom_data', 'profile_id', 'id', 'email', 'phones'].includes(name))
    return 'is reserved';
  if (['__proto__', 'constructor', 'prototype'].includes(name)) return 'is not allowed';
  return undefined;
}

export const fieldDefSchema: Schema<FieldDef> = {
  decode(value, c) {
    const f = object({
      name: required(str({ nonEmpty: true, maxLength: LIMITS.fieldNameLength })),
      type: required(oneOf(FIELD_TYPES)),
      values: optional(arrayOf(str({ nonEmpty: true }))),
    }).decode(value, c);
    const reserved = reservedFieldName(f.name);
    if (reserved) throw new DecodeError(`field name ${describe(f.name)} ${reserved}`, ['name']);
    if (f.type === 'enum' && (!f.values || f.values.length === 0))
      throw new DecodeError('an enum field needs values', ['values']);
    return { name: f.name, type: f.type, ...(f.type === 'enum' ? { values: f.values } : {}) };
  },
  json: () => ({
    title: 'FieldDef',
    type: 'object',
    properties: {
      name: { type: 'string' },
      type: { type: 'string', enum: [...FIELD_TYPES] },
      values: { type: 'array', items: { type: 'string' } },
    },
    required: ['name', 'type'],
  }),
};

/**
 * A database's phone region: an ISO 3166 alpha-2 country libphonenumber knows (any case, stored
 * upper case); "" stands for none (the server's HERALD_PHONE_REGION applies).
 */
export const phoneRegionSchema: Schema<string> = {
  decode(value) {
    if (value === null) return '';
    const s = toStr(value).trim().toUpperCase();
    if (s !== '' && !isPhoneRegion(s))
      throw new DecodeError(
        `unknown phone region ${describe(value)}, expected an ISO 3166 alpha-2 country code such as RU`,
      );
    return s;
  },
  json: () => ({
    type: 'string',
    pattern: '^([A-Za-z]{2})?$',
    description:
      'the country (ISO 3166 alpha-2) whose national phone numbers are accepted (89001234567 in RU is +79001234567); "" or absent: the server default (HERALD_PHONE_REGION)',
  }),
};

export const databaseSchema = object({
  id: optional(int({ min: 1 })),
  name: required(str({ nonEmpty: true })),
  description: optional(str(), ''),
  fields: optional(arrayOf(fieldDefSchema), []),
  phone_region: optional(phoneRegionSchema),
});

export function checkFieldNames(fields: FieldDef[]): void {
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (seen.has(f.name)) throw new DecodeError(`field '${f.name}' is declared twice`, ['fields', `[${i}]`]);
    seen.add(f.name);
  });
}

/**
 * An address that goes into a mail header and the envelope (From, Reply-To): a plain, valid
 * email, checked when saved, so CR/LF or garbage never reaches a message. Empty means not given.
 */
export const mailAddressSchema: Schema<string | undefined> = {
  decode(value) {
    const given = toStr(value);
    if (given.trim() === '') return undefined;
    const email = normalizeEmail(given);
    if (!email)
      throw new DecodeError(`incorrect email ${describe(given)}, expected a plain address such as name@example.com`);
    return email;
  },
  json: () => ({ type: 'string', description: 'a plain email address (name@example.com)' }),
};

const providersSchema: Schema<Record<string, string>> = {
  decode(value) {
    if (!isPlainObject(value)) throw new DecodeError(`expected an object of provider → sender, got ${describe(value)}`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      const name = within(k, () => toStr(v));
      if (!k.trim() || !name.trim()) throw new DecodeError('provider and sender names must not be empty', [k]);
      out[k.trim().toLowerCase()] = name;
    }
    return out;
  },
  json: () => ({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'push: the sender for subscriptions of each provider',
  }),
};

const channelSettingsSchema = object({
  sender: required(str({ nonEmpty: true })),
  providers: optional(providersSchema),
  from_email: optional(mailAddressSchema),
  from_name: optional(str()),
  replyto_email: optional(mailAddressSchema),
  replyto_name: optional(str()),
});

export const channelsSchema: Schema<Partial<Record<Channel, ChannelSettings>>> = {
  decode(value, c) {
    // In XML an empty <channels/> is the empty map.
    if (c.wire.isEmpty(value)) return {};
    if (!isPlainObject(value)) throw new DecodeError(`expected an object, got ${describe(value)}`);
    const out: Partial<Record<Channel, ChannelSettings>> = {};
    for (const key of Object.keys(value)) {
      if (!(CHANNELS as readonly string[]).includes(key))
        throw new DecodeError(`unknown channel ${describe(key)}`, [key]);
      const s = within(key, () => channelSettingsSchema.decode(value[key], c));
      within(key, () => checkTemplateTexts(s, ['from_name', 'replyto_name']));
      if (s.providers && key !== 'push')
        throw new DecodeError('only a push channel routes by provider', [key, 'providers']);
      out[key as Channel] = stripUndefined(s) as ChannelSettings;
    }
    return out;
  },
  json: () => ({
    title: 'ChannelMap',
    type: 'object',
    properties: Object.fromEntries(
      CHANNELS.map((ch) => [ch, { title: 'ChannelSettings', ...channelSettingsSchema.json() }]),
    ),
  }),
};

export const resourceSchema = object({
  id: optional(int({ min: 1 })),
  name: required(str({ nonEmpty: true })),
  // `dbs_ids` is the name Altcraft's resources/get answers with.
  db_ids: optional(arrayOf(int({ min: 1 })), [], { aliases: ['dbs_ids'] }),
  channels: optional(channelsSchema, {}),
});

/**
 * Altcraft's names of a channel's template fields (its Channel object page), each with the part it
 * fills; Herald's own part names are accepted too. The first name of a part is the one answered.
 */
export const TEMPLATE_FIELD_NAMES: Record<Channel, [string, TemplatePart][]> = {
  email: [
    ['subject', 'subject'],
    ['html', 'html'],
    ['text', 'text'],
  ],
  sms: [
    ['sms', 'text'],
    ['text', 'text'],
  ],
  push: [
    ['title', 'title'],
    ['body', 'text'],
    ['text', 'text'],
    ['click_url', 'url'],
    ['url', 'url'],
    ['image', 'image'],
  ],
};

const templateChannelSchema = object({
  sid: required(oneOf(CHANNELS), { aliases: ['channel'] }),
  fields: optional(anyObject(), {}),
});

/** One channel object of `channels` ({sid, fields}) as the content it gives. */
function channelContent(item: Decoded<typeof templateChannelSchema>, c: DecodeContext): TemplateContent {
  const content: TemplateContent = {};
  for (const [name, part] of TEMPLATE_FIELD_NAMES[item.sid]) {
    const raw = item.fields[name];
    if (raw === undefined || raw === null || content[part] !== undefined) continue;
    content[part] = within('fields', () => within(name, () => str().decode(raw, c)));
  }
  return content;
}

const templateChannelsSchema: Schema<TemplateDef['channels']> = {
  decode(value, c) {
    const items = arrayOf(templateChannelSchema, { single: true, minItems: 1 }).decode(value, c);
    const out: TemplateDef['channels'] = {};
    items.forEach((item, i) => {
      if (out[item.sid] !== undefined) throw new DecodeError(`channel ${item.sid} is given twice`, [`[${i}]`, 'sid']);
      out[item.sid] = within(i, () => channelContent(item, c));
    });
    return out;
  },
  json: () => ({
    type: 'array',
    minItems: 1,
    description:
      "the template's content per channel, as Altcraft's Channel object: email fields subject, html, text; sms: sms; push: title, body, click_url, image",
    items: {
      title: 'TemplateChannelInput',
      type: 'object',
      properties: {
        sid: { type: 'string', enum: [...CHANNELS] },
        fields: { type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['sid'],
    },
  }),
};

/** The single-channel shorthand: `channel` with its parts at the top level (Herald's first form, kept). */
export const templatePartsShape = {
  channel: optional(oneOf(CHANNELS)),
  subject: optional(str()),
  html: optional(str()),
  text: optional(str()),
  title: optional(str()),
  url: optional(str()),
  image: optional(str()),
};

export const templateSchema = object({
  id: optional(int({ min: 1 })),
  name: required(str({ nonEmpty: true })),
  description: optional(str(), undefined, { aliases: ['descr'] }),
  channels: optional(templateChannelsSchema),
  ...templatePartsShape,
});

export type TemplateInput = ReturnType<typeof templateSchema.decode>;

/** The parts of the shorthand a request sent. */
export function shorthandParts(t: Pick<TemplateInput, TemplatePart>): TemplateContent {
  return stripUndefined(Object.fromEntries(TEMPLATE_PARTS.map((k) => [k, t[k]]))) as TemplateContent;
}

/** The content per channel a request gives: `channels`, or the shorthand (`channel` and its parts); not both. */
export function requestedTemplateChannels(
  t: Omit<TemplateInput, 'id' | 'name' | 'description'>,
): TemplateDef['channels'] | undefined {
  const parts = shorthandParts(t);
  if (t.channels !== undefined) {
    if (t.channel !== undefined || Object.keys(parts).length > 0)
      throw new DecodeError('send the channels, or one channel with its parts, not both', ['channels']);
    return t.channels;
  }
  if (t.channel === undefined) {
    if (Object.keys(parts).length > 0) throw new DecodeError('is required with the parts of a template', ['channel']);
    return undefined;
  }
  return { [t.channel]: parts };
}

/** A whole template from a request or the provisioning file (either form). */
export function decodeTemplate(t: TemplateInput): Omit<TemplateDef, 'id' | 'accountId'> & { id?: number } {
  const channels = requestedTemplateChannels(t);
  if (channels === undefined) throw new DecodeError('is required (or channel with its parts)', ['channels']);
  const def = stripUndefined({ id: t.id, name: t.name, description: t.description, channels }) as Omit<
    TemplateDef,
    'id' | 'accountId'
  > & { id?: number };
  checkTemplate(def.channels);
  return def;
}

/** Channel-specific rules and the grammar check of spec 04, for each channel of a template. */
export function checkTemplate(channels: TemplateDef['channels']): void {
  const several = Object.keys(channels).length > 1;
  for (const channel of CHANNELS) {
    const t = channels[channel];
    if (t === undefined) continue;
    const at = (key?: string): string[] => (several ? ['channels', channel, ...(key ? [key] : [])] : key ? [key] : []);
    if (channel === 'email' && !t.html && !t.text) throw new DecodeError('an email template needs html or text', at());
    if (channel === 'email' && !t.subject) throw new DecodeError('an email template needs a subject', at('subject'));
    if (channel === 'sms' && !t.text) throw new DecodeError('an sms template needs text', at('text'));
    if (channel === 'push' && !t.text && !t.title) throw new DecodeError('a push template needs a title or text', at());
    for (const key of TEMPLATE_PARTS) {
      const source = t[key];
      if (source === undefined) continue;
      const problem = templateProblem(source);
      if (problem) throw new DecodeError(problem, at(key));
    }
  }
}

/** The grammar check of spec 04 on the parts of an object that are rendered as templates (subjects, sender names). */
function checkTemplateTexts<K extends string>(o: Partial<Record<K, string>>, keys: readonly K[]): void {
  for (const key of keys) {
    const source = o[key];
    const problem = source === undefined ? undefined : templateProblem(source);
    if (problem) throw new DecodeError(problem, [key]);
  }
}

/**
 * A text override where an empty (or blank) string means "not overridden": Altcraft's trigger pages
 * send `"from_name": ""`, `"subject": ""` for the template's and the resource's own values.
 */
const overrideText: Schema<string | undefined> = {
  decode(value, c) {
    const text = str().decode(value, c);
    return text.trim() === '' ? undefined : text;
  },
  json: () => ({ type: 'string', description: 'an override; empty means the template or resource value' }),
};

export const contentEntrySchema: Schema<ContentEntry> = {
  decode(value, c) {
    const e = object({
      message_id: required(int({ min: 1 })),
      from_email: optional(mailAddressSchema),
      from_name: optional(overrideText),
      replyto_email: optional(mailAddressSchema),
      replyto_name: optional(overrideText),
      subject: optional(overrideText),
    }).decode(value, c);
    checkTemplateTexts(e, ['subject', 'from_name', 'replyto_name']);
    return stripUndefined(e) as ContentEntry;
  },
  json: () => ({
    title: 'ContentEntry',
    type: 'object',
    properties: {
      message_id: { type: 'integer' },
      from_email: mailAddressSchema.json(),
      from_name: { type: 'string' },
      replyto_email: mailAddressSchema.json(),
      replyto_name: { type: 'string' },
      subject: { type: 'string' },
    },
    required: ['message_id'],
  }),
};

/** Every trigger field; `add` requires some, `update` none (partial). */
export const triggerFields = {
  id: optional(int({ min: 1 })),
  name: optional(str({ nonEmpty: true })),
  // `descr`: the name Altcraft's trigger pages give the description.
  description: optional(str(), undefined, { aliases: ['descr'] }),
  subid: optional(str()),
  ui_tags: optional(arrayOf(str(), { single: true })),
  is_active: optional(bool()),
  trigger_type: optional(oneOf(TRIGGER_TYPES)),
  send_channel: optional(oneOf(CHANNELS)),
  resource_id: optional(int({ min: 1 })),
  list_id: optional(int({ min: 1 })),
  skip_minutes: optional(int({ min: 0, max: 525_600 })),
  content: optional(arrayOf(contentEntrySchema, { single: true })),
  push_sending_mode: optional(oneOf(PUSH_SENDING_MODES)),
  track_opens: optional(bool()),
  track_clicks: optional(bool()),
};
export const triggerPatchSchema = object(triggerFields);
export type TriggerPatch = ReturnType<typeof triggerPatchSchema.decode>;

export const senderSchema = object({
  name: required(str({ nonEmpty: true })),
  type: required(oneOf(SENDER_TYPES)),
  url: optional(str()),
  headers: optional({
    decode(value) {
      if (!isPlainObject(value)) throw new DecodeError(`expected an object, got ${describe(value)}`);
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) {
        const text = within(k, () => toStr(v));
        if (/[\r\n]/.test(k) || /[\r\n]/.test(text))
          throw new DecodeError('header names and values may not contain CR or LF', [k]);
        // Values are request templates ({message.to}, {lead.*}, …) for the http sender.
        const problem = templateProblem(text, 'request');
        if (problem) throw new DecodeError(problem, [k]);
        out[k] = text;
      }
      return out;
    },
    json: () => ({ type: 'object', additionalProperties: { type: 'string' } }),
  } satisfies Schema<Record<string, string>>),
  dir: optional(str({ nonEmpty: true })),
  rate_per_second: optional(number()),
});
export type SenderInput = ReturnType<typeof senderSchema.decode>;

export function checkSender(s: SenderInput): void {
  if (s.rate_per_second !== undefined && s.rate_per_second <= 0)
    throw new DecodeError('must be positive', ['rate_per_second']);
  if (s.type === 'file') {
    if (!s.dir) throw new DecodeError('a file sender needs dir', ['dir']);
    return;
  }
  // Push services are reached at their own addresses (sender-decode.ts).
  if (s.type !== 'smtp' && s.type !== 'http') return;
  if (!s.url) throw new DecodeError(`an ${s.type} sender needs url`, ['url']);
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    throw new DecodeError('is not a URL', ['url']);
  }
  const allowed = s.type === 'smtp' ? ['smtp:', 'smtps:'] : ['http:', 'https:'];
  if (!allowed.includes(url.protocol)) throw new DecodeError(`must use ${allowed.join(' or ')}`, ['url']);
}

export const hookFiltersSchema = object({
  db_ids: optional(arrayOf(int({ min: 1 }))),
  resource_ids: optional(arrayOf(int({ min: 1 }))),
  trigger_ids: optional(arrayOf(int({ min: 1 }))),
  events: optional(arrayOf(oneOf(HOOK_EVENTS))),
});

export const hookSchema = object({
  url: required(str({ nonEmpty: true })),
  secret: optional(str()),
  ...hookFiltersSchema.shape,
});

export function hookFilters(h: ReturnType<typeof hookSchema.decode>): HookFilters {
  return stripUndefined({
    db_ids: h.db_ids,
    resource_ids: h.resource_ids,
    trigger_ids: h.trigger_ids,
    events: h.events,
  }) as HookFilters;
}

export function checkHookUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DecodeError('is not a URL', ['url']);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DecodeError('must use http or https', ['url']);
}

export function stripUndefined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

export const decodeWith = <T>(schema: Schema<T>, value: unknown): T => schema.decode(value, ctx);
