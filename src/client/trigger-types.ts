// Parameters and results of the trigger methods: launches (campaigns/triggers/import_and_start*,
// start*, the *_task variants, tasks/status) and management (add, update, get, list, clone,
// delete, activate, deactivate, status), mirroring src/http/methods/*.ts.
import type { BatchResult, Channel, ImportFlags, ImportItem, LaunchItem, LaunchParams, MatchingParams, PageParams, ProfileData, PushSendingMode, TriggerType } from './common-types.js';

export interface ImportAndStartBatchParams extends MatchingParams, ImportFlags, LaunchParams {
  data: ImportItem[];
}

export interface ImportAndStartParams extends MatchingParams, ImportFlags, LaunchParams {
  data: ProfileData;
}

export interface StartParams extends MatchingParams, LaunchParams {
  /** A query on profile fields in MongoDB syntax; used only when `matching` is absent. */
  custom_request?: Record<string, unknown>;
}

export interface StartBatchParams extends MatchingParams, LaunchParams {
  data: LaunchItem[];
}

export interface ProfileIdResult {
  profile_id: string;
}

export interface TaskCreated {
  data: { task_id: string };
}

export interface TaskStatusParams {
  task_id: string;
}

export interface TaskFailure {
  error: number;
  error_text: string;
  error_debug: string;
}

export type TaskState = 'pending' | 'running' | 'completed' | 'failed';

export interface TaskStatus {
  status: TaskState;
  /** 0–100: items done / items. */
  progress: number;
  /** completed: the synchronous method's payload; failed: the error; otherwise null. */
  result: BatchResult | TaskFailure | null;
}

export interface ContentEntry {
  message_id: number;
  from_email?: string;
  from_name?: string;
  replyto_email?: string;
  replyto_name?: string;
  subject?: string;
}

/** The fields of a trigger campaign (spec 04); every one optional in an update. */
export interface TriggerFields {
  name?: string;
  description?: string;
  subid?: string;
  ui_tags?: string[];
  is_active?: boolean;
  trigger_type?: TriggerType;
  send_channel?: Channel;
  resource_id?: number;
  list_id?: number;
  skip_minutes?: number;
  content?: ContentEntry[];
  push_sending_mode?: PushSendingMode;
}

export interface TriggerAddParams extends TriggerFields {
  name: string;
  send_channel: Channel;
  trigger_type: TriggerType;
  content: ContentEntry[];
}

export interface TriggerUpdateParams extends TriggerFields {
  /** Also accepted by the server as `trigger_id`. */
  id: number;
}

export interface TriggerIdParams {
  /** Also accepted by the server as `trigger_id`. */
  id: number;
}

export interface TriggerListParams extends PageParams {
  is_active?: boolean;
  /** Triggers carrying every tag given. */
  ui_tags?: string[];
}

export interface TriggerCloneParams extends TriggerIdParams {
  /** Default `Clone of <name>`. */
  name?: string;
}

export interface DeactivateParams extends TriggerIdParams {
  /** Also cancel the trigger's scheduled messages. */
  abort_if_running?: boolean;
}

export interface Trigger {
  id: number;
  name: string;
  description?: string;
  subid?: string;
  ui_tags?: string[];
  is_active: boolean;
  trigger_type: TriggerType;
  send_channel: Channel;
  resource_id?: number;
  list_id?: number;
  skip_minutes?: number;
  content: ContentEntry[];
  push_sending_mode?: PushSendingMode;
  created_at: string;
  updated_at: string;
}

export interface TriggerCounters {
  is_active: boolean;
  scheduled: number;
  sent: number;
  failed: number;
  skipped: number;
}
