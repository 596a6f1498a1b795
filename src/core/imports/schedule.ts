// Step three of an import chunk: what an applied item launches — the request's trigger (its
// receiving subscriptions chosen per spec 04, or one skipped message with the reason), the
// database's event triggers (`api_import` for every item, `subscribe` for subscriptions that
// became subscribed), and the `import_api` hook event. Launch rows are stored with their first
// message (StoredLaunches), so every message carries its launch's id.
import type { TriggerDef } from '../catalog/types.js';
import type { ProfileState, SubscriptionState } from '../profiles/profile-state.js';
import { launchMessages, receiversOf, type Receivers } from '../triggers/launch-messages.js';
import { launchRow } from '../triggers/launch-spec.js';
import { chooseRecipients } from '../triggers/recipients.js';
import type { EventWrite, MessageWrite } from '../triggers/store-port.js';
import type { StoredLaunches } from '../triggers/stored-launches.js';
import type { DecodedItem } from './items.js';
import type { ImportPlan } from './plan.js';
import type { ImportTx } from './store-port.js';

/** The messages and hook events a chunk adds, with the launches they reference. */
export interface ChunkSchedule {
  tx: ImportTx;
  plan: ImportPlan;
  launches: StoredLaunches;
  now: number;
  messages: MessageWrite[];
  events: EventWrite[];
}

/** What the item did to its profile: whether it created it, and the subscriptions it subscribed. */
export interface Applied {
  item: DecodedItem;
  profile: ProfileState;
  created: boolean;
  became: SubscriptionState[];
}

async function schedule(
  out: ChunkSchedule,
  trigger: TriggerDef,
  kind: 'api' | 'event',
  a: Applied,
  receivers: Receivers,
  delayMs: number,
): Promise<void> {
  const { plan } = out;
  const launch = plan.launch;
  const row = () =>
    kind === 'api' && launch
      ? launchRow(launch)
      : { triggerId: trigger.id, kind: 'event' as const, content: null, customData: plan.customData, attachments: [] };
  const launchId = await out.launches.idFor(out.tx, plan.catalog.accountId, trigger.id, row, out.now);
  out.messages.push(
    ...launchMessages({
      profileId: a.profile.id,
      trigger,
      launchId,
      receivers,
      now: out.now,
      delayMs,
      customData: a.item.customData,
    }),
  );
}

/** Schedules everything the applied item launches, and its hook event. */
export async function scheduleItem(out: ChunkSchedule, a: Applied): Promise<void> {
  const { plan } = out;
  const { profile, item } = a;
  const matched = item.query.matched;
  if (plan.launch) {
    const spec = plan.launch;
    const receivers = receiversOf(
      chooseRecipients(profile.subscriptions, spec.trigger, {
        matched,
        ...(spec.filter ? { filter: spec.filter } : {}),
      }),
    );
    await schedule(out, spec.trigger, 'api', a, receivers, spec.delayMs);
  }
  for (const trigger of plan.eventTriggers) {
    if (trigger.triggerType === 'api_import') {
      await schedule(
        out,
        trigger,
        'event',
        a,
        receiversOf(chooseRecipients(profile.subscriptions, trigger, { matched })),
        0,
      );
    } else if (trigger.triggerType === 'subscribe') {
      const subs = a.became.filter((s) => s.resourceId === trigger.resourceId && s.channel === trigger.sendChannel);
      if (subs.length > 0) await schedule(out, trigger, 'event', a, subs, 0);
    }
  }
  if (plan.wantsImportEvents) {
    const customData = item.customData ?? plan.customData;
    out.events.push({
      type: 'import_api',
      dbId: plan.db.id,
      resourceId: null,
      triggerId: plan.launch?.trigger.id ?? null,
      profileId: profile.id,
      payload: {
        list_id: plan.db.id,
        profile_id: profile.id,
        custom_data: customData ?? {},
        event_data: { created: a.created },
      },
    });
  }
}
