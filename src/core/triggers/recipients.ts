// Which of a profile's subscriptions receive a trigger's message (spec 04).
import type { TriggerDef } from '../catalog/types.js';
import type { SubscriptionState } from '../profiles/profile-state.js';
import { SUBSCRIBED } from '../profiles/subscriptions.js';
import { filterAddress, type SubscriptionFilter } from './launch-params.js';

export type Recipients = { subscriptions: SubscriptionState[] } | { skipReason: string };

/**
 * Lowest priority first, then the most recently updated; subscriptions updated at the same
 * instant are told apart by address, so the choice never depends on the order the profile's
 * subscriptions happen to be held in (loaded from storage, or built up by a batch): a batch and
 * its items sent one by one pick the same subscription (spec 02, Equivalence).
 */
function preferred(a: SubscriptionState, b: SubscriptionState): boolean {
  if (a.priority !== b.priority) return a.priority < b.priority;
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
  return a.address < b.address;
}

function best(candidates: SubscriptionState[]): SubscriptionState {
  let winner = candidates[0];
  for (const c of candidates) if (preferred(c, winner)) winner = c;
  return winner;
}

/** The most recently updated (push `last`), ties broken by address as above. */
function latest(candidates: SubscriptionState[]): SubscriptionState {
  let winner = candidates[0];
  for (const c of candidates)
    if (c.updatedAt > winner.updatedAt || (c.updatedAt === winner.updatedAt && c.address < winner.address)) winner = c;
  return winner;
}

export function chooseRecipients(
  subscriptions: SubscriptionState[],
  trigger: TriggerDef,
  opts: { filter?: SubscriptionFilter; matched?: { channel: string; address: string }[] },
): Recipients {
  const channel = trigger.sendChannel;
  const candidates = subscriptions.filter(
    (s) => s.resourceId === trigger.resourceId && s.channel === channel && s.status === SUBSCRIBED,
  );
  if (candidates.length === 0)
    return { skipReason: `no subscribed ${channel} subscription on resource ${trigger.resourceId}` };

  const wanted = filterAddress(opts.filter, channel);
  if (wanted !== undefined) {
    const hit = candidates.find((c) => c.address === wanted);
    if (hit) return { subscriptions: [hit] };
    if (opts.filter?.notStrict) return { subscriptions: [best(candidates)] };
    return { skipReason: `subscription_filter: no subscribed ${channel} subscription with that address` };
  }
  for (const m of opts.matched ?? []) {
    if (m.channel !== channel) continue;
    const hit = candidates.find((c) => c.address === m.address);
    if (hit) return { subscriptions: [hit] };
  }
  if (channel === 'push') {
    return { subscriptions: trigger.pushSendingMode === 'last' ? [latest(candidates)] : candidates };
  }
  return { subscriptions: [best(candidates)] };
}
