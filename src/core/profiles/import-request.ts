// The parts every import method shares (profiles/import*, import_and_start*): the root
// matching parameters, decoding the items, and running the engine in one transaction.
import type { Catalog, DatabaseDef } from '../catalog/types.js';
import { getResource, type CoreDeps } from '../context.js';
import { ApiError, itemError, type ItemError } from '../errors.js';
import { customFieldSpec, type MatchingMode, type MatchParams } from '../matching/modes.js';
import { decodeItem, type DecodedItem } from './import-items.js';
import { runImport, type ImportOutcome, type ImportPlan } from './import-engine.js';

/** Root matching parameters as the HTTP layer decoded them. */
export interface MatchingInput {
  matching: MatchingMode;
  email?: string;
  phone?: string;
  profile_id?: string;
  field_name?: string;
  field_value?: unknown;
  resource_id?: number;
  provider?: string;
  subscription_id?: string;
}

export interface ImportFlags {
  skip_triggers: boolean;
  skip_invalid_subscriptions: boolean;
  detect_geo: boolean;
}

export function matchParams(catalog: Catalog, db: DatabaseDef, input: MatchingInput): MatchParams {
  if (input.resource_id !== undefined) getResource(catalog, input.resource_id);
  return {
    mode: input.matching,
    ...(input.resource_id !== undefined ? { resourceId: input.resource_id } : {}),
    ...(input.matching === 'custom' ? { fieldSpec: customFieldSpec(db, input.field_name) } : {}),
    email: input.email,
    phone: input.phone,
    profileId: input.profile_id,
    fieldValue: input.field_value,
    provider: input.provider,
    subscriptionId: input.subscription_id,
  };
}

export interface DecodedBatch {
  items: DecodedItem[];
  errors: ItemError[];
}

export function decodeItems(
  deps: CoreDeps,
  catalog: Catalog,
  db: DatabaseDef,
  raw: unknown[],
  opts: { xml: boolean; shape: 'item' | 'profile'; match: MatchParams; flags: ImportFlags; /** Position of raw[0] in the request (a task's chunk). */ offset?: number },
): DecodedBatch {
  const offset = opts.offset ?? 0;
  const items: DecodedItem[] = [];
  const errors: ItemError[] = [];
  const itemOpts = {
    catalog,
    db,
    xml: opts.xml,
    match: opts.match,
    skipInvalidSubscriptions: opts.flags.skip_invalid_subscriptions,
    shape: opts.shape,
    ...(opts.flags.detect_geo ? { geo: deps.geo } : {}),
  };
  for (let i = 0; i < raw.length; i++) {
    try {
      items.push(decodeItem(raw[i], offset + i, itemOpts));
    } catch (err) {
      if (!(err instanceof ApiError) || (err.code !== 400 && err.code !== 404)) throw err;
      if (opts.shape === 'profile') throw err;
      errors.push(itemError(offset + i, err));
    }
  }
  return { items, errors };
}

/**
 * Decodes and applies a batch in one transaction, chunk by chunk (IMPORT_CHUNK): only one
 * chunk's decoded items, profiles and writes are in memory at a time. Item errors (decoding or
 * matching) come back in input order; a single profile's decoding error fails the request whole.
 */
export async function importItems(
  deps: CoreDeps,
  raw: unknown[],
  decode: { xml: boolean; shape: 'item' | 'profile'; match: MatchParams; flags: ImportFlags },
  plan: Omit<ImportPlan, 'items'>,
): Promise<ImportOutcome> {
  const source = { total: raw.length, decode: (from: number, to: number) => decodeItems(deps, plan.catalog, plan.db, raw.slice(from, to), { ...decode, offset: from }) };
  return deps.store.transaction((tx) => runImport(tx, plan, source, deps.store.capabilities.singleWriter));
}

/** Payload of batch methods: `result` in input order, `errors` only when an item failed. */
export function batchPayload(outcome: ImportOutcome): { result: { profile_id: string }[]; errors?: ItemError[] } {
  const result: { profile_id: string }[] = [];
  for (const id of outcome.profileIds) if (id !== undefined) result.push({ profile_id: id });
  return outcome.errors.length > 0 ? { result, errors: outcome.errors } : { result };
}

/** For single-profile methods: the one item's error becomes the request's. */
export function singleProfileId(outcome: ImportOutcome): string {
  const err = outcome.errors[0];
  if (err) throw new ApiError(err.error, err.error_debug);
  const id = outcome.profileIds[0];
  if (id === undefined) throw new ApiError(500, 'import produced no profile');
  return id;
}
