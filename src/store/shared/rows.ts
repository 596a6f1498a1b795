// Row ↔ object mapping shared by the SQL stores: configuration objects are stored as JSON
// documents next to the columns queries filter on.
import {
  templateChannels,
  type Channel,
  type DatabaseDef,
  type HookDef,
  type ResourceDef,
  type SenderDef,
  type TemplateContent,
  type TemplateDef,
  type TriggerDef,
} from '../../core/catalog/types.js';
import type { MessageRecord } from '../../core/delivery/report-port.js';
import type { ClaimedMessage, ReceiptMessage } from '../../core/delivery/store-port.js';
import type { MessageStatus } from '../../core/triggers/store-port.js';

export interface DatabaseRow {
  id: number;
  account_id: number;
  name: string;
  description: string;
  fields: string;
  phone_region?: string | null;
}
export interface ResourceRow {
  id: number;
  account_id: number;
  name: string;
  db_ids: string;
  channels: string;
}
export interface TemplateRow {
  id: number;
  account_id: number;
  name: string;
  channel: string;
  body: string;
}
export interface TriggerRow {
  id: number;
  account_id: number;
  definition: string;
  is_active: number | boolean;
  created_at: number | string;
  updated_at: number | string;
}
export interface SenderRow {
  id: number;
  account_id: number;
  name: string;
  type: string;
  config: string;
}
export interface HookRow {
  id: number;
  account_id: number;
  url: string;
  secret: string | null;
  filters: string;
}

export const toDatabase = (r: DatabaseRow): DatabaseDef => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  description: r.description,
  fields: JSON.parse(r.fields),
  ...(r.phone_region ? { phoneRegion: r.phone_region } : {}),
});

export const toResource = (r: ResourceRow): ResourceDef => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  dbIds: JSON.parse(r.db_ids),
  channels: JSON.parse(r.channels),
});

/**
 * A template's body is `{description?, channels: {<channel>: parts}}`; a body written before
 * templates had several channels (the parts alone, the channel in its column) reads as that one
 * channel (migration 012 rewrites those rows).
 */
export const toTemplate = (r: TemplateRow): TemplateDef => {
  const body = JSON.parse(r.body) as { description?: string; channels?: TemplateDef['channels'] } & TemplateContent;
  const channels = body.channels ?? { [r.channel as Channel]: body };
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    ...(body.description !== undefined ? { description: body.description } : {}),
    channels,
  };
};

export const templateBody = (t: Pick<TemplateDef, 'description' | 'channels'>): string =>
  JSON.stringify({ description: t.description, channels: t.channels });

/** The `channel` column: the template's channels, comma-separated. */
export const templateChannelColumn = (t: Pick<TemplateDef, 'channels'>): string => templateChannels(t).join(',');

export const toTrigger = (r: TriggerRow): TriggerDef => ({
  ...JSON.parse(r.definition),
  id: r.id,
  accountId: r.account_id,
  isActive: Boolean(r.is_active),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function triggerDefinition(t: TriggerDef): string {
  const { id: _id, accountId: _a, isActive: _i, createdAt: _c, updatedAt: _u, ...rest } = t;
  return JSON.stringify(rest);
}

export const toSender = (r: SenderRow): SenderDef => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  type: r.type as SenderDef['type'],
  ...JSON.parse(r.config),
});

/** Everything but the columns: a new setting needs no schema change. */
export function senderConfig(s: Omit<SenderDef, 'id'>): string {
  const { accountId: _a, name: _n, type: _t, ...config } = s as SenderDef;
  delete (config as Partial<SenderDef>).id;
  return JSON.stringify(config);
}

export const toHook = (r: HookRow): HookDef => ({
  id: r.id,
  accountId: r.account_id,
  url: r.url,
  filters: JSON.parse(r.filters),
  ...(r.secret ? { secret: r.secret } : {}),
});

export interface MessageRow {
  id: number;
  trigger_id: number;
  profile_id: string;
  channel: string;
  resource_id: number | null;
  address: string | null;
  status: MessageStatus;
  due_at: number;
  sent_at: number | null;
  attempts: number;
  last_error: string | null;
  skip_reason: string | null;
  provider_id: string | null;
  receipt_status: string | null;
  receipt_reason: string | null;
  receipt_at: number | null;
}

export const toMessageRecord = (r: MessageRow): MessageRecord => ({
  id: r.id,
  triggerId: r.trigger_id,
  profileId: r.profile_id,
  channel: r.channel,
  resourceId: r.resource_id,
  address: r.address,
  status: r.status,
  dueAt: r.due_at,
  sentAt: r.sent_at,
  attempts: r.attempts,
  lastError: r.last_error,
  skipReason: r.skip_reason,
  providerId: r.provider_id,
  receiptStatus: r.receipt_status,
  receiptReason: r.receipt_reason,
  receiptAt: r.receipt_at === null ? null : Number(r.receipt_at),
});

/** A message a receipt names, with its profile's database and its (or its launch's) custom_data. */
export const RECEIPT_MESSAGE = `SELECT m.id, m.status, m.trigger_id, m.profile_id, p.db_id, m.channel, m.resource_id, m.address,
  COALESCE(m.custom_data, l.custom_data) AS custom_data
  FROM messages m LEFT JOIN profiles p ON p.id = m.profile_id LEFT JOIN launches l ON l.id = m.launch_id`;

/** A message with its account, for the feedback that names it (ids of the query's `ids` JSON). */
export const FEEDBACK_MESSAGE = RECEIPT_MESSAGE.replace('SELECT m.id,', 'SELECT m.account_id, m.id,');

export interface ReceiptMessageRow {
  id: number;
  status: string;
  trigger_id: number;
  profile_id: string;
  db_id: number | null;
  channel: string;
  resource_id: number | null;
  address: string | null;
  custom_data: Record<string, unknown> | string | null;
}

export const toReceiptMessage = (r: ReceiptMessageRow): ReceiptMessage => ({
  id: Number(r.id),
  status: r.status,
  triggerId: r.trigger_id,
  profileId: r.profile_id,
  dbId: r.db_id,
  channel: r.channel as ReceiptMessage['channel'],
  resourceId: r.resource_id,
  address: r.address,
  customData:
    typeof r.custom_data === 'string' ? (JSON.parse(r.custom_data) as Record<string, unknown>) : r.custom_data,
});

/** A claimed message's row; `C`: its custom_data as the driver gives it (SQLite: JSON text, PostgreSQL: jsonb, parsed). */
export interface ClaimedMessageRow<C> {
  id: number;
  account_id: number;
  trigger_id: number;
  launch_id: number;
  profile_id: string;
  channel: string;
  resource_id: number | null;
  address: string | null;
  attempts: number;
  variant: number;
  custom_data: C;
  claim_token: string;
}

export function toClaimedMessage(
  r: ClaimedMessageRow<unknown>,
  customData: Record<string, unknown> | null,
  reclaimed: boolean,
): ClaimedMessage {
  return {
    id: r.id,
    accountId: r.account_id,
    triggerId: r.trigger_id,
    launchId: r.launch_id,
    profileId: r.profile_id,
    channel: r.channel as Channel,
    resourceId: r.resource_id,
    address: r.address,
    attempts: r.attempts,
    variant: r.variant,
    customData,
    claimToken: r.claim_token,
    reclaimed,
  };
}
