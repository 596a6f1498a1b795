// profiles/import, import_batch, update, get, delete (spec 05): the same engine as the trigger
// launches, without a launch; get and delete find the oldest profile answering the matching.
import { createHash } from 'node:crypto';
import { getDatabase, type AccountContext, type CoreDeps } from '../context.js';
import { notFound } from '../errors.js';
import { buildMatchQuery } from '../matching/modes.js';
import { oldestMatch } from '../matching/oldest.js';
import type { DatabaseDef } from '../catalog/types.js';
import type { StoredProfile, StoreTx } from '../ports.js';
import type { ImportOutcome } from './import-engine.js';
import { batchPayload, importItems, matchParams, singleProfileId, type ImportFlags, type MatchingInput } from './import-request.js';
import { valueRows } from './profile-state.js';
import { emailDomain } from './formats.js';

export type ProfileImportInput = MatchingInput & ImportFlags & { db_id: number; custom_data?: Record<string, unknown> };

async function run(deps: CoreDeps, ctx: AccountContext, input: ProfileImportInput, raw: unknown[], shape: 'item' | 'profile', createAllowed: boolean): Promise<ImportOutcome> {
  const db = getDatabase(ctx.catalog, input.db_id);
  const match = matchParams(ctx.catalog, db, input);
  return importItems(
    deps,
    raw,
    { xml: ctx.xml, shape, match, flags: input },
    {
      catalog: ctx.catalog,
      db,
      createAllowed,
      skipTriggers: input.skip_triggers,
      customData: input.custom_data ?? null,
      now: deps.clock.now(),
      batch: shape === 'item',
    },
  );
}

export async function importProfile(deps: CoreDeps, ctx: AccountContext, input: ProfileImportInput & { data: unknown }) {
  return { profile_id: singleProfileId(await run(deps, ctx, input, [input.data], 'profile', true)) };
}

export async function updateProfile(deps: CoreDeps, ctx: AccountContext, input: ProfileImportInput & { data: unknown }) {
  return { profile_id: singleProfileId(await run(deps, ctx, input, [input.data], 'profile', false)) };
}

export async function importProfileBatch(deps: CoreDeps, ctx: AccountContext, input: ProfileImportInput & { data: unknown[] }) {
  return batchPayload(await run(deps, ctx, input, input.data, 'item', true));
}

export type ProfileLookupInput = MatchingInput & { db_id: number };

/** The oldest profile answering the request's matching, or 404; `use` runs in the same transaction. */
async function findProfile(
  deps: CoreDeps,
  ctx: AccountContext,
  input: ProfileLookupInput,
  use: (tx: StoreTx, p: StoredProfile, db: DatabaseDef) => Promise<void> = async () => {},
): Promise<StoredProfile> {
  const db = getDatabase(ctx.catalog, input.db_id);
  const query = buildMatchQuery({}, undefined, matchParams(ctx.catalog, db, input));
  if (query.impossible) throw notFound('Profile not found');
  return deps.store.transaction(async (tx) => {
    const seq = oldestMatch(query, await tx.findMatches(db.id, query.keys));
    const [profile] = seq === undefined ? [] : await tx.loadProfiles(db.id, [seq]);
    if (!profile) throw notFound('Profile not found');
    await use(tx, profile, db);
    return profile;
  });
}

export async function getProfile(deps: CoreDeps, ctx: AccountContext, input: ProfileLookupInput) {
  return { data: profileView(await findProfile(deps, ctx, input)) };
}

/** Deletes the profile with its subscriptions and cancels its scheduled messages. */
export async function deleteProfile(deps: CoreDeps, ctx: AccountContext, input: ProfileLookupInput) {
  await findProfile(deps, ctx, input, (tx, profile, db) => tx.deleteProfile(profile, valueRows(profile.fields, db), deps.clock.now()));
  return {};
}

/** The flat profile object of profiles/get (spec 05). */
export function profileView(p: StoredProfile): Record<string, unknown> {
  const email = typeof p.fields.email === 'string' ? p.fields.email : undefined;
  const view: Record<string, unknown> = {
    id: p.id,
    db_id: p.dbId,
    _createtime: new Date(p.createdAt).toISOString(),
    _updatetime: new Date(p.updatedAt).toISOString(),
    _md5: email ? createHash('md5').update(email.toLowerCase()).digest('hex') : '',
    _emaildomain: email ? emailDomain(email) : '',
  };
  for (const [k, v] of Object.entries(p.fields)) view[k] = v;
  view.subscriptions = p.subscriptions.map((s) => {
    const out: Record<string, unknown> = { channel: s.channel, resource_id: s.resourceId };
    if (s.channel === 'email') out.email = s.data.email;
    else if (s.channel === 'sms') out.phone = s.data.phone;
    else {
      out.provider = s.data.provider;
      out.subscription_id = s.data.subscriptionId;
    }
    out.status = s.status;
    if (s.data.statusReason !== undefined && s.status !== 0) out.status_reason = s.data.statusReason;
    out.priority = s.priority;
    out.custom_fields = s.data.customFields ?? {};
    out.cats = s.data.cats ?? [];
    return out;
  });
  return view;
}

