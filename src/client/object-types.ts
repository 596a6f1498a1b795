// Parameters and results of object management: databases/*, resources/*, templates/*,
// mirroring src/http/methods/objects.ts.
import type { Channel, FieldType, PageParams } from './common-types.js';

export interface IdParams {
  id: number;
}

export interface FieldDef {
  name: string;
  type: FieldType;
  /** enum fields: the allowed words. */
  values?: string[];
}

export interface DatabaseAddParams {
  name: string;
  description?: string;
  fields?: FieldDef[];
}

export interface DatabaseUpdateParams {
  /** Also accepted by the server as `db_id` or `list_id`. */
  id: number;
  name?: string;
  description?: string;
  /** When sent, replaces the list. */
  fields?: FieldDef[];
}

export interface Database {
  id: number;
  name: string;
  description?: string;
  fields: FieldDef[];
}

/** A field of databases/fields_get: system ones first, then custom ones. */
export interface DatabaseField {
  name: string;
  type: string;
  system: boolean;
  read_only: boolean;
  values?: string[];
}

export interface ChannelSettings {
  sender: string;
  /** Push only: the sender for subscriptions of a provider (e.g. {"ios-apns": "apns"}); other providers use `sender`. */
  providers?: Record<string, string>;
  from_email?: string;
  from_name?: string;
  replyto_email?: string;
  replyto_name?: string;
}

export type ChannelMap = Partial<Record<Channel, ChannelSettings>>;

export interface ResourceAddParams {
  name: string;
  db_ids?: number[];
  channels?: ChannelMap;
}

export interface ResourceUpdateParams {
  /** Also accepted by the server as `resource_id`. */
  id: number;
  name?: string;
  db_ids?: number[];
  channels?: ChannelMap;
}

export interface Resource {
  id: number;
  name: string;
  db_ids: number[];
  channels: ChannelMap;
}

export interface TemplateParts {
  subject?: string;
  html?: string;
  text?: string;
  title?: string;
  url?: string;
  image?: string;
}

export interface TemplateAddParams extends TemplateParts {
  name: string;
  channel: Channel;
}

export interface TemplateUpdateParams extends TemplateParts {
  /** Also accepted by the server as `template_id`. */
  id: number;
  name?: string;
  channel?: Channel;
}

export interface TemplateListParams extends PageParams {
  channel?: Channel;
}

export interface Template extends TemplateParts {
  id: number;
  name: string;
  channel: Channel;
}
