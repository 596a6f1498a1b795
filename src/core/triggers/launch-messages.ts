// The messages one launch of a trigger schedules for one profile (spec 04): one per receiving
// subscription, due after skip_minutes + timeout, or one skipped message with the reason. Shared
// by imports (runImport) and launches for stored profiles (start, start_batch).
import type { TriggerDef } from '../catalog/types.js';
import { stableHash } from '../base/ids.js';
import type { MessageWrite } from './store-port.js';
import type { SubscriptionState } from '../profiles/profile-state.js';
import type { Recipients } from './recipients.js';

export type Receivers = SubscriptionState[] | { skipReason: string };

export function receiversOf(r: Recipients): Receivers {
  return 'skipReason' in r ? r : r.subscriptions;
}

export interface LaunchMessageInput {
  profileId: string;
  trigger: TriggerDef;
  launchId: number;
  receivers: Receivers;
  now: number;
  delayMs: number;
  /** The item's own custom_data, when it replaces the launch's. */
  customData: Record<string, unknown> | null;
}

export function launchMessages(input: LaunchMessageInput): MessageWrite[] {
  const { trigger, now } = input;
  // Several content entries are an A/B split, stable per profile (spec 04).
  const variant = trigger.content.length > 1 ? stableHash(input.profileId) % trigger.content.length : 0;
  const message = (
    resourceId: number | null,
    address: string | null,
    skipReason: string | null,
    dueAt: number,
  ): MessageWrite => ({
    launchId: input.launchId,
    triggerId: trigger.id,
    profileId: input.profileId,
    channel: trigger.sendChannel,
    resourceId,
    address,
    status: skipReason === null ? 'scheduled' : 'skipped',
    skipReason,
    dueAt,
    variant,
    customData: input.customData,
  });
  if (!Array.isArray(input.receivers))
    return [message(trigger.resourceId ?? null, null, input.receivers.skipReason, now)];
  const dueAt = now + trigger.skipMinutes * 60_000 + input.delayMs;
  return input.receivers.map((s) => message(s.resourceId, s.address, null, dueAt));
}
