// What a task runs (spec 05): import_and_start_batch and start_batch, chunk by chunk. `prepare`
// makes the request-level checks against the account's catalog of the moment (at submission,
// and again each time a runner takes the task up); `runChunk` does items [from, to) in the
// caller's transaction and returns their part of the synchronous method's payload.
import type { Catalog } from '../catalog/types.js';
import type { CoreDeps } from '../context.js';
import type { ItemError } from '../errors.js';
import type { StoreTx } from '../ports.js';
import { decodedSource, runImport } from '../profiles/import-engine.js';
import { decodeItems, matchParams } from '../profiles/import-request.js';
import { launchSpec, type ImportAndStartInput } from '../triggers/import-and-start.js';
import { launchRow, type LaunchCursor } from '../triggers/launch-existing.js';
import { decodeLaunchItems, launchItems, planStartBatch, type StartBatchInput } from '../triggers/start-batch.js';
import type { TaskPart } from './store-port.js';
import type { TaskRequest } from './task-request.js';

export interface PreparedTask {
  total: number;
  runChunk(tx: StoreTx, from: number, to: number, cursor: LaunchCursor, now: number): Promise<TaskPart>;
}

export interface TaskKind {
  /** The synchronous method the task runs (also its kind in storage). */
  name: string;
  /** Imports profiles (counted as imported items by the metrics). */
  imports: boolean;
  /** Request-level checks: throws ApiError (400/404) as the synchronous method would. */
  prepare(deps: CoreDeps, catalog: Catalog, request: TaskRequest): PreparedTask;
}

function part(profileIds: (string | undefined)[], from: number, to: number, errors: ItemError[]): TaskPart {
  const result: { profile_id: string }[] = [];
  for (let i = from; i < to; i++) {
    const id = profileIds[i];
    if (id !== undefined) result.push({ profile_id: id });
  }
  return { result, errors: errors.sort((a, b) => a.index - b.index) };
}

const importAndStartBatch: TaskKind = {
  name: 'campaigns/triggers/import_and_start_batch',
  imports: true,
  prepare(deps, catalog, request) {
    const input = request.params as unknown as ImportAndStartInput & { data: unknown[] };
    const { spec, db } = launchSpec(catalog, input);
    const match = matchParams(catalog, db, input);
    return {
      total: input.data.length,
      async runChunk(tx, from, to, cursor, now) {
        const decoded = decodeItems(deps, catalog, db, input.data.slice(from, to), { xml: request.xml, shape: 'item', match, flags: input, offset: from });
        // The task's messages share one launch (content and attachments stored once).
        if (decoded.items.length > 0) cursor.launchId ??= await tx.insertLaunch(catalog.accountId, launchRow(spec), now);
        const outcome = await runImport(
          tx,
          {
            catalog,
            db,
            createAllowed: true,
            skipTriggers: input.skip_triggers,
            launch: { ...spec, launchId: cursor.launchId },
            customData: spec.customData,
            now,
            batch: true,
          },
          decodedSource(decoded),
          deps.store.capabilities.singleWriter,
        );
        return part(outcome.profileIds, from, to, outcome.errors);
      },
    };
  },
};

const startBatch: TaskKind = {
  name: 'campaigns/triggers/start_batch',
  imports: false,
  prepare(_deps, catalog, request) {
    const input = request.params as unknown as StartBatchInput;
    const plan = planStartBatch(catalog, input);
    return {
      total: input.data.length,
      async runChunk(tx, from, to, cursor, now) {
        const decoded = decodeLaunchItems(input.data.slice(from, to), from, plan.match, request.xml);
        const outcome = await launchItems(tx, plan, decoded.items, now, cursor);
        return part(outcome.profileIds, from, to, [...decoded.errors, ...outcome.errors]);
      },
    };
  },
};

export const TASK_KINDS: ReadonlyMap<string, TaskKind> = new Map([importAndStartBatch, startBatch].map((k) => [k.name, k]));

export function taskKind(name: string): TaskKind {
  const kind = TASK_KINDS.get(name);
  if (!kind) throw new Error(`unknown task kind ${name}`);
  return kind;
}
