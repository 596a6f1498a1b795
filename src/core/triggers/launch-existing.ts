// Launching a trigger for profiles already stored (start, start_batch and their task): no
// profile is written, only the launch and its messages, set-wise per chunk. A launch that spans
// several chunks is stored once (by its first chunk) and referenced by every chunk's messages.
import type { MatchQuery } from '../matching/modes.js';
import type { LaunchWrite, MessageWrite, StoredProfile, StoreTx } from '../ports.js';
import { fromStored, type LaunchSpec } from '../profiles/import-engine.js';
import { launchMessages, receiversOf } from './launch-messages.js';
import { chooseRecipients } from './recipients.js';

export interface LaunchTarget {
  profile: StoredProfile;
  /** The address the profile was found by (preferred receiver, spec 04); none for custom_request. */
  matched: MatchQuery['matched'];
  /** The item's own custom_data (start_batch), replacing the launch's for its events. */
  customData: Record<string, unknown> | null;
}

/** The launch row a multi-chunk launch shares: undefined until a chunk stored it. */
export interface LaunchCursor {
  launchId?: number;
}

export function launchRow(spec: LaunchSpec): Omit<LaunchWrite, 'ref' | 'id'> {
  return { triggerId: spec.trigger.id, kind: 'api', content: spec.content, customData: spec.customData, attachments: spec.attachments };
}

/** Schedules the launch's messages for `targets` (in order; a profile twice launches twice) in the caller's transaction. */
export async function launchForProfiles(
  tx: StoreTx,
  at: { accountId: number; dbId: number; now: number },
  spec: LaunchSpec,
  targets: LaunchTarget[],
  cursor: LaunchCursor,
): Promise<void> {
  if (targets.length === 0) return;
  cursor.launchId ??= await tx.insertLaunch(at.accountId, launchRow(spec), at.now);
  const messages: MessageWrite[] = [];
  for (const t of targets) {
    const subscriptions = fromStored(t.profile).subscriptions;
    const receivers = receiversOf(chooseRecipients(subscriptions, spec.trigger, { matched: t.matched, ...(spec.filter ? { filter: spec.filter } : {}) }));
    messages.push(...launchMessages({ profileId: t.profile.id, trigger: spec.trigger, launchRef: 0, receivers, now: at.now, delayMs: spec.delayMs, customData: t.customData }));
  }
  await tx.saveImport({
    accountId: at.accountId,
    dbId: at.dbId,
    now: at.now,
    profiles: [],
    launches: [{ ref: 0, id: cursor.launchId, ...launchRow(spec) }],
    messages,
    events: [],
  });
}
