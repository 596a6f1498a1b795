// messages/list (Herald extension, spec 04) and campaigns/log_v2: what happened to a trigger's
// messages, paged.
import type { ReadCall } from '../api/method.js';
import { getTrigger } from '../catalog/lookup.js';
import type { ReportStore } from './report-port.js';
import { iso } from '../values/paging.js';
import type { MessageStatus } from '../triggers/store-port.js';

export interface MessageListInput {
  trigger_id?: number;
  profile_id?: string;
  status?: MessageStatus[];
  from_id?: number;
  from_time?: number;
  limit: number;
}

export async function listMessages(call: ReadCall<Pick<ReportStore, 'listMessages'>>, input: MessageListInput) {
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

export async function campaignLog(call: ReadCall<Pick<ReportStore, 'campaignLog'>>, input: { id: number; from_time?: number; limit: number }) {
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
