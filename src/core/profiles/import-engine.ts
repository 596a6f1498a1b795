// The import engine (spec 02–03): applies a batch of decoded items set-wise. One lookup round
// finds every stored profile the batch can touch, the items are applied in order in memory
// (so a batch equals its items one by one), and one write commits profiles, subscriptions,
// scheduled messages and hook events together.
import type { Catalog, DatabaseDef, TriggerDef } from '../catalog/types.js';
import { errorTexts, type ItemError } from '../errors.js';
import { anyHookWants } from '../hooks/filters.js';
import { newProfileId } from '../ids.js';
import { creationKey, type MatchKey } from '../matching/modes.js';
import { initialCandidates, keyKindsOf, WorkingSet } from '../matching/working-set.js';
import type { EventWrite, LaunchWrite, MessageWrite, ProfileWrite, StoredProfile, StoreTx } from '../ports.js';
import type { Attachment, SubscriptionFilter } from '../triggers/launch-params.js';
import { launchMessages, receiversOf, type Receivers } from '../triggers/launch-messages.js';
import { chooseRecipients } from '../triggers/recipients.js';
import { applyFieldOp } from './field-ops.js';
import type { DecodedItem } from './import-items.js';
import { fieldSpecs } from './field-specs.js';
import { INDEXED_SYSTEM, valueRows, type ProfileState, type SubscriptionState, type ValueRow } from './profile-state.js';
import { SUBSCRIBED, type SubscriptionInput } from './subscriptions.js';

export interface LaunchSpec {
  trigger: TriggerDef;
  content: Record<string, unknown> | null;
  customData: Record<string, unknown> | null;
  attachments: Attachment[];
  delayMs: number;
  filter?: SubscriptionFilter;
  /** A launch already stored (a task run chunk by chunk): messages reference it instead of a new one. */
  launchId?: number;
}

export interface ImportPlan {
  catalog: Catalog;
  db: DatabaseDef;
  items: DecodedItem[];
  createAllowed: boolean;
  skipTriggers: boolean;
  /** The trigger the request launches for every successful item (import_and_start*). */
  launch?: LaunchSpec;
  /** custom_data for event triggers and hook events when no launch carries it. */
  customData: Record<string, unknown> | null;
  now: number;
  /** Batch requests name the item in error texts (`data[3]: …`). */
  batch: boolean;
}

export interface ImportOutcome {
  /** Per item in input order: the profile id, or undefined when the item failed. */
  profileIds: (string | undefined)[];
  errors: ItemError[];
}

export function fromStored(p: StoredProfile): ProfileState {
  return {
    seq: p.seq,
    order: p.seq,
    id: p.id,
    accountId: p.accountId,
    dbId: p.dbId,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    fields: p.fields,
    subscriptions: p.subscriptions.map((s) => {
      // Built property by property: spreading into a literal takes V8's slow path (hot: every stored subscription).
      const sub: SubscriptionState = {
        resourceId: s.resourceId,
        channel: s.channel,
        address: s.address,
        status: s.status,
        priority: s.priority,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
        stored: true,
        dirty: false,
      };
      return copyDefined(sub, s.data);
    }),
    stored: true,
    dirty: false,
    storedRows: [],
  };
}

type SubscriptionData = Pick<SubscriptionState, 'email' | 'phone' | 'provider' | 'subscriptionId' | 'customFields' | 'cats'>;

/** Copies the optional data of a subscription that is present (absent stays absent); returns `to`. */
function copyDefined<T extends SubscriptionData>(to: T, from: SubscriptionData): T {
  if (from.email !== undefined) to.email = from.email;
  if (from.phone !== undefined) to.phone = from.phone;
  if (from.provider !== undefined) to.provider = from.provider;
  if (from.subscriptionId !== undefined) to.subscriptionId = from.subscriptionId;
  if (from.customFields !== undefined) to.customFields = from.customFields;
  if (from.cats !== undefined) to.cats = from.cats;
  return to;
}

/** Upserts subscriptions by identity; returns those that became `subscribed`. */
function applySubscriptions(profile: ProfileState, inputs: SubscriptionInput[], now: number): SubscriptionState[] {
  const became: SubscriptionState[] = [];
  for (const input of inputs) {
    const existing = profile.subscriptions.find((s) => s.resourceId === input.resourceId && s.channel === input.channel && s.address === input.address);
    if (!existing) {
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
      copyDefined(sub, input);
      profile.subscriptions.push(sub);
      if (sub.status === SUBSCRIBED) became.push(sub);
      continue;
    }
    const wasSubscribed = existing.status === SUBSCRIBED;
    let changed = false;
    const set = <K extends 'status' | 'priority' | 'email' | 'provider'>(key: K, value: SubscriptionState[K] | undefined) => {
      if (value !== undefined && existing[key] !== value) {
        existing[key] = value;
        changed = true;
      }
    };
    set('status', input.status);
    set('priority', input.priority);
    set('email', input.email);
    set('provider', input.provider);
    if (input.customFields !== undefined && JSON.stringify(input.customFields) !== JSON.stringify(existing.customFields)) {
      existing.customFields = input.customFields;
      changed = true;
    }
    if (input.cats !== undefined && JSON.stringify(input.cats) !== JSON.stringify(existing.cats)) {
      existing.cats = input.cats;
      changed = true;
    }
    // An entry that changes nothing is not a write (its updated time, and so its preference among
    // equal-priority subscriptions, stays as it was).
    if (!changed) continue;
    existing.updatedAt = now;
    existing.dirty = true;
    if (!wasSubscribed && existing.status === SUBSCRIBED) became.push(existing);
  }
  return became;
}

interface LaunchRefs {
  launches: LaunchWrite[];
  byTrigger: Map<number, LaunchWrite>;
  /** Launches stored by earlier chunks of the batch, by trigger id. */
  stored: ReadonlyMap<number, number>;
}

function launchFor(refs: LaunchRefs, trigger: TriggerDef, make: () => Omit<LaunchWrite, 'ref'>): LaunchWrite {
  let l = refs.byTrigger.get(trigger.id);
  if (!l) {
    const stored = refs.stored.get(trigger.id);
    l = { ref: refs.launches.length, ...make(), ...(stored !== undefined ? { id: stored } : {}) };
    refs.launches.push(l);
    refs.byTrigger.set(trigger.id, l);
  }
  return l;
}

/**
 * One lookup round for every key of the batch. Where several writers run at once, the keys of
 * items that may create a profile are then claimed (waiting for any other creator of the same
 * value to commit), and those another transaction had claimed before are looked up again (it may
 * have created the profile since the first round), so one matching value never yields two profiles.
 */
async function lookup(tx: StoreTx, plan: ImportPlan, live: DecodedItem[], singleWriter: boolean): Promise<Map<string, number[]>> {
  const keys = new Map<string, MatchKey>();
  for (const item of live) for (const k of item.query.keys) keys.set(k.key, k);
  if (keys.size === 0) return new Map();
  const stored = await tx.findMatches(plan.db.id, [...keys.values()]);
  if (singleWriter || !plan.createAllowed) return stored;
  const creating = new Map<string, MatchKey>();
  const claims = new Set<string>();
  for (const item of live) {
    if (!item.query.canCreate || item.query.keys.some((k) => stored.has(k.key))) continue;
    for (const k of item.query.keys) {
      creating.set(k.key, k);
      claims.add(creationKey(k));
    }
  }
  if (creating.size === 0) return stored;
  const claimedBefore = await tx.lockMatchKeys(plan.db.id, [...claims]);
  const again = [...creating.values()].filter((k) => claimedBefore.has(creationKey(k)));
  if (again.length === 0) return stored;
  for (const [key, seqs] of await tx.findMatches(plan.db.id, again)) stored.set(key, seqs);
  return stored;
}

/**
 * Items applied per round of lookup, apply and write. A batch runs chunk after chunk in its one
 * transaction: each chunk's lookup sees what the earlier ones wrote, so the result is the same as
 * one round (and as the items one by one), while the profiles, rows and messages in memory are
 * those of one chunk, not of the whole batch.
 */
export const IMPORT_CHUNK = 2_500;

/** The items of a batch, decoded a chunk at a time. */
export interface ItemSource {
  total: number;
  /** Items [from, to): those that decoded, and the errors of the others. */
  decode(from: number, to: number): { items: DecodedItem[]; errors: ItemError[] };
}

/** A source over items decoded already (with the errors of those that did not decode). */
export function decodedSource(batch: { items: DecodedItem[]; errors: ItemError[] }): ItemSource {
  return { total: batch.items.length, decode: (from, to) => ({ items: batch.items.slice(from, to), errors: from === 0 ? batch.errors : [] }) };
}

/** What the chunks of one batch share: its outcome so far and the launches already stored. */
interface ImportRun {
  profileIds: (string | undefined)[];
  errors: ItemError[];
  /** Trigger id → the launch stored for it by an earlier chunk. */
  launchIds: Map<number, number>;
}

/** Applies a batch in the transaction `tx`, chunk by chunk; errors come back in input order. */
export async function runImport(tx: StoreTx, plan: Omit<ImportPlan, 'items'>, source: ItemSource, singleWriter = true): Promise<ImportOutcome> {
  const run: ImportRun = { profileIds: [], errors: [], launchIds: new Map() };
  let from = 0;
  do {
    const to = Math.min(from + IMPORT_CHUNK, source.total);
    const { items, errors } = source.decode(from, to);
    run.errors.push(...errors);
    await runImportChunk(tx, { ...plan, items }, run, singleWriter);
    from = to;
  } while (from < source.total);
  return { profileIds: run.profileIds, errors: run.errors.sort((a, b) => a.index - b.index) };
}

/**
 * Applies one chunk of a batch and writes it, adding to `run`. The launches it starts are stored
 * first and kept in `run`, so the next chunks reuse them (one launch per trigger per batch).
 */
async function runImportChunk(tx: StoreTx, plan: ImportPlan, run: ImportRun, singleWriter: boolean): Promise<void> {
  const { db, catalog, now } = plan;
  const live = plan.items.filter((i) => !i.query.impossible);
  const stored = await lookup(tx, plan, live, singleWriter);
  const ws = new WorkingSet(db, stored, keyKindsOf(live.map((i) => i.query)));
  const addStored = (profiles: StoredProfile[]) => {
    for (const p of profiles) {
      const state = fromStored(p);
      state.storedRows = valueRows(state.fields, db);
      ws.index(state, state.storedRows);
    }
  };
  const first = initialCandidates(live.map((i) => i.query), stored);
  if (first.length > 0) addStored(await tx.loadProfiles(db.id, first));

  const { profileIds, errors } = run;
  const specs = fieldSpecs(db);
  const indexed = (field: string): boolean => INDEXED_SYSTEM.has(field) || specs.get(field)?.custom === true;
  const messages: MessageWrite[] = [];
  const events: EventWrite[] = [];
  const refs: LaunchRefs = { launches: [], byTrigger: new Map(), stored: run.launchIds };
  const eventTriggers = plan.skipTriggers ? [] : [...catalog.triggers.values()].filter((t) => t.isActive && t.listId === db.id && t.triggerType !== 'api_call');
  const wantsImportEvents = anyHookWants(catalog.hooks, 'import_api', { dbId: db.id });

  const schedule = (profile: ProfileState, trigger: TriggerDef, launch: LaunchWrite, receivers: Receivers, delayMs: number, customData: Record<string, unknown> | null) => {
    messages.push(...launchMessages({ profileId: profile.id, trigger, launchRef: launch.ref, receivers, now, delayMs, customData }));
  };

  for (const item of plan.items) {
    let profile: ProfileState | undefined;
    if (!item.query.impossible) {
      for (;;) {
        const found = ws.find(item.query);
        if (found && 'load' in found) {
          addStored(await tx.loadProfiles(db.id, [found.load]));
          continue;
        }
        profile = found?.profile;
        break;
      }
    }
    const created = !profile;
    if (!profile) {
      if (!item.query.canCreate || !plan.createAllowed) {
        errors.push({ index: item.index, error: 404, error_text: errorTexts[404], error_debug: `${plan.batch ? `data[${item.index}]: ` : ''}Profile not found` });
        continue;
      }
      profile = {
        seq: undefined,
        order: ws.nextNewOrder(),
        id: newProfileId(now),
        accountId: catalog.accountId,
        dbId: db.id,
        createdAt: now,
        updatedAt: now,
        fields: {},
        subscriptions: [],
        stored: false,
        dirty: true,
        storedRows: [],
      };
      for (const op of item.query.createOps) applyFieldOp(profile.fields, op);
    }
    for (const op of item.ops) applyFieldOp(profile.fields, op);
    const subscriptionCount = profile.subscriptions.length;
    const became = item.data.subscriptions ? applySubscriptions(profile, item.data.subscriptions, now) : [];
    profile.updatedAt = now;
    profile.dirty = true;
    // Match keys change only with an indexed value or a new subscription: an update of other
    // fields (names, statuses) keeps the profile's index entries and value rows as they are.
    if (created || profile.subscriptions.length !== subscriptionCount || item.ops.some((op) => indexed(op.field))) ws.index(profile);
    profileIds[item.index] = profile.id;

    const customData = item.customData ?? plan.launch?.customData ?? plan.customData;
    const matched = item.query.matched;
    if (plan.launch) {
      const spec = plan.launch;
      const launch = launchFor(refs, spec.trigger, () => ({
        ...(spec.launchId !== undefined ? { id: spec.launchId } : {}),
        triggerId: spec.trigger.id,
        kind: 'api',
        content: spec.content,
        customData: spec.customData,
        attachments: spec.attachments,
      }));
      const filter = spec.filter;
      schedule(profile, spec.trigger, launch, receiversOf(chooseRecipients(profile.subscriptions, spec.trigger, { matched, filter })), spec.delayMs, item.customData);
    }
    for (const trigger of eventTriggers) {
      const eventLaunch = () => launchFor(refs, trigger, () => ({ triggerId: trigger.id, kind: 'event', content: null, customData: plan.customData, attachments: [] }));
      if (trigger.triggerType === 'api_import') {
        schedule(profile, trigger, eventLaunch(), receiversOf(chooseRecipients(profile.subscriptions, trigger, { matched })), 0, item.customData);
      } else if (trigger.triggerType === 'subscribe') {
        const subs = became.filter((s) => s.resourceId === trigger.resourceId && s.channel === trigger.sendChannel);
        if (subs.length > 0) schedule(profile, trigger, eventLaunch(), subs, 0, item.customData);
      }
    }
    if (wantsImportEvents) {
      events.push({
        type: 'import_api',
        dbId: db.id,
        resourceId: null,
        triggerId: plan.launch?.trigger.id ?? null,
        profileId: profile.id,
        payload: { list_id: db.id, profile_id: profile.id, custom_data: customData ?? {}, event_data: { created } },
      });
    }
  }

  const profiles: ProfileWrite[] = [];
  for (const p of ws.profiles) if (p.dirty) profiles.push(profileWrite(p, db));
  const used = new Set<number>();
  for (const m of messages) used.add(m.launchRef);
  const launches = refs.launches.filter((l) => used.has(l.ref));
  for (const l of launches) {
    if (l.id !== undefined) continue;
    l.id = await tx.insertLaunch(catalog.accountId, { triggerId: l.triggerId, kind: l.kind, content: l.content, customData: l.customData, attachments: l.attachments }, now);
    run.launchIds.set(l.triggerId, l.id);
  }
  await tx.saveImport({ accountId: catalog.accountId, dbId: db.id, now, profiles, launches, messages, events });
}

const sameRow = (a: ValueRow, b: ValueRow): boolean => a.field === b.field && a.value === b.value;

function profileWrite(p: ProfileState, db: DatabaseDef): ProfileWrite {
  const rows = p.rows ?? valueRows(p.fields, db);
  let addValues = rows;
  let removeValues: ValueRow[] = [];
  if (p.stored) {
    // Profiles hold a handful of rows: pairwise comparison beats building maps.
    addValues = rows.filter((r) => !p.storedRows.some((old) => sameRow(old, r) && old.num === r.num));
    removeValues = p.storedRows.filter((old) => !rows.some((r) => sameRow(old, r)));
  }
  return {
    seq: p.seq,
    id: p.id,
    fields: p.fields,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    addValues,
    removeValues,
    subscriptions: p.subscriptions
      .filter((s) => s.dirty)
      .map((s) => ({
        resourceId: s.resourceId,
        channel: s.channel,
        address: s.address,
        status: s.status,
        priority: s.priority,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
        data: copyDefined({}, s),
      })),
  };
}
