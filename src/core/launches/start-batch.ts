// campaigns/triggers/start_batch (spec 05): launch a trigger for a list of stored profiles. One
// lookup round finds every item's profile (the oldest match), one load brings them, one write
// schedules the messages; an item whose profile is not found (or whose matching value is bad)
// is reported in `errors` by its index. The task variant runs the same code chunk by chunk.
import { defineMethod } from '../api/define.js';
import type { WriteCall } from '../api/method.js';
import { ApiError, DecodeError, errorTexts, itemError, within, type ItemError } from '../base/errors.js';
import { LIMITS } from '../base/limits.js';
import type { Catalog, DatabaseDef } from '../catalog/types.js';
import { batchJson, batchPayload, type ImportOutcome } from '../imports/outcome.js';
import type { ImportTx } from '../imports/store-port.js';
import {
  buildMatchQuery,
  type ItemMatchValues,
  type MatchKey,
  type MatchParams,
  type MatchQuery,
} from '../matching/modes.js';
import { oldestMatch } from '../matching/oldest.js';
import { itemMatchJson, matchingFields, matchParams, type MatchingInput } from '../matching/params.js';
import { launchFields, launchSpec, type LaunchInput, type LaunchSpec } from '../triggers/launch-spec.js';
import { StoredLaunches } from '../triggers/stored-launches.js';
import { describe, isPlainObject, toObject } from '../values/coerce.js';
import { obj, titled } from '../values/json-schema.js';
import { anyObject, arrayOf, describedAs, object, required, unknownValue, type Decoded } from '../values/schema.js';
import type { WirePolicy } from '../values/wire.js';
import { launchForProfiles, type LaunchTarget } from './launch-existing.js';

/** `data` of start_batch: stored profiles, found by their matching values, decoded one by one. */
const launchData = required(
  describedAs(arrayOf(unknownValue(), { minItems: 1, maxItems: LIMITS.itemsPerRequest }), {
    items: titled('LaunchItem', obj({ ...itemMatchJson(), custom_data: anyObject().json() }, [])),
  }),
  {
    description:
      'the stored profiles to launch for, one per item: their matching values (email, phone, profile_id, …) and an optional custom_data',
  },
);

export const startBatchParams = object({ ...matchingFields, ...launchFields, data: launchData });
export type StartBatchInput = Decoded<typeof startBatchParams>;

export interface StartBatchPlan {
  accountId: number;
  db: DatabaseDef;
  spec: LaunchSpec;
  match: MatchParams;
}

interface LaunchItem {
  index: number;
  query: MatchQuery;
  customData: Record<string, unknown> | null;
}

const ITEM_MATCH_KEYS = ['email', 'phone', 'profile_id', 'field_value', 'provider', 'subscription_id'] as const;

/** Request-level checks (400/404 before anything is written). */
export function planStartBatch(catalog: Catalog, input: MatchingInput & LaunchInput): StartBatchPlan {
  const { spec, db } = launchSpec(catalog, input);
  return { accountId: catalog.accountId, db, spec, match: matchParams(catalog, db, input) };
}

function decodeItem(raw: unknown, index: number, match: MatchParams, wire: WirePolicy): LaunchItem {
  try {
    const item = wire.isEmpty(raw) ? {} : raw;
    if (!isPlainObject(item)) throw new DecodeError(`expected an object, got ${describe(item)}`);
    const values: ItemMatchValues = {};
    for (const key of ITEM_MATCH_KEYS) if (item[key] !== undefined && item[key] !== null) values[key] = item[key];
    const cd = item.custom_data;
    const customData =
      cd === undefined || cd === null || wire.isEmpty(cd) ? null : within('custom_data', () => toObject(cd));
    return { index, query: buildMatchQuery(values, undefined, match), customData };
  } catch (err) {
    if (err instanceof DecodeError) throw err.toApiError(`data[${index}]`);
    if (err instanceof ApiError) throw new ApiError(err.code, `data[${index}]: ${err.debug}`);
    throw err;
  }
}

/** Items `raw` (the request's data from position `offset`): decoded, or an error by index. */
export function decodeLaunchItems(
  raw: unknown[],
  offset: number,
  match: MatchParams,
  wire: WirePolicy,
): { items: LaunchItem[]; errors: ItemError[] } {
  const items: LaunchItem[] = [];
  const errors: ItemError[] = [];
  raw.forEach((r, i) => {
    try {
      items.push(decodeItem(r, offset + i, match, wire));
    } catch (err) {
      if (!(err instanceof ApiError) || (err.code !== 400 && err.code !== 404)) throw err;
      errors.push(itemError(offset + i, err));
    }
  });
  return { items, errors };
}

/** Finds every item's profile in one round and schedules the launch for those found, in the caller's transaction. */
export async function launchItems(
  tx: ImportTx,
  plan: StartBatchPlan,
  items: LaunchItem[],
  now: number,
  launches: StoredLaunches,
): Promise<ImportOutcome> {
  const keys = new Map<string, MatchKey>();
  for (const it of items) if (!it.query.impossible) for (const k of it.query.keys) keys.set(k.key, k);
  const hits = keys.size > 0 ? await tx.findMatches(plan.db.id, [...keys.values()]) : new Map<string, number[]>();
  const seqs = items.map((it) => oldestMatch(it.query, hits));
  const wanted = [...new Set(seqs.filter((s): s is number => s !== undefined))];
  const loaded = new Map((await tx.loadProfiles(plan.db.id, wanted)).map((p) => [p.seq, p]));

  const profileIds: (string | undefined)[] = [];
  const errors: ItemError[] = [];
  const targets: LaunchTarget[] = [];
  items.forEach((it, i) => {
    const seq = seqs[i];
    const profile = seq === undefined ? undefined : loaded.get(seq);
    if (!profile) {
      errors.push({
        index: it.index,
        error: 404,
        error_text: errorTexts[404],
        error_debug: `data[${it.index}]: Profile not found`,
      });
      return;
    }
    profileIds[it.index] = profile.id;
    targets.push({ profile, matched: it.query.matched, customData: it.customData });
  });
  await launchForProfiles(tx, { accountId: plan.accountId, dbId: plan.db.id, now }, plan.spec, targets, launches);
  return { profileIds, errors };
}

export async function startBatch(call: WriteCall<ImportTx>, input: StartBatchInput) {
  const plan = planStartBatch(call.catalog, input);
  const decoded = decodeLaunchItems(input.data, 0, plan.match, call.wire);
  const outcome = await launchItems(call.tx, plan, decoded.items, call.env.clock.now(), new StoredLaunches());
  return batchPayload({
    profileIds: outcome.profileIds,
    errors: [...decoded.errors, ...outcome.errors].sort((a, b) => a.index - b.index),
  });
}

export const startBatchMethods = [
  defineMethod({
    name: 'campaigns/triggers/start_batch',
    summary: 'Launch the trigger for a list of stored profiles',
    write: true,
    params: startBatchParams,
    payload: batchJson,
    handle: startBatch,
  }),
];
