// campaigns/triggers/import_and_start(_batch): import profiles into the trigger's database and
// launch the trigger for each, in the request's transaction (spec 02).
import { defineMethod } from '../api/define.js';
import type { Payload, WriteCall } from '../api/method.js';
import type { ApiError } from '../base/errors.js';
import { matchingFields, matchParams } from '../matching/params.js';
import { launchFields, launchSpec } from '../triggers/launch-spec.js';
import { object, type Decoded, type ItemList } from '../values/schema.js';
import { runImport } from './engine.js';
import { batchData, profileData } from './items.js';
import { batchJson, batchPayload, profileIdJson, singleProfileId, type ImportOutcome } from './outcome.js';
import { importFlagFields, importPlan, type ImportPlan } from './plan.js';
import { joinedImport } from './joined.js';
import { itemSource } from './request.js';
import type { ImportTx } from './store-port.js';

const importAndStartShape = { ...matchingFields, ...importFlagFields, ...launchFields };
export const importAndStartBatchParams = object({ ...importAndStartShape, data: batchData });
const importAndStartParams = object({ ...importAndStartShape, data: profileData });

/** What every import_and_start* request has, whatever its data. */
export type ImportAndStartInput = Decoded<typeof importAndStartShape>;

/** The plan of an import_and_start* request (request-level 400/404 before anything is written). */
export function importAndStartPlan(
  call: Pick<WriteCall<unknown>, 'catalog' | 'wire'>,
  input: ImportAndStartInput,
  shape: 'item' | 'profile',
): ImportPlan {
  const { spec, db } = launchSpec(call.catalog, input);
  const match = matchParams(call.catalog, db, input);
  return importPlan({
    catalog: call.catalog,
    db,
    shape,
    match,
    flags: input,
    wire: call.wire,
    createAllowed: true,
    launch: spec,
  });
}

function run(
  call: WriteCall<ImportTx>,
  input: ImportAndStartInput,
  raw: ItemList,
  shape: 'item' | 'profile',
): Promise<ImportOutcome> {
  const plan = importAndStartPlan(call, input, shape);
  return runImport(call.tx, plan, itemSource(plan, call.env.geo, raw), {
    now: call.env.clock.now(),
    singleWriter: call.env.singleWriter,
  });
}

export async function importAndStartBatch(call: WriteCall<ImportTx>, input: Decoded<typeof importAndStartBatchParams>) {
  return batchPayload(await run(call, input, input.data, 'item'));
}

export async function importAndStart(call: WriteCall<ImportTx>, input: Decoded<typeof importAndStartParams>) {
  return { profile_id: singleProfileId(await run(call, input, [input.data], 'profile')) };
}

/** Concurrent requests with the same parameters, run as one batch (joined.ts). */
export function importAndStartJoined(
  call: WriteCall<ImportTx>,
  inputs: readonly Decoded<typeof importAndStartParams>[],
): Promise<(Payload | ApiError)[]> {
  return joinedImport(call, inputs, (first) => importAndStartPlan(call, first, 'profile'));
}

export const importAndStartMethods = [
  defineMethod({
    name: 'campaigns/triggers/import_and_start_batch',
    summary: 'Import or update several profiles, then launch the trigger for each',
    write: true,
    imports: true,
    batchItems: true,
    params: importAndStartBatchParams,
    payload: batchJson,
    handle: importAndStartBatch,
  }),
  defineMethod({
    name: 'campaigns/triggers/import_and_start',
    summary: 'Import or update one profile, then launch the trigger for it',
    write: true,
    imports: true,
    params: importAndStartParams,
    payload: profileIdJson,
    handle: importAndStart,
    joined: importAndStartJoined,
  }),
];
