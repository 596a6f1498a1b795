// Every method of the API (spec 05) with its parameter and result types, and a runtime table
// of the names and whether each one writes (needs a write token, honours Request-ID).
import type { BatchResult, Empty, One, Page, PageParams } from './common-types.js';
import type {
  Database,
  DatabaseAddParams,
  DatabaseField,
  DatabaseUpdateParams,
  IdParams,
  Resource,
  ResourceAddParams,
  ResourceUpdateParams,
  Template,
  TemplateAddParams,
  TemplateListParams,
  TemplateUpdateParams,
} from './object-types.js';
import type { CampaignLogParams, LogEntry, Message, MessagesListParams, Profile, ProfileImportBatchParams, ProfileImportParams, ProfileLookupParams } from './profile-types.js';
import type {
  DeactivateParams,
  ImportAndStartBatchParams,
  ImportAndStartParams,
  ProfileIdResult,
  StartBatchParams,
  StartParams,
  TaskCreated,
  TaskStatus,
  TaskStatusParams,
  Trigger,
  TriggerAddParams,
  TriggerCloneParams,
  TriggerCounters,
  TriggerIdParams,
  TriggerListParams,
  TriggerUpdateParams,
} from './trigger-types.js';

interface M<P, R> {
  params: P;
  result: R;
}

export interface MethodMap {
  'campaigns/triggers/import_and_start_batch': M<ImportAndStartBatchParams, BatchResult>;
  'campaigns/triggers/import_and_start': M<ImportAndStartParams, ProfileIdResult>;
  'campaigns/triggers/start': M<StartParams, BatchResult>;
  'campaigns/triggers/start_batch': M<StartBatchParams, BatchResult>;
  'campaigns/triggers/import_and_start_batch_task': M<ImportAndStartBatchParams, TaskCreated>;
  'campaigns/triggers/start_batch_task': M<StartBatchParams, TaskCreated>;
  'tasks/status': M<TaskStatusParams, One<TaskStatus>>;
  'campaigns/triggers/add': M<TriggerAddParams, One<Trigger>>;
  'campaigns/triggers/update': M<TriggerUpdateParams, One<Trigger>>;
  'campaigns/triggers/get': M<TriggerIdParams, One<Trigger>>;
  'campaigns/triggers/list': M<TriggerListParams, Page<Trigger>>;
  'campaigns/triggers/clone': M<TriggerCloneParams, One<{ saved_id: number }>>;
  'campaigns/triggers/delete': M<TriggerIdParams, Empty>;
  'campaigns/activate': M<TriggerIdParams, One<null>>;
  'campaigns/deactivate': M<DeactivateParams, One<null>>;
  'campaigns/status': M<TriggerIdParams, One<TriggerCounters>>;
  'campaigns/log_v2': M<CampaignLogParams, Page<LogEntry>>;
  'messages/list': M<MessagesListParams, Page<Message>>;
  'profiles/import': M<ProfileImportParams, ProfileIdResult>;
  'profiles/import_batch': M<ProfileImportBatchParams, BatchResult>;
  'profiles/update': M<ProfileImportParams, ProfileIdResult>;
  'profiles/get': M<ProfileLookupParams, One<Profile>>;
  'profiles/delete': M<ProfileLookupParams, Empty>;
  'databases/add': M<DatabaseAddParams, One<Database>>;
  'databases/update': M<DatabaseUpdateParams, One<Database>>;
  'databases/get': M<IdParams, One<Database>>;
  'databases/list': M<PageParams, Page<Database>>;
  'databases/delete': M<IdParams, Empty>;
  'databases/fields_get': M<IdParams, One<DatabaseField[]>>;
  'resources/add': M<ResourceAddParams, One<Resource>>;
  'resources/update': M<ResourceUpdateParams, One<Resource>>;
  'resources/get': M<IdParams, One<Resource>>;
  'resources/list': M<PageParams, Page<Resource>>;
  'resources/delete': M<IdParams, Empty>;
  'templates/add': M<TemplateAddParams, One<Template>>;
  'templates/update': M<TemplateUpdateParams, One<Template>>;
  'templates/get': M<IdParams, One<Template>>;
  'templates/list': M<TemplateListParams, Page<Template>>;
  'templates/delete': M<IdParams, Empty>;
}

export type MethodName = keyof MethodMap;
export type ParamsOf<N extends MethodName> = MethodMap[N]['params'];
export type ResultOf<N extends MethodName> = MethodMap[N]['result'];

/** Every method, and whether it writes. The mapped type makes the table list exactly MethodMap's names. */
export const METHODS: { readonly [N in MethodName]: { readonly write: boolean } } = {
  'campaigns/triggers/import_and_start_batch': { write: true },
  'campaigns/triggers/import_and_start': { write: true },
  'campaigns/triggers/start': { write: true },
  'campaigns/triggers/start_batch': { write: true },
  'campaigns/triggers/import_and_start_batch_task': { write: true },
  'campaigns/triggers/start_batch_task': { write: true },
  'tasks/status': { write: false },
  'campaigns/triggers/add': { write: true },
  'campaigns/triggers/update': { write: true },
  'campaigns/triggers/get': { write: false },
  'campaigns/triggers/list': { write: false },
  'campaigns/triggers/clone': { write: true },
  'campaigns/triggers/delete': { write: true },
  'campaigns/activate': { write: true },
  'campaigns/deactivate': { write: true },
  'campaigns/status': { write: false },
  'campaigns/log_v2': { write: false },
  'messages/list': { write: false },
  'profiles/import': { write: true },
  'profiles/import_batch': { write: true },
  'profiles/update': { write: true },
  'profiles/get': { write: false },
  'profiles/delete': { write: true },
  'databases/add': { write: true },
  'databases/update': { write: true },
  'databases/get': { write: false },
  'databases/list': { write: false },
  'databases/delete': { write: true },
  'databases/fields_get': { write: false },
  'resources/add': { write: true },
  'resources/update': { write: true },
  'resources/get': { write: false },
  'resources/list': { write: false },
  'resources/delete': { write: true },
  'templates/add': { write: true },
  'templates/update': { write: true },
  'templates/get': { write: false },
  'templates/list': { write: false },
  'templates/delete': { write: true },
};

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
