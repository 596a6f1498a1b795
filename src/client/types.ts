// The client's named types: each one a part of a method's parameters or result as the generated
// types (openapi-types.ts, from the server's OpenAPI document) declare it, so none is written
// twice. The enum lists are runtime values (the console builds its forms from them);
// `satisfies` ties each to its generated type and test/client/coverage.test.ts to the server's.
import type { ParamsOf, ResultOf } from './method-map.js';

// ---- Shared vocabulary ----

export type Channel = TemplateAddParams['channel'];
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
export const MATCHING_MODES = ['email', 'email_profile', 'email_sub', 'phone', 'phone_sub', 'email_phone', 'email_phone_sub', 'profile_id', 'push_sub', 'custom'] as const satisfies readonly MatchingMode[];
export const MESSAGE_STATUSES = ['scheduled', 'sending', 'sent', 'failed', 'skipped', 'cancelled'] as const satisfies readonly MessageStatus[];
export const SUBSCRIPTION_STATUSES = ['subscribed', 'unsubscribed', 'complained', 'hardbounced', 'unconfirmed', 'suspended', 'invalid'] as const satisfies readonly SubscriptionStatus[];
export const TRIGGER_TYPES = ['api_call', 'api_import', 'subscribe'] as const satisfies readonly TriggerType[];
export const FIELD_TYPES = ['int', 'float', 'string', 'date', 'bool', 'enum', 'ip', 'tags', 'object', 'arr_object'] as const satisfies readonly FieldType[];

// ---- Parameter groups ----

/** How a profile is found: the mode and the value(s) it reads. */
export type MatchingParams = Omit<ProfileLookupParams, 'db_id'>;
export type ImportFlags = Pick<ProfileImportParams, 'skip_triggers' | 'skip_invalid_subscriptions' | 'detect_geo'>;
/** The parameters every trigger launch takes. */
export type LaunchParams = Pick<StartBatchParams, 'trigger_id' | 'timeout' | 'custom_data' | 'content' | 'attach' | 'subscription_filter'>;
export type Delay = NonNullable<LaunchParams['timeout']>;
export type AttachmentInput = NonNullable<LaunchParams['attach']>[number];
export type SubscriptionFilter = NonNullable<LaunchParams['subscription_filter']>;
/** Profile data: system and custom fields, typed by the database (databases/fields_get), and subscriptions. */
export type ProfileData = ProfileImportParams['data'];
export type SubscriptionInput = NonNullable<ProfileData['subscriptions']>[number];
/** One item of a batch import: the profile data, its matching values, its own custom_data. */
export type ImportItem = ProfileImportBatchParams['data'][number];
/** One item of start_batch: a stored profile, by its matching value. */
export type LaunchItem = StartBatchParams['data'][number];
/** Paging of list methods. */
export type PageParams = ParamsOf<'databases/list'>;

// ---- Answers ----

/** The answer of batch calls: the items that succeeded in order, the failed ones by index. */
export type BatchResult = ResultOf<'profiles/import_batch'>;
export type ProfileRef = BatchResult['result'][number];
export type ItemError = NonNullable<BatchResult['errors']>[number];
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
export type FieldDef = NonNullable<DatabaseAddParams['fields']>[number];
export type Database = ResultOf<'databases/get'>['data'];
/** A field of databases/fields_get: system ones first, then custom ones. */
export type DatabaseField = ResultOf<'databases/fields_get'>['data'][number];
export type ResourceAddParams = ParamsOf<'resources/add'>;
export type ResourceUpdateParams = ParamsOf<'resources/update'>;
export type Resource = ResultOf<'resources/get'>['data'];
export type ChannelMap = NonNullable<ResourceAddParams['channels']>;
export type ChannelSettings = NonNullable<ChannelMap['email']>;
export type TemplateAddParams = ParamsOf<'templates/add'>;
export type TemplateUpdateParams = ParamsOf<'templates/update'>;
export type TemplateListParams = ParamsOf<'templates/list'>;
export type Template = ResultOf<'templates/get'>['data'];
export type TemplateParts = Pick<Template, 'subject' | 'html' | 'text' | 'title' | 'url' | 'image'>;

// ---- Profiles and visibility ----

export type ProfileLookupParams = ParamsOf<'profiles/get'>;
export type ProfileImportParams = ParamsOf<'profiles/import'>;
export type ProfileImportBatchParams = ParamsOf<'profiles/import_batch'>;
/** The flat profile of profiles/get: system fields, every field that is set, then subscriptions. */
export type Profile = ResultOf<'profiles/get'>['data'];
export type Subscription = Profile['subscriptions'][number];
export type MessagesListParams = ParamsOf<'messages/list'>;
export type Message = ResultOf<'messages/list'>['data'][number];
export type CampaignLogParams = ParamsOf<'campaigns/log_v2'>;
export type LogEntry = ResultOf<'campaigns/log_v2'>['data'][number];

// ---- Triggers: launches, tasks, management ----

export type ImportAndStartBatchParams = ParamsOf<'campaigns/triggers/import_and_start_batch'>;
export type ImportAndStartParams = ParamsOf<'campaigns/triggers/import_and_start'>;
export type StartParams = ParamsOf<'campaigns/triggers/start'>;
export type StartBatchParams = ParamsOf<'campaigns/triggers/start_batch'>;
export type TaskCreated = ResultOf<'campaigns/triggers/start_batch_task'>;
export type TaskStatusParams = ParamsOf<'tasks/status'>;
export type TaskStatus = ResultOf<'tasks/status'>['data'];
export type TaskState = TaskStatus['status'];
export type TaskFailure = Extract<NonNullable<TaskStatus['result']>, { error: number }>;
export type TriggerAddParams = ParamsOf<'campaigns/triggers/add'>;
export type TriggerUpdateParams = ParamsOf<'campaigns/triggers/update'>;
/** The fields of a trigger campaign; every one optional in an update. */
export type TriggerFields = Omit<TriggerUpdateParams, 'id'>;
export type ContentEntry = Trigger['content'][number];
export type TriggerIdParams = ParamsOf<'campaigns/triggers/get'>;
export type TriggerListParams = ParamsOf<'campaigns/triggers/list'>;
export type TriggerCloneParams = ParamsOf<'campaigns/triggers/clone'>;
export type DeactivateParams = ParamsOf<'campaigns/deactivate'>;
export type Trigger = ResultOf<'campaigns/triggers/get'>['data'];
export type TriggerCounters = ResultOf<'campaigns/status'>['data'];
