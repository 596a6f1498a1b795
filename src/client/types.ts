// The client's named types: the shapes the server's OpenAPI document names (its titled schemas,
// components of the generated types in openapi-types.ts) and the parameters and results of the
// methods (method-map.ts), so none is written twice. The enum lists are runtime values (the console builds its forms from them);
// `satisfies` ties each to its generated type and test/client/coverage.test.ts to the server's.
import type { ParamsOf, ResultOf } from './method-map.js';
import type { components } from './openapi-types.js';

type Schemas = components['schemas'];

// ---- Shared vocabulary ----

export type Channel = NonNullable<TemplateAddParams['channel']>;
export type MatchingMode = NonNullable<MatchingParams['matching']>;
export type MessageStatus = Message['status'];
export type TriggerType = Trigger['trigger_type'];
export type FieldType = FieldDef['type'];
export type PushSendingMode = NonNullable<Trigger['push_sending_mode']>;
/** Subscription statuses by name; profiles/get answers their number (an index of SUBSCRIPTION_STATUSES). */
export type SubscriptionStatus = Extract<SubscriptionInput['status'], string>;
/** RFC 3339 text, or Unix seconds. */
export type TimeInput = NonNullable<MessagesListParams['from_time']>;

export const CHANNELS = ['email', 'sms', 'push'] as const satisfies readonly Channel[];
export const MATCHING_MODES = [
  'email',
  'email_profile',
  'email_sub',
  'phone',
  'phone_sub',
  'email_phone',
  'email_phone_sub',
  'profile_id',
  'push_sub',
  'custom',
] as const satisfies readonly MatchingMode[];
export const MESSAGE_STATUSES = [
  'scheduled',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'bounced',
  'complained',
  'failed',
  'skipped',
  'cancelled',
] as const satisfies readonly MessageStatus[];
export const SUBSCRIPTION_STATUSES = [
  'subscribed',
  'unsubscribed',
  'complained',
  'hardbounced',
  'unconfirmed',
  'suspended',
  'invalid',
] as const satisfies readonly SubscriptionStatus[];
export const TRIGGER_TYPES = ['api_call', 'api_import', 'subscribe'] as const satisfies readonly TriggerType[];
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
] as const satisfies readonly FieldType[];

// ---- Parameter groups ----

/** How a profile is found: the mode and the value(s) it reads. */
export type MatchingParams = Omit<ProfileLookupParams, 'db_id'>;
export type ImportFlags = Pick<ProfileImportParams, 'skip_triggers' | 'skip_invalid_subscriptions' | 'detect_geo'>;
/** The parameters every trigger launch takes. */
export type LaunchParams = Pick<
  StartBatchParams,
  'trigger_id' | 'timeout' | 'custom_data' | 'content' | 'attach' | 'subscription_filter'
>;
export type Delay = Schemas['Delay'];
export type AttachmentInput = Schemas['AttachmentInput'];
export type SubscriptionFilter = Schemas['SubscriptionFilter'];
/** Profile data: system and custom fields, typed by the database (databases/fields_get), and subscriptions. */
export type ProfileData = Schemas['ProfileData'];
export type SubscriptionInput = Schemas['SubscriptionInput'];
/** One item of a batch import: the profile data, its matching values, its own custom_data. */
export type ImportItem = Schemas['ImportItem'];
/** One item of start_batch: a stored profile, by its matching value. */
export type LaunchItem = Schemas['LaunchItem'];
/** Paging of list methods. */
export type PageParams = ParamsOf<'databases/list'>;

// ---- Answers ----

/** The answer of batch calls: the items that succeeded in order, the failed ones by index. */
export type BatchResult = Schemas['BatchResult'];
export type ProfileRef = Schemas['ProfileRef'];
export type ItemError = Schemas['ItemError'];
export type ProfileIdResult = ResultOf<'profiles/import'>;
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
export type Empty = ResultOf<'databases/delete'>;

// ---- Objects: databases, resources, templates ----

export type IdParams = ParamsOf<'databases/get'>;
export type DatabaseAddParams = ParamsOf<'databases/add'>;
export type DatabaseUpdateParams = ParamsOf<'databases/update'>;
export type FieldDef = Schemas['FieldDef'];
export type Database = Schemas['Database'];
/** A field of databases/fields_get: system ones first, then custom ones. */
export type DatabaseField = Schemas['DatabaseField'];
export type ResourceAddParams = ParamsOf<'resources/add'>;
export type ResourceUpdateParams = ParamsOf<'resources/update'>;
export type Resource = Schemas['Resource'];
export type ChannelMap = Schemas['ChannelMap'];
export type ChannelSettings = Schemas['ChannelSettings'];
export type TemplateAddParams = ParamsOf<'templates/add'>;
export type TemplateUpdateParams = ParamsOf<'templates/update'>;
export type TemplateListParams = ParamsOf<'templates/list'>;
export type Template = Schemas['Template'];
/** An item of templates/list: the template's channels as names, as Altcraft's list answers them. */
export type TemplateListItem = Schemas['TemplateListItem'];
export type Account = Schemas['Account'];
export type Sender = Schemas['Sender'];
export type TemplatePreviewParams = ParamsOf<'templates/preview'>;
export type TemplatePreview = Schemas['TemplatePreview'];
/** A test send as templates/tests lists it. */
export type TestSend = Schemas['TestSend'];
/** One channel of a template, as Altcraft's templates/get answers it: `{id, sid, fields}`. */
export type TemplateChannel = Schemas['TemplateChannel'];

// ---- Profiles and visibility ----

export type ProfileLookupParams = ParamsOf<'profiles/get'>;
export type ProfileImportParams = ParamsOf<'profiles/import'>;
export type ProfileImportBatchParams = ParamsOf<'profiles/import_batch'>;
/** The flat profile of profiles/get: system fields, every field that is set, then subscriptions. */
export type Profile = Schemas['Profile'];
/** A subscription as profiles/get answers it, with its channel's data object (`email_data`, …). */
export type Subscription = Schemas['ProfileSubscription'];
export type MessagesListParams = ParamsOf<'messages/list'>;
export type Message = Schemas['Message'];
export type CampaignLogParams = ParamsOf<'campaigns/log_v2'>;
export type LogEntry = Schemas['LogEntry'];

// ---- Triggers: launches, tasks, management ----

export type ImportAndStartBatchParams = ParamsOf<'campaigns/triggers/import_and_start_batch'>;
export type ImportAndStartParams = ParamsOf<'campaigns/triggers/import_and_start'>;
export type StartParams = ParamsOf<'campaigns/triggers/start'>;
export type StartBatchParams = ParamsOf<'campaigns/triggers/start_batch'>;
export type TaskCreated = ResultOf<'campaigns/triggers/start_batch_task'>;
export type TaskStatusParams = ParamsOf<'tasks/status'>;
export type TaskStatus = Schemas['TaskStatus'];
export type TaskState = TaskStatus['status'];
export type TaskFailure = Schemas['TaskFailure'];
export type TriggerAddParams = ParamsOf<'campaigns/triggers/add'>;
export type TriggerUpdateParams = ParamsOf<'campaigns/triggers/update'>;
/** The fields of a trigger campaign; every one optional in an update. */
export type TriggerFields = Omit<TriggerUpdateParams, 'id'>;
export type ContentEntry = Schemas['ContentEntry'];
export type TriggerIdParams = ParamsOf<'campaigns/triggers/get'>;
export type TriggerListParams = ParamsOf<'campaigns/triggers/list'>;
export type TriggerCloneParams = ParamsOf<'campaigns/triggers/clone'>;
export type DeactivateParams = ParamsOf<'campaigns/deactivate'>;
export type Trigger = Schemas['Trigger'];
export type TriggerCounters = Schemas['TriggerCounters'];
