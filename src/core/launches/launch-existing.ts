// Launching a trigger for profiles already stored (start, start_batch and their task): no
// profile is written, only the launch and its messages, set-wise per chunk. A launch that spans
// several chunks is stored once (with its first messages) and referenced by every chunk's messages.
import type { ImportTx } from '../imports/store-port.js';
import type { MatchQuery } from '../matching/modes.js';
import { fromStored } from '../profiles/profile-state.js';
import type { StoredProfile } from '../profiles/store-port.js';
import { launchMessages, receiversOf } from '../triggers/launch-messages.js';
import { launchRow, type LaunchSpec } from '../triggers/launch-spec.js';
import { chooseRecipients } from '../triggers/recipients.js';
import type { MessageWrite } from '../triggers/store-port.js';
import type { StoredLaunches } from '../triggers/stored-launches.js';

export interface LaunchTarget {
  profile: StoredProfile;
  /** The address the profile was found by (preferred receiver, spec 04); none for custom_request. */
  matched: MatchQuery['matched'];
  /** The item's own custom_data (start_batch), replacing the launch's for its events. */
  customData: Record<string, unknown> | null;
}

/** Schedules the launch's messages for `targets` (in order; a profile twice launches twice) in the caller's transaction. */
export async function launchForProfiles(
  tx: ImportTx,
  at: { accountId: number; dbId: number; now: number },
  spec: LaunchSpec,
  targets: LaunchTarget[],
  launches: StoredLaunches,
): Promise<void> {
  if (targets.length === 0) return;
  const launchId = await launches.idFor(tx, at.accountId, spec.trigger.id, () => launchRow(spec), at.now);
  const messages: MessageWrite[] = [];
  for (const t of targets) {
    const subscriptions = fromStored(t.profile).subscriptions;
    const receivers = receiversOf(
      chooseRecipients(subscriptions, spec.trigger, {
        matched: t.matched,
        ...(spec.filter ? { filter: spec.filter } : {}),
      }),
    );
    messages.push(
      ...launchMessages({
        profileId: t.profile.id,
        trigger: spec.trigger,
        launchId,
        receivers,
        now: at.now,
        delayMs: spec.delayMs,
        customData: t.customData,
      }),
    );
  }
  await tx.saveImport({ accountId: at.accountId, dbId: at.dbId, now: at.now, profiles: [], messages, events: [] });
}
