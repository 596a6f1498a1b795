// messages/list (Herald extension, spec 04) and campaigns/log_v2: what happened to a trigger's
// messages, paged.
import { defineMethod } from '../api/define.js';
import type { ReadCall } from '../api/method.js';
import { getTrigger } from '../catalog/lookup.js';
import { channelJson } from '../catalog/views.js';
import type { LogEntry, ReportStore } from './report-port.js';
import { intJson, nullable, obj, page, strJson, timeJson, titled } from '../values/json-schema.js';
import { iso, limitSchema, timeSchema } from '../values/paging.js';
import { arrayOf, int, object, oneOf, optional, required, str, type Decoded } from '../values/schema.js';
import type { MessageStatus } from '../triggers/store-port.js';

const STATUSES = [
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

const messageListParams = object({
  trigger_id: optional(int({ min: 1 })),
  profile_id: optional(str()),
  status: optional(arrayOf(oneOf(STATUSES), { single: true })),
  from_id: optional(int({ min: 0 })),
  from_time: optional(timeSchema),
  /** Herald: `desc` pages newest first (from_id is then the highest id of the page). */
  order: optional(oneOf(['asc', 'desc'] as const), 'asc'),
  limit: optional(limitSchema, 1000),
});

const messageJson = titled(
  'Message',
  obj({
    id: intJson,
    trigger_id: intJson,
    profile_id: strJson,
    channel: channelJson,
    resource_id: nullable(intJson),
    address: nullable(strJson),
    status: { type: 'string', enum: [...STATUSES] },
    due_at: timeJson,
    sent_at: nullable(timeJson),
    attempts: intJson,
    last_error: nullable(strJson),
    skip_reason: nullable(strJson),
    provider_id: {
      ...nullable(strJson),
      description: "the provider's id of the message (SMS gateways, push services)",
    },
    receipt_status: { ...nullable(strJson), description: "the provider's status word of its delivery receipt" },
    receipt_reason: nullable(strJson),
    receipt_at: nullable(timeJson),
  }),
);

export async function listMessages(
  call: ReadCall<Pick<ReportStore, 'listMessages'>>,
  input: Decoded<typeof messageListParams>,
) {
  if (input.trigger_id !== undefined) getTrigger(call.catalog, input.trigger_id);
  const { rows, total } = await call.read.listMessages({
    accountId: call.catalog.accountId,
    limit: input.limit,
    ...(input.trigger_id !== undefined ? { triggerId: input.trigger_id } : {}),
    ...(input.profile_id !== undefined ? { profileId: input.profile_id.trim().toLowerCase() } : {}),
    ...(input.status ? { statuses: input.status } : {}),
    ...(input.from_id !== undefined ? { fromId: input.from_id } : {}),
    ...(input.from_time !== undefined ? { fromTime: input.from_time } : {}),
    ...(input.order === 'desc' ? { newestFirst: true } : {}),
  });
  return {
    data: rows.map((m) => ({
      id: m.id,
      trigger_id: m.triggerId,
      profile_id: m.profileId,
      channel: m.channel,
      resource_id: m.resourceId,
      address: m.address,
      status: m.status,
      due_at: iso(m.dueAt),
      sent_at: iso(m.sentAt),
      attempts: m.attempts,
      last_error: m.lastError,
      skip_reason: m.skipReason,
      provider_id: m.providerId,
      receipt_status: m.receiptStatus,
      receipt_reason: m.receiptReason,
      receipt_at: iso(m.receiptAt),
    })),
    total_count: total,
  };
}

/** Altcraft's logging levels (its log_v2 page: DEBUG, INFO, WARNING, ERROR). */
const LEVELS: Record<string, string> = {
  launch: 'INFO',
  sent: 'INFO',
  delivered: 'INFO',
  undelivered: 'ERROR',
  skipped: 'WARNING',
  failed: 'ERROR',
  cancelled: 'WARNING',
};
const EVENTS = ['launch', 'scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'skipped', 'cancelled'];

const campaignLogParams = object({
  id: required(int({ min: 1 }), { aliases: ['trigger_id'] }),
  from_time: optional(timeSchema),
  limit: optional(limitSchema, 1000),
});
const logEntryJson = titled(
  'LogEntry',
  obj(
    {
      time: timeJson,
      level: { type: 'string', enum: ['INFO', 'WARNING', 'ERROR'] },
      message: strJson,
      state: {
        type: 'string',
        enum: ['start', ''],
        description: 'start for a launch (Altcraft: campaign start), empty for a message outcome',
      },
      value: { type: 'string', description: 'a launch: the number of messages it scheduled; a message: its id' },
      event: { type: 'string', enum: EVENTS, description: 'Herald: what the entry records' },
    },
    ['time', 'level', 'message', 'state', 'value', 'event'],
  ),
);

function logMessage(e: LogEntry): string {
  if (e.kind === 'launch')
    return `launched (${e.detail === 'event' ? 'event trigger' : 'API'}) for ${e.value} message(s)`;
  if (e.kind === 'sent') return `sent to ${e.address}`;
  if (e.kind === 'delivered') return `delivered to ${e.address}`;
  if (e.kind === 'undelivered') return `not delivered to ${e.address}${e.detail ? `: ${e.detail}` : ''}`;
  if (e.kind === 'failed') return `failed${e.address ? ` for ${e.address}` : ''}: ${e.detail ?? 'unknown error'}`;
  return `${e.kind}${e.address ? ` for ${e.address}` : ''}: ${e.detail ?? ''}`;
}

/** campaigns/log_v2 in Altcraft's vocabulary: upper-case levels, `state` start for a launch, `value` a string. */
export async function campaignLog(
  call: ReadCall<Pick<ReportStore, 'campaignLog'>>,
  input: Decoded<typeof campaignLogParams>,
) {
  getTrigger(call.catalog, input.id);
  const { entries, total } = await call.read.campaignLog(
    call.catalog.accountId,
    input.id,
    input.from_time ?? 0,
    input.limit,
  );
  return {
    data: entries.map((e) => ({
      time: iso(e.time),
      level: LEVELS[e.kind] ?? 'INFO',
      message: logMessage(e),
      state: e.kind === 'launch' ? 'start' : '',
      value: String(e.value),
      event: e.kind,
    })),
    total_count: total,
  };
}

export const visibilityMethods = [
  defineMethod({
    name: 'messages/list',
    summary: 'Messages of the account, by trigger, profile or status (Herald extension)',
    write: false,
    params: messageListParams,
    payload: page(messageJson),
    handle: listMessages,
  }),
  defineMethod({
    name: 'campaigns/log_v2',
    summary: 'The log of a trigger campaign: launches and message outcomes',
    write: false,
    params: campaignLogParams,
    payload: page(logEntryJson),
    handle: campaignLog,
  }),
];
