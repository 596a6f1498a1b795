// Step two of an import chunk: an item applied to its profile in memory — a new profile created
// from the matching value when none was found, the item's field operations, its subscriptions
// upserted by identity. What became subscribed is returned for the `subscribe` event triggers.
import { newProfileId } from '../base/ids.js';
import { applyFieldOp } from '../fields/field-ops.js';
import { copySubscriptionData, type ProfileState, type SubscriptionState } from '../profiles/profile-state.js';
import { SUBSCRIBED, type SubscriptionInput } from '../profiles/subscriptions.js';
import type { DecodedItem } from './items.js';
import type { ImportPlan } from './plan.js';

/** A profile created by `item` (its matching value written into it), ordered after every stored one. */
export function newProfile(plan: ImportPlan, item: DecodedItem, order: number, now: number): ProfileState {
  const profile: ProfileState = {
    seq: undefined,
    order,
    id: newProfileId(now),
    accountId: plan.catalog.accountId,
    dbId: plan.db.id,
    createdAt: now,
    updatedAt: now,
    fields: {},
    subscriptions: [],
    stored: false,
    dirty: true,
    storedRows: [],
  };
  for (const op of item.query.createOps) applyFieldOp(profile.fields, op);
  return profile;
}

/** Applies the item's fields and subscriptions; returns the subscriptions that became `subscribed`. */
export function applyItem(profile: ProfileState, item: DecodedItem, now: number): SubscriptionState[] {
  for (const op of item.ops) applyFieldOp(profile.fields, op);
  const became = item.data.subscriptions ? applySubscriptions(profile, item.data.subscriptions, now) : [];
  profile.updatedAt = now;
  profile.dirty = true;
  return became;
}

/** Upserts subscriptions by identity; returns those that became `subscribed`. */
function applySubscriptions(profile: ProfileState, inputs: SubscriptionInput[], now: number): SubscriptionState[] {
  const became: SubscriptionState[] = [];
  for (const input of inputs) {
    const existing = profile.subscriptions.find(
      (s) => s.resourceId === input.resourceId && s.channel === input.channel && s.address === input.address,
    );
    if (!existing) {
      const sub = addedSubscription(input, now);
      profile.subscriptions.push(sub);
      if (sub.status === SUBSCRIBED) became.push(sub);
      continue;
    }
    const wasSubscribed = existing.status === SUBSCRIBED;
    // An entry that changes nothing is not a write (its updated time, and so its preference among
    // equal-priority subscriptions, stays as it was).
    if (!updateSubscription(existing, input)) continue;
    existing.updatedAt = now;
    existing.dirty = true;
    if (!wasSubscribed && existing.status === SUBSCRIBED) became.push(existing);
  }
  return became;
}

function addedSubscription(input: SubscriptionInput, now: number): SubscriptionState {
  const sub: SubscriptionState = {
    resourceId: input.resourceId,
    channel: input.channel,
    address: input.address,
    status: input.status ?? SUBSCRIBED,
    priority: input.priority ?? 0,
    createdAt: now,
    updatedAt: now,
    stored: false,
    dirty: true,
  };
  return copySubscriptionData(sub, input);
}

/** Sets what the entry gives on the existing subscription; true when something changed. */
function updateSubscription(existing: SubscriptionState, input: SubscriptionInput): boolean {
  let changed = false;
  const set = <K extends 'status' | 'priority' | 'email' | 'provider'>(
    key: K,
    value: SubscriptionState[K] | undefined,
  ) => {
    if (value !== undefined && existing[key] !== value) {
      existing[key] = value;
      changed = true;
    }
  };
  set('status', input.status);
  set('priority', input.priority);
  set('email', input.email);
  set('provider', input.provider);
  if (
    input.customFields !== undefined &&
    JSON.stringify(input.customFields) !== JSON.stringify(existing.customFields)
  ) {
    existing.customFields = input.customFields;
    changed = true;
  }
  if (input.cats !== undefined && JSON.stringify(input.cats) !== JSON.stringify(existing.cats)) {
    existing.cats = input.cats;
    changed = true;
  }
  return changed;
}
