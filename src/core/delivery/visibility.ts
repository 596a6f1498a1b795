// messages/list (Herald extension, spec 04) and campaigns/log_v2: what happened to a trigger's
// messages, paged.
import { defineMethod } from '../api/define.js';
import type { ReadCall } from '../api/method.js';
import { getTrigger } from '../catalog/lookup.js';
import { channelJson } from '../catalog/views.js';
import type { ReportStore } from './report-port.js';
import { intJson, nullable, obj, page, strJson, timeJson, titled } from '../values/json-schema.js';
import { iso, limitSchema, timeSchema } from '../values/paging.js';
import { arrayOf, int, object, oneOf, optional, required, str, type Decoded } from '../values/schema.js';
import type { MessageStatus } from '../triggers/store-port.js';

const STATUSES = ['scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'bounced', 'complained', 'failed', 'skipped', 'cancelled'] as const satisfies readonly MessageStatus[];

const messageListParams = object({
  trigger_id: optional(int({ min: 1 })),
  profile_id: optional(str()),
  status: optional(arrayOf(oneOf(STATUSES), { single: true })),
  from_id: optional(int({ min: 0 })),
  from_time: optional(timeSchema),
  limit: optional(limitSchema, 1000),
});

const messageJson = titled('Message', obj({
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
  provider_id: { ...nullable(strJson), description: "the provider's id of the message (SMS gateways, push services)" },
  receipt_status: { ...nullable(strJson), description: "the provider's status word of its delivery receipt" },
  receipt_reason: nullable(strJson),
  receipt_at: nullable(timeJson),
}));

export async function listMessages(call: ReadCall<Pick<ReportStore, 'listMessages'>>, input: Decoded<typeof messageListParams>) {
  if (input.trigger_id !== undefined) getTrigger(call.catalog, input.trigger_id);
  const { rows, total } = await call.read.listMessages({
    accountId: call.catalog.accountId,
    limit: input.limit,
    ...(input.trigger_id !== undefined ? { triggerId: input.trigger_id } : {}),
    ...(input.profile_id !== undefined ? { profileId: input.profile_id.trim().toLowerCase() } : {}),
    ...(input.status ? { statuses: input.status } : {}),
    ...(input.from_id !== undefined ? { fromId: input.from_id } : {}),
    ...(input.from_time !== undefined ? { fromTime: input.from_time } : {}),
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

const LEVELS: Record<string, string> = { launch: 'info', sent: 'info', delivered: 'info', undelivered: 'error', skipped: 'warning', failed: 'error', cancelled: 'warning' };

const campaignLogParams = object({ id: required(int({ min: 1 }), { aliases: ['trigger_id'] }), from_time: optional(timeSchema), limit: optional(limitSchema, 1000) });
const logEntryJson = titled('LogEntry', obj({ time: timeJson, level: { type: 'string', enum: ['info', 'warning', 'error'] }, message: strJson, state: strJson, value: {} }, ['time', 'level', 'message', 'state']));

export async function campaignLog(call: ReadCall<Pick<ReportStore, 'campaignLog'>>, input: Decoded<typeof campaignLogParams>) {
  getTrigger(call.catalog, input.id);
  const { entries, total } = await call.read.campaignLog(call.catalog.accountId, input.id, input.from_time ?? 0, input.limit);
  return {
    data: entries.map((e) => {
      let message: string;
      if (e.kind === 'launch') message = `launched (${e.detail === 'event' ? 'event trigger' : 'API'}) for ${e.value} message(s)`;
      else if (e.kind === 'sent') message = `sent to ${e.address}`;
      else if (e.kind === 'delivered') message = `delivered to ${e.address}`;
      else if (e.kind === 'undelivered') message = `not delivered to ${e.address}${e.detail ? `: ${e.detail}` : ''}`;
      else if (e.kind === 'failed') message = `failed${e.address ? ` for ${e.address}` : ''}: ${e.detail ?? 'unknown error'}`;
      else message = `${e.kind}${e.address ? ` for ${e.address}` : ''}: ${e.detail ?? ''}`;
      return { time: iso(e.time), level: LEVELS[e.kind] ?? 'info', message, state: e.kind, value: e.value };
    }),
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
