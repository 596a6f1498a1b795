// The objects an account is configured with (spec 04–06): databases with typed custom fields,
// resources with channels, templates, triggers, senders and action hooks.

export const CHANNELS = ['email', 'sms', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

export const FIELD_TYPES = [
  'int',
  'float',
  'string',
  'date',
  'bool',
  'enum',
  'ip',
  'tags',
  'object',
  'arr_object',
] as const;
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
  /**
   * The country (ISO 3166 alpha-2) whose national numbers (`89001234567` in RU) the phones of its
   * profiles may be written in; absent: the server's default.
   */
  phoneRegion?: string;
  /** The server's default phone region (HERALD_PHONE_REGION), set when the catalog is loaded; never stored. */
  serverPhoneRegion?: string;
}

/** The phone region a database's national numbers are read in: its own, else the server's. */
export function phoneRegionOf(db: Pick<DatabaseDef, 'phoneRegion' | 'serverPhoneRegion'>): string | undefined {
  return db.phoneRegion ?? db.serverPhoneRegion;
}

export interface ChannelSettings {
  sender: string;
  /**
   * Push only: the sender for subscriptions of a given provider (lower-cased), so one launch can
   * reach browsers, Android and iOS devices; other providers go to `sender`.
   */
  providers?: Record<string, string>;
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

/** The parts of a template's content on one channel (email: subject, html, text; sms: text; push: title, text, url, image). */
export const TEMPLATE_PARTS = ['subject', 'html', 'text', 'title', 'url', 'image'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];
export type TemplateContent = Partial<Record<TemplatePart, string>>;

/**
 * A message template (Altcraft's template with its channels): one content per channel it can be
 * sent on, at least one; a trigger renders the content of the channel it sends on.
 */
export interface TemplateDef {
  id: number;
  accountId: number;
  name: string;
  description?: string;
  channels: Partial<Record<Channel, TemplateContent>>;
}

/** The channels a template has content for, in the order of CHANNELS. */
export const templateChannels = (t: Pick<TemplateDef, 'channels'>): Channel[] =>
  CHANNELS.filter((c) => t.channels[c] !== undefined);

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
  /** Email opens (the pixel) and clicks (rewritten links) are tracked unless false (spec 07). */
  trackOpens?: boolean;
  trackClicks?: boolean;
  createdAt: number;
  updatedAt: number;
}

export const SENDER_TYPES = ['smtp', 'http', 'file', 'webpush', 'fcm', 'apns'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];

/** A JSON value whose strings are templates (the `http` sender's JSON body). */
export type JsonTemplate = string | number | boolean | null | JsonTemplate[] | { [key: string]: JsonTemplate };

/** How the `http` sender shapes its request and reads the answer. */
export interface HttpRequestShape {
  method: 'POST' | 'GET';
  basicAuth?: { user: string; password: string };
  /** Query parameters: values are templates. */
  query?: Record<string, string>;
  /** Absent: the default JSON body (`{to, text, message_id}`) for POST, none for GET. */
  body?: { kind: 'json'; value: JsonTemplate } | { kind: 'form'; fields: Record<string, string> } | { kind: 'none' };
  /** JSON pointer to the provider's message id in the answer. */
  messageIdPointer?: string;
  /** Statuses that mean success (default: any 2xx). */
  successStatus?: number[];
  /** A pointer into the answer and the value it must equal for the send to have succeeded. */
  successPointer?: { pointer: string; equals: unknown };
}

/** Delivery receipts a provider posts back (see docs/SENDERS.md). */
export interface ReceiptDef {
  key: string;
  /** Pointers into a JSON body, or field names (`/Name`) of a form body. */
  id: string;
  status: string;
  reason?: string;
  delivered: string[];
  undelivered: string[];
}

export interface WebPushSettings {
  subject: string;
  /** VAPID keys, URL-safe base64 (what `web-push generate-vapid-keys` prints). */
  publicKey: string;
  privateKey: string;
  ttlSeconds: number;
}

export interface FcmSettings {
  projectId: string;
  clientEmail: string;
  /** The service account's RSA key (PEM). */
  privateKey: string;
  privateKeyId?: string;
  tokenUri: string;
  apiUrl: string;
}

export interface ApnsSettings {
  teamId: string;
  keyId: string;
  /** The .p8 signing key (PEM, P-256). */
  privateKey: string;
  topic: string;
  environment: 'production' | 'sandbox';
  apiUrl: string;
}

export interface SenderDef {
  id: number;
  accountId: number;
  name: string;
  type: SenderType;
  /** smtp: smtp(s)://user:pass@host:port; http: the provider endpoint. */
  url?: string;
  /** http: header values are templates. */
  headers?: Record<string, string>;
  /** file: the outbox folder. */
  dir?: string;
  ratePerSecond?: number;
  request?: HttpRequestShape;
  webpush?: WebPushSettings;
  fcm?: FcmSettings;
  apns?: ApnsSettings;
  receipt?: ReceiptDef;
  dkim?: DkimSettings;
}

/** smtp: the DKIM key every message of the sender is signed with (spec 07). */
export interface DkimSettings {
  domain: string;
  selector: string;
  /** PEM of an RSA key (RSA-SHA256 signatures) or an Ed25519 key (Ed25519-SHA256, RFC 8463). */
  privateKey: string;
}

export const HOOK_EVENTS = [
  'import_api',
  'send',
  'send_sms',
  'send_push',
  'deliv',
  'undeliv',
  'unsub',
  'hbounce',
  'sbounce',
  'complain',
  'uopen',
  'open',
  'uclick',
  'click',
] as const;
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
  /** The account's name (provisioning file); absent where a catalog is built without a store. */
  accountName?: string;
  version: number;
  databases: Map<number, DatabaseDef>;
  resources: Map<number, ResourceDef>;
  templates: Map<number, TemplateDef>;
  triggers: Map<number, TriggerDef>;
  senders: Map<string, SenderDef>;
  hooks: HookDef[];
}
