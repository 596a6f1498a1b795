// campaigns/triggers/import_and_start(_batch): import profiles into the trigger's database and
// launch the trigger for each, in the request's transaction (spec 02).
import type { WriteCall } from '../api/method.js';
import { matchParams, type MatchingInput } from '../matching/params.js';
import { launchSpec, type LaunchInput } from '../triggers/launch-spec.js';
import { runImport } from './engine.js';
import { batchPayload, singleProfileId, type ImportOutcome } from './outcome.js';
import { importPlan, type ImportFlags, type ImportPlan } from './plan.js';
import { itemSource } from './request.js';
import type { ImportTx } from './store-port.js';

export type ImportAndStartInput = MatchingInput & ImportFlags & LaunchInput;

/** The plan of an import_and_start* request (request-level 400/404 before anything is written). */
export function importAndStartPlan(call: Pick<WriteCall<unknown>, 'catalog' | 'wire'>, input: ImportAndStartInput, shape: 'item' | 'profile'): ImportPlan {
  const { spec, db } = launchSpec(call.catalog, input);
  const match = matchParams(call.catalog, db, input);
  return importPlan({ catalog: call.catalog, db, shape, match, flags: input, wire: call.wire, createAllowed: true, launch: spec });
}

function run(call: WriteCall<ImportTx>, input: ImportAndStartInput, raw: unknown[], shape: 'item' | 'profile'): Promise<ImportOutcome> {
  const plan = importAndStartPlan(call, input, shape);
  return runImport(call.tx, plan, itemSource(plan, call.env.geo, raw), { now: call.env.clock.now(), singleWriter: call.env.singleWriter });
}

export async function importAndStartBatch(call: WriteCall<ImportTx>, input: ImportAndStartInput & { data: unknown[] }) {
  return batchPayload(await run(call, input, input.data, 'item'));
}

export async function importAndStart(call: WriteCall<ImportTx>, input: ImportAndStartInput & { data: unknown }) {
  return { profile_id: singleProfileId(await run(call, input, [input.data], 'profile')) };
}
