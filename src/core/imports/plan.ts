// An import as the engine runs it: the target database, how items are decoded and matched,
// whether a profile may be created, the trigger launched for every item, and what the database's
// event triggers and hooks want. Every import method (profiles/import*, import_and_start*, their
// task) builds its plan here, once per request.
import { anyHookWants } from '../catalog/hook-filters.js';
import type { Catalog, DatabaseDef, TriggerDef } from '../catalog/types.js';
import type { MatchParams } from '../matching/modes.js';
import type { LaunchSpec } from '../triggers/launch-spec.js';
import { bool, optional, type Decoded } from '../values/schema.js';
import type { WirePolicy } from '../values/wire.js';

/** The flags of every import method. */
export const importFlagFields = {
  skip_triggers: optional(bool(), false),
  skip_invalid_subscriptions: optional(bool(), false),
  detect_geo: optional(bool(), false),
};
export type ImportFlags = Decoded<typeof importFlagFields>;

export interface ImportPlan {
  catalog: Catalog;
  db: DatabaseDef;
  /** `item`: batch items `{data, email?, …, custom_data?}`; `profile`: the profile data itself. */
  shape: 'item' | 'profile';
  match: MatchParams;
  flags: ImportFlags;
  /** How the request's wire format writes values (its codec's policy). */
  wire: WirePolicy;
  createAllowed: boolean;
  /** The trigger the request launches for every successful item (import_and_start*). */
  launch?: LaunchSpec;
  /** custom_data for event triggers and hook events when no launch carries it. */
  customData: Record<string, unknown> | null;
  /** The database's active event triggers (api_import, subscribe), unless skip_triggers. */
  eventTriggers: TriggerDef[];
  /** A hook wants the import_api events of this database. */
  wantsImportEvents: boolean;
}

export interface ImportPlanInput {
  catalog: Catalog;
  db: DatabaseDef;
  shape: 'item' | 'profile';
  match: MatchParams;
  flags: ImportFlags;
  wire: WirePolicy;
  createAllowed: boolean;
  launch?: LaunchSpec;
  customData?: Record<string, unknown> | null;
}

export function importPlan(input: ImportPlanInput): ImportPlan {
  const { catalog, db } = input;
  return {
    catalog,
    db,
    shape: input.shape,
    match: input.match,
    flags: input.flags,
    wire: input.wire,
    createAllowed: input.createAllowed,
    ...(input.launch ? { launch: input.launch } : {}),
    customData: input.launch ? input.launch.customData : (input.customData ?? null),
    eventTriggers: input.flags.skip_triggers
      ? []
      : [...catalog.triggers.values()].filter((t) => t.isActive && t.listId === db.id && t.triggerType !== 'api_call'),
    wantsImportEvents: anyHookWants(catalog.hooks, 'import_api', { dbId: db.id }),
  };
}
