// profiles/import, import_batch and update (spec 05): the import engine without a launch, in the
// request's transaction; update never creates a profile.
import { defineMethod } from '../api/define.js';
import type { Payload, WriteCall } from '../api/method.js';
import type { ApiError } from '../base/errors.js';
import { getDatabase } from '../catalog/lookup.js';
import { matchingFields, matchParams } from '../matching/params.js';
import { dbIdField } from '../profiles/profile-methods.js';
import { anyObject, object, optional, type Decoded, type ItemList } from '../values/schema.js';
import { runImport } from './engine.js';
import { batchData, profileData } from './items.js';
import { batchJson, batchPayload, profileIdJson, singleProfileId, type ImportOutcome } from './outcome.js';
import { joinedImport } from './joined.js';
import { importFlagFields, importPlan, type ImportPlan } from './plan.js';
import { itemSource } from './request.js';
import type { ImportTx } from './store-port.js';

const importShape = { ...dbIdField, ...matchingFields, ...importFlagFields, custom_data: optional(anyObject()) };
const profileImportParams = object({ ...importShape, data: profileData });
const profileBatchParams = object({ ...importShape, data: batchData });

function planOf(
  call: WriteCall<ImportTx>,
  input: Decoded<typeof importShape>,
  shape: 'item' | 'profile',
  createAllowed: boolean,
): ImportPlan {
  const db = getDatabase(call.catalog, input.db_id);
  const match = matchParams(call.catalog, db, input);
  return importPlan({
    catalog: call.catalog,
    db,
    shape,
    match,
    flags: input,
    wire: call.wire,
    createAllowed,
    customData: input.custom_data ?? null,
  });
}

function run(
  call: WriteCall<ImportTx>,
  input: Decoded<typeof importShape>,
  raw: ItemList,
  shape: 'item' | 'profile',
  createAllowed: boolean,
): Promise<ImportOutcome> {
  const plan = planOf(call, input, shape, createAllowed);
  return runImport(call.tx, plan, itemSource(plan, call.env.geo, raw), {
    now: call.env.clock.now(),
    singleWriter: call.env.singleWriter,
  });
}

export async function importProfile(call: WriteCall<ImportTx>, input: Decoded<typeof profileImportParams>) {
  return { profile_id: singleProfileId(await run(call, input, [input.data], 'profile', true)) };
}

export async function updateProfile(call: WriteCall<ImportTx>, input: Decoded<typeof profileImportParams>) {
  return { profile_id: singleProfileId(await run(call, input, [input.data], 'profile', false)) };
}

export async function importProfileBatch(call: WriteCall<ImportTx>, input: Decoded<typeof profileBatchParams>) {
  return batchPayload(await run(call, input, input.data, 'item', true));
}

/** Concurrent single-profile requests with the same parameters, run as one batch (joined.ts). */
function joined(createAllowed: boolean) {
  return (
    call: WriteCall<ImportTx>,
    inputs: readonly Decoded<typeof profileImportParams>[],
  ): Promise<(Payload | ApiError)[]> =>
    joinedImport(call, inputs, (first) => planOf(call, first, 'profile', createAllowed));
}

const imports = { write: true, imports: true } as const;

export const profileImportMethods = [
  defineMethod({
    ...imports,
    name: 'profiles/import',
    summary: 'Import or update one profile',
    params: profileImportParams,
    payload: profileIdJson,
    handle: importProfile,
    joined: joined(true),
  }),
  defineMethod({
    ...imports,
    name: 'profiles/import_batch',
    summary: 'Import or update several profiles',
    batchItems: true,
    params: profileBatchParams,
    payload: batchJson,
    handle: importProfileBatch,
  }),
  defineMethod({
    ...imports,
    name: 'profiles/update',
    summary: 'Update one existing profile (never creates)',
    params: profileImportParams,
    payload: profileIdJson,
    handle: updateProfile,
    joined: joined(false),
  }),
];
