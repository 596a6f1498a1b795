// The items of an import request, decoded a chunk at a time against the plan (profile data
// typed by the database, subscriptions, geo fields, the matching query): a bad item becomes an
// entry of `errors` and is never applied; a single profile's decoding error fails the request.
import { ApiError, itemError, type ItemError } from '../base/errors.js';
import type { GeoLookup } from '../base/geo.js';
import { decodeItem, type DecodedItem } from './items.js';
import type { ImportPlan } from './plan.js';
import type { ItemList } from '../values/schema.js';

export interface DecodedBatch {
  items: DecodedItem[];
  errors: ItemError[];
}

/** The items of a batch, decoded a chunk at a time. */
export interface ItemSource {
  total: number;
  /** Items [from, to): those that decoded, and the errors of the others. */
  decode(from: number, to: number): DecodedBatch;
}

/** Decodes `raw`, the request's items from position `offset` on (a task's chunk). */
export function decodeItems(plan: ImportPlan, geo: GeoLookup, raw: unknown[], offset = 0): DecodedBatch {
  const items: DecodedItem[] = [];
  const errors: ItemError[] = [];
  const itemOpts = {
    catalog: plan.catalog,
    db: plan.db,
    wire: plan.wire,
    match: plan.match,
    skipInvalidSubscriptions: plan.flags.skip_invalid_subscriptions,
    shape: plan.shape,
    ...(plan.flags.detect_geo ? { geo } : {}),
  };
  for (let i = 0; i < raw.length; i++) {
    try {
      items.push(decodeItem(raw[i], offset + i, itemOpts));
    } catch (err) {
      if (!(err instanceof ApiError) || (err.code !== 400 && err.code !== 404)) throw err;
      if (plan.shape === 'profile') throw err;
      errors.push(itemError(offset + i, err));
    }
  }
  return { items, errors };
}

/**
 * The request's items `raw`, decoded chunk by chunk as the engine asks for them (parted items of a
 * large body are parsed then too: only the chunk's raw items are in memory at a time).
 */
export function itemSource(plan: ImportPlan, geo: GeoLookup, raw: ItemList, offset = 0): ItemSource {
  return { total: raw.length, decode: (from, to) => decodeItems(plan, geo, raw.slice(from, to), offset + from) };
}

/** A source over items decoded already (with the errors of those that did not decode). */
export function decodedSource(batch: DecodedBatch): ItemSource {
  return {
    total: batch.items.length,
    decode: (from, to) => ({ items: batch.items.slice(from, to), errors: from === 0 ? batch.errors : [] }),
  };
}
