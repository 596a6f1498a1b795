// What a task runs (spec 05): import_and_start_batch and start_batch, chunk by chunk. `prepare`
// makes the request-level checks against the account's catalog of the moment (at submission,
// and again each time a runner takes the task up); `runChunk` does items [from, to) in the
// caller's transaction and returns their part of the synchronous method's payload, with the id
// of the task's launch once a chunk stored it (every chunk's messages reference that launch).
import type { Env } from '../api/method.js';
import type { ItemError } from '../base/errors.js';
import type { Catalog } from '../catalog/types.js';
import { runImport } from '../imports/engine.js';
import { importAndStartPlan } from '../imports/import-and-start.js';
import { decodedSource, decodeItems } from '../imports/request.js';
import type { ImportTx } from '../imports/store-port.js';
import { decodeLaunchItems, launchItems, planStartBatch } from '../launches/start-batch.js';
import { StoredLaunches } from '../triggers/stored-launches.js';
import type { TaskPart } from './store-port.js';
import { importAndStartBatchRequest, startBatchRequest } from './stored-params.js';
import type { TaskRequest } from './task-request.js';
import type { WirePolicy } from '../values/wire.js';

export interface ChunkResult {
  part: TaskPart;
  /** The task's launch, once stored. */
  launchId?: number;
}

export interface PreparedTask {
  total: number;
  runChunk(tx: ImportTx, from: number, to: number, launchId: number | undefined, now: number): Promise<ChunkResult>;
}

export interface TaskKind {
  /** The synchronous method the task runs (also its kind in storage). */
  name: string;
  /** Imports profiles (counted as imported items by the metrics). */
  imports: boolean;
  /** Request-level checks: throws ApiError (400/404) as the synchronous method would. */
  prepare(env: Env, catalog: Catalog, request: TaskRequest, wire: WirePolicy): PreparedTask;
}

function part(profileIds: (string | undefined)[], from: number, to: number, errors: ItemError[]): TaskPart {
  const result: { profile_id: string }[] = [];
  for (let i = from; i < to; i++) {
    const id = profileIds[i];
    if (id !== undefined) result.push({ profile_id: id });
  }
  return { result, errors: errors.sort((a, b) => a.index - b.index) };
}

/** The launches of a chunk: the task's launch as earlier chunks stored it, if they did. */
function launchesOf(triggerId: number, launchId: number | undefined): StoredLaunches {
  return new StoredLaunches(launchId === undefined ? new Map() : new Map([[triggerId, launchId]]));
}

const importAndStartBatch: TaskKind = {
  name: 'campaigns/triggers/import_and_start_batch',
  imports: true,
  prepare(env, catalog, request, wire) {
    const input = importAndStartBatchRequest(request);
    const plan = importAndStartPlan({ catalog, wire }, input, 'item');
    const triggerId = input.trigger_id;
    return {
      total: input.data.length,
      async runChunk(tx, from, to, launchId, now) {
        const decoded = decodeItems(plan, env.geo, input.data.slice(from, to), from);
        const launches = launchesOf(triggerId, launchId);
        const outcome = await runImport(tx, plan, decodedSource(decoded), {
          now,
          singleWriter: env.singleWriter,
          launches,
        });
        return { part: part(outcome.profileIds, from, to, outcome.errors), launchId: launches.ids.get(triggerId) };
      },
    };
  },
};

const startBatch: TaskKind = {
  name: 'campaigns/triggers/start_batch',
  imports: false,
  prepare(_env, catalog, request, wire) {
    const input = startBatchRequest(request);
    const plan = planStartBatch(catalog, input);
    return {
      total: input.data.length,
      async runChunk(tx, from, to, launchId, now) {
        const decoded = decodeLaunchItems(input.data.slice(from, to), from, plan.match, wire);
        const launches = launchesOf(plan.spec.trigger.id, launchId);
        const outcome = await launchItems(tx, plan, decoded.items, now, launches);
        return {
          part: part(outcome.profileIds, from, to, [...decoded.errors, ...outcome.errors]),
          launchId: launches.ids.get(plan.spec.trigger.id),
        };
      },
    };
  },
};

export const TASK_KINDS: ReadonlyMap<string, TaskKind> = new Map(
  [importAndStartBatch, startBatch].map((k) => [k.name, k]),
);

export function taskKind(name: string): TaskKind {
  const kind = TASK_KINDS.get(name);
  if (!kind) throw new Error(`unknown task kind ${name}`);
  return kind;
}
