// Parameters and results of profiles/* and of the visibility methods (messages/list,
// campaigns/log_v2), mirroring src/http/methods/profiles.ts and visibility.ts.
import type { Channel, ImportFlags, ImportItem, MatchingParams, MessageStatus, ProfileData, TimeInput } from './common-types.js';

export interface ProfileLookupParams extends MatchingParams {
  /** Also accepted by the server as `list_id`. */
  db_id: number;
}

export interface ProfileImportParams extends ProfileLookupParams, ImportFlags {
  custom_data?: Record<string, unknown>;
  data: ProfileData;
}

export interface ProfileImportBatchParams extends ProfileLookupParams, ImportFlags {
  custom_data?: Record<string, unknown>;
  data: ImportItem[];
}

export interface Subscription {
  channel: Channel;
  resource_id: number;
  email?: string;
  phone?: string;
  provider?: string;
  subscription_id?: string;
  /** The status number: an index of SUBSCRIPTION_STATUSES. */
  status: number;
  /** Why Herald itself changed the status (a push service said the subscription is gone). */
  status_reason?: string;
  priority: number;
  custom_fields?: Record<string, unknown>;
  cats?: string[];
}

/** The flat profile of profiles/get: system fields, every field that is set, then subscriptions. */
export interface Profile {
  id: string;
  db_id: number;
  _createtime: string;
  _updatetime: string;
  subscriptions: Subscription[];
  [field: string]: unknown;
}

export interface MessagesListParams {
  trigger_id?: number;
  profile_id?: string;
  /** One status or several. */
  status?: MessageStatus | MessageStatus[];
  /** The first message id of the page (ids ascend). */
  from_id?: number;
  /** Messages created at or after this time. */
  from_time?: TimeInput;
  limit?: number;
}

export interface Message {
  id: number;
  trigger_id: number;
  profile_id: string;
  channel: Channel;
  resource_id: number | null;
  address: string | null;
  status: MessageStatus;
  due_at: string;
  sent_at: string | null;
  attempts: number;
  last_error: string | null;
  skip_reason: string | null;
  /** The provider's id of the message (SMS gateways, push services). */
  provider_id: string | null;
  /** The provider's status word of its delivery receipt, its reason, and when it came. */
  receipt_status: string | null;
  receipt_reason: string | null;
  receipt_at: string | null;
}

export interface CampaignLogParams {
  /** The trigger; also accepted by the server as `trigger_id`. */
  id: number;
  from_time?: TimeInput;
  limit?: number;
}

export interface LogEntry {
  time: string;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** launch, sent, skipped, failed, cancelled. */
  state: string;
  value?: unknown;
}
