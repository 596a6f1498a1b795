// profiles/import, import_batch and update (spec 05): the import engine without a launch, in the
// request's transaction; update never creates a profile.
import type { WriteCall } from '../api/method.js';
import { getDatabase } from '../catalog/lookup.js';
import { matchParams, type MatchingInput } from '../matching/params.js';
import { runImport } from './engine.js';
import { batchPayload, singleProfileId, type ImportOutcome } from './outcome.js';
import { importPlan, type ImportFlags } from './plan.js';
import { itemSource } from './request.js';
import type { ImportTx } from './store-port.js';

export type ProfileImportInput = MatchingInput & ImportFlags & { db_id: number; custom_data?: Record<string, unknown> };

function run(call: WriteCall<ImportTx>, input: ProfileImportInput, raw: unknown[], shape: 'item' | 'profile', createAllowed: boolean): Promise<ImportOutcome> {
  const db = getDatabase(call.catalog, input.db_id);
  const match = matchParams(call.catalog, db, input);
  const plan = importPlan({ catalog: call.catalog, db, shape, match, flags: input, wire: call.wire, createAllowed, customData: input.custom_data ?? null });
  return runImport(call.tx, plan, itemSource(plan, call.env.geo, raw), { now: call.env.clock.now(), singleWriter: call.env.singleWriter });
}

export async function importProfile(call: WriteCall<ImportTx>, input: ProfileImportInput & { data: unknown }) {
  return { profile_id: singleProfileId(await run(call, input, [input.data], 'profile', true)) };
}

export async function updateProfile(call: WriteCall<ImportTx>, input: ProfileImportInput & { data: unknown }) {
  return { profile_id: singleProfileId(await run(call, input, [input.data], 'profile', false)) };
}

export async function importProfileBatch(call: WriteCall<ImportTx>, input: ProfileImportInput & { data: unknown[] }) {
  return batchPayload(await run(call, input, input.data, 'item', true));
}
