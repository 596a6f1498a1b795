// Shared vocabulary of the client's parameter and result types: channels, matching modes, the
// launch parameters and the batch answers. They mirror the server's schemas by hand;
// test/client/coverage.test.ts checks the lists and keys against the server so they cannot drift.

export const CHANNELS = ['email', 'sms', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

export const MATCHING_MODES = ['email', 'email_profile', 'email_sub', 'phone', 'phone_sub', 'email_phone', 'email_phone_sub', 'profile_id', 'push_sub', 'custom'] as const;
export type MatchingMode = (typeof MATCHING_MODES)[number];

export const MESSAGE_STATUSES = ['scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'skipped', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Subscription statuses by their number (profiles/get answers the number). */
export const SUBSCRIPTION_STATUSES = ['subscribed', 'unsubscribed', 'complained', 'hardbounced', 'unconfirmed', 'suspended', 'invalid'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const TRIGGER_TYPES = ['api_call', 'api_import', 'subscribe'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const FIELD_TYPES = ['int', 'float', 'string', 'date', 'bool', 'enum', 'ip', 'tags', 'object', 'arr_object'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type PushSendingMode = 'fanout' | 'last';

/** RFC 3339 text, or Unix seconds. */
export type TimeInput = string | number;

/** How a profile is found: the mode and the value(s) it reads. */
export interface MatchingParams {
  matching?: MatchingMode;
  email?: string;
  phone?: string;
  profile_id?: string;
  /** `custom` matching: the custom field and its value. */
  field_name?: string;
  field_value?: unknown;
  /** `*_sub` matching: the resource of the subscription. */
  resource_id?: number;
  /** `push_sub` matching. */
  provider?: string;
  subscription_id?: string;
}

export interface ImportFlags {
  skip_triggers?: boolean;
  skip_invalid_subscriptions?: boolean;
  detect_geo?: boolean;
}

export interface Delay {
  days?: number;
  hours?: number;
  minutes?: number;
}

export interface AttachmentInput {
  /** `data:<mime type>;base64,<data>` */
  data: string;
  name?: string;
}

export interface SubscriptionFilter {
  email?: string;
  phone?: string;
  provider?: string;
  subscription_id?: string;
  not_strict?: boolean;
}

/** The parameters every trigger launch takes. */
export interface LaunchParams {
  /** Also accepted by the server as `id`. */
  trigger_id: number;
  timeout?: Delay;
  custom_data?: Record<string, unknown>;
  content?: Record<string, unknown>;
  attach?: AttachmentInput[];
  subscription_filter?: SubscriptionFilter;
}

export interface SubscriptionInput {
  channel: Channel;
  resource_id: number;
  email?: string;
  phone?: string;
  provider?: string;
  subscription_id?: string;
  /** A status name or its number. */
  status?: SubscriptionStatus | number;
  priority?: number;
  custom_fields?: Record<string, unknown>;
  cats?: string[];
}

/** Profile data: system and custom fields, typed by the database (databases/fields_get), and subscriptions. */
export interface ProfileData {
  subscriptions?: SubscriptionInput[];
  [field: string]: unknown;
}

/** One item of a batch import: the profile data, its matching values, its own custom_data. */
export interface ImportItem {
  data: ProfileData;
  custom_data?: Record<string, unknown>;
  email?: string;
  phone?: string;
  profile_id?: string;
  field_value?: unknown;
  provider?: string;
  subscription_id?: string;
}

/** One item of start_batch: a stored profile, by its matching value. */
export interface LaunchItem {
  email?: string;
  phone?: string;
  profile_id?: string;
  field_value?: unknown;
  provider?: string;
  subscription_id?: string;
  custom_data?: Record<string, unknown>;
}

export interface ProfileRef {
  profile_id: string;
}

export interface ItemError {
  /** Position of the item in `data`. */
  index: number;
  error: 400 | 404;
  error_text: string;
  error_debug: string;
}

/** The answer of batch calls: the items that succeeded in order, the failed ones by index. */
export interface BatchResult {
  result: ProfileRef[];
  errors?: ItemError[];
}

/** Paging of list methods. */
export interface PageParams {
  from_id?: number;
  limit?: number;
}

/** A page of objects, with the count of every match. */
export interface Page<T> {
  data: T[];
  total_count: number;
}

/** `data` holding one object. */
export interface One<T> {
  data: T;
}

/** Methods that answer nothing but the envelope. */
export type Empty = Record<string, never>;
