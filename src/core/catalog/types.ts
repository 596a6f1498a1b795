// The objects an account is configured with (spec 04–06): databases with typed custom fields,
// resources with channels, templates, triggers, senders and action hooks.

export const CHANNELS = ['email', 'sms', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

export const FIELD_TYPES = ['int', 'float', 'string', 'date', 'bool', 'enum', 'ip', 'tags', 'object', 'arr_object'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDef {
  name: string;
  type: FieldType;
  /** The words of an `enum` field, in order (position = numeric value). */
  values?: string[];
}

export interface DatabaseDef {
  id: number;
  accountId: number;
  name: string;
  description: string;
  fields: FieldDef[];
}

export interface ChannelSettings {
  sender: string;
  from_email?: string;
  from_name?: string;
  replyto_email?: string;
  replyto_name?: string;
}

export interface ResourceDef {
  id: number;
  accountId: number;
  name: string;
  dbIds: number[];
  channels: Partial<Record<Channel, ChannelSettings>>;
}

export interface TemplateDef {
  id: number;
  accountId: number;
  name: string;
  channel: Channel;
  subject?: string;
  html?: string;
  text?: string;
  title?: string;
  url?: string;
  image?: string;
}

export interface ContentEntry {
  message_id: number;
  from_email?: string;
  from_name?: string;
  replyto_email?: string;
  replyto_name?: string;
  subject?: string;
}

export const TRIGGER_TYPES = ['api_call', 'api_import', 'subscribe'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const PUSH_SENDING_MODES = ['fanout', 'last'] as const;
export type PushSendingMode = (typeof PUSH_SENDING_MODES)[number];

export interface TriggerDef {
  id: number;
  accountId: number;
  name: string;
  description: string;
  subid: string;
  uiTags: string[];
  isActive: boolean;
  triggerType: TriggerType;
  sendChannel: Channel;
  resourceId?: number;
  listId?: number;
  skipMinutes: number;
  content: ContentEntry[];
  pushSendingMode: PushSendingMode;
  createdAt: number;
  updatedAt: number;
}

export const SENDER_TYPES = ['smtp', 'http', 'file'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];

export interface SenderDef {
  id: number;
  accountId: number;
  name: string;
  type: SenderType;
  /** smtp: smtp(s)://user:pass@host:port; http: the provider endpoint. */
  url?: string;
  headers?: Record<string, string>;
  /** file: the outbox folder. */
  dir?: string;
  ratePerSecond?: number;
}

export const HOOK_EVENTS = ['import_api', 'send', 'send_sms', 'send_push', 'undeliv', 'unsub'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

export interface HookFilters {
  db_ids?: number[];
  resource_ids?: number[];
  trigger_ids?: number[];
  events?: HookEvent[];
}

export interface HookDef {
  id: number;
  accountId: number;
  url: string;
  secret?: string;
  filters: HookFilters;
}

/** Everything one account is configured with, loaded once and cached by its config version. */
export interface Catalog {
  accountId: number;
  version: number;
  databases: Map<number, DatabaseDef>;
  resources: Map<number, ResourceDef>;
  templates: Map<number, TemplateDef>;
  triggers: Map<number, TriggerDef>;
  senders: Map<string, SenderDef>;
  hooks: HookDef[];
}
