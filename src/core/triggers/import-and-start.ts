// campaigns/triggers/import_and_start(_batch): import profiles into the trigger's database and
// launch the trigger for each, all in one transaction (spec 02).
import type { Catalog, DatabaseDef } from '../catalog/types.js';
import { getDatabase, getTrigger, type AccountContext, type CoreDeps } from '../context.js';
import { invalid } from '../errors.js';
import type { ImportOutcome, LaunchSpec } from '../profiles/import-engine.js';
import { batchPayload, importItems, matchParams, singleProfileId, type ImportFlags, type MatchingInput } from '../profiles/import-request.js';
import type { Attachment, SubscriptionFilter } from './launch-params.js';

export interface LaunchInput {
  trigger_id: number;
  /** Milliseconds (the decoded `timeout`). */
  timeout: number;
  custom_data?: Record<string, unknown>;
  content?: Record<string, unknown>;
  attach?: Attachment[];
  subscription_filter?: SubscriptionFilter;
}

/** Checks the trigger can be launched by the API and returns the launch (request-level 400/404). */
export function launchSpec(catalog: Catalog, input: LaunchInput): { spec: LaunchSpec; db: DatabaseDef } {
  const trigger = getTrigger(catalog, input.trigger_id);
  if (!trigger.isActive) throw invalid(`trigger ${trigger.id} is not active`);
  if (trigger.triggerType !== 'api_call') throw invalid(`trigger ${trigger.id} is of type ${trigger.triggerType}; the API launches only api_call triggers`);
  if (trigger.listId === undefined || trigger.resourceId === undefined) throw invalid(`trigger ${trigger.id} has no database or resource`);
  if (input.attach && input.attach.length > 0 && trigger.sendChannel !== 'email') {
    throw invalid(`attach: trigger ${trigger.id} sends ${trigger.sendChannel}; attachments are for email triggers only`);
  }
  const db = getDatabase(catalog, trigger.listId);
  return {
    db,
    spec: {
      trigger,
      content: input.content ?? null,
      customData: input.custom_data ?? null,
      attachments: input.attach ?? [],
      delayMs: input.timeout,
      ...(input.subscription_filter ? { filter: input.subscription_filter } : {}),
    },
  };
}

export type ImportAndStartInput = MatchingInput & ImportFlags & LaunchInput;

async function run(deps: CoreDeps, ctx: AccountContext, input: ImportAndStartInput, raw: unknown[], shape: 'item' | 'profile'): Promise<ImportOutcome> {
  const { spec, db } = launchSpec(ctx.catalog, input);
  const match = matchParams(ctx.catalog, db, input);
  return importItems(
    deps,
    raw,
    { xml: ctx.xml, shape, match, flags: input },
    {
      catalog: ctx.catalog,
      db,
      createAllowed: true,
      skipTriggers: input.skip_triggers,
      launch: spec,
      customData: spec.customData,
      now: deps.clock.now(),
      batch: shape === 'item',
    },
  );
}

export async function importAndStartBatch(deps: CoreDeps, ctx: AccountContext, input: ImportAndStartInput & { data: unknown[] }) {
  return batchPayload(await run(deps, ctx, input, input.data, 'item'));
}

export async function importAndStart(deps: CoreDeps, ctx: AccountContext, input: ImportAndStartInput & { data: unknown }) {
  return { profile_id: singleProfileId(await run(deps, ctx, input, [input.data], 'profile')) };
}
