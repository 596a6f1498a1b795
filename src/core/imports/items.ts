// Decoding the items of an import request into what the engine applies: the profile data,
// the matching query and the item's custom_data. A failure here is the item's error alone.
import type { Catalog, DatabaseDef } from '../catalog/types.js';
import { ApiError, DecodeError, within } from '../base/errors.js';
import { LIMITS } from '../base/limits.js';
import { geoOps } from '../geo/detect.js';
import { buildMatchQuery, type ItemMatchValues, type MatchParams, type MatchQuery } from '../matching/modes.js';
import type { GeoLookup } from '../base/geo.js';
import { describe, isPlainObject, toObject } from '../values/coerce.js';
import type { WirePolicy } from '../values/wire.js';
import type { FieldOp } from '../fields/field-ops.js';
import { decodeProfileData, profileDataJson, type ProfileData } from '../profiles/profile-data.js';
import { fieldSpecs, READ_ONLY_FIELDS, SYSTEM_FIELDS } from '../fields/field-specs.js';
import { itemMatchJson } from '../matching/params.js';
import { anyObject, describedAs, itemList, required } from '../values/schema.js';
import { obj, titled } from '../values/json-schema.js';

/**
 * One item of a batch import, as JSON Schema: the wrapped form (its profile data in `data`, its
 * own matching values and custom_data beside it) or a flat profile object (its fields and
 * subscriptions as its own keys, custom_data beside them).
 */
const importItemJson = titled('ImportItem', {
  oneOf: [
    titled(
      'WrappedImportItem',
      obj({ data: profileDataJson, ...itemMatchJson(), custom_data: anyObject().json() }, ['data']),
    ),
    titled('FlatImportItem', {
      ...profileDataJson,
      description:
        'a flat profile object: its fields and subscriptions, with custom_data (and matching keys that are not fields) beside them',
    }),
  ],
});

/** `data` of batch import methods: the items, decoded one by one (a bad item is an entry of `errors`). */
export const batchData = required(
  describedAs(itemList({ minItems: 1, maxItems: LIMITS.itemsPerRequest }), { items: importItemJson }),
  {
    description:
      'the items, one per profile: a flat profile object {<profile fields>, "subscriptions": [...], "custom_data": {...}}, or the wrapped form {"data": {<profile fields>, "subscriptions": [...]}} with per-item keys beside it (matching values, custom_data); an item whose data holds an object and whose other keys name no profile field is the wrapped form. Profile fields are typed by the database (databases/fields_get)',
  },
);

/** `data` of single-profile methods: the profile fields and subscriptions. */
export const profileData = required(describedAs(anyObject(), profileDataJson), {
  description: 'the profile: its fields (typed by the database, see databases/fields_get) and "subscriptions": [...]',
});

export interface DecodedItem {
  index: number;
  data: ProfileData;
  ops: FieldOp[];
  query: MatchQuery;
  customData: Record<string, unknown> | null;
}

export interface ItemDecodeOptions {
  catalog: Catalog;
  db: DatabaseDef;
  wire: WirePolicy;
  match: MatchParams;
  skipInvalidSubscriptions: boolean;
  geo?: GeoLookup;
  /** `item`: batch items, flat or wrapped `{data, email?, …, custom_data?}`; `profile`: the profile data itself. */
  shape: 'item' | 'profile';
}

const ITEM_MATCH_KEYS = ['email', 'phone', 'profile_id', 'field_value', 'provider', 'subscription_id'] as const;
/** Keys of a wrapped item beside its `data`: never profile keys there. */
const ITEM_KEYS: ReadonlySet<string> = new Set([...ITEM_MATCH_KEYS, 'custom_data']);

/** A key that names a profile field (system, read-only or the database's own) or the subscriptions. */
function isProfileKey(key: string, opts: ItemDecodeOptions): boolean {
  if (key === 'subscriptions' || READ_ONLY_FIELDS.has(key) || fieldSpecs(opts.db).has(key)) return true;
  const alias = opts.wire.fieldAlias(key);
  return alias !== undefined && SYSTEM_FIELDS.has(alias);
}

/**
 * Whether a batch item is the wrapped form `{"data": {…}, "email": …, "custom_data": …}` (spec 05,
 * Decision "item forms"): it has a `data` key and no other key of it names a profile field (a
 * custom field may not be named `data`, so a flat profile never has one); the item keys (matching values, custom_data) may stand beside
 * it. Anything else is a flat profile object, as Altcraft's import_batch page shows.
 */
export function isWrappedItem(raw: Record<string, unknown>, opts: ItemDecodeOptions): boolean {
  if (raw.data === undefined) return false;
  for (const key in raw) if (key !== 'data' && !ITEM_KEYS.has(key) && isProfileKey(key, opts)) return false;
  return true;
}

interface SplitItem {
  dataRaw: unknown;
  match: ItemMatchValues;
  customData: Record<string, unknown> | null;
  /** The profile fields are the item's own keys (paths `data[3].CRM_ID`, not `data[3].data.CRM_ID`). */
  flat: boolean;
}

function itemCustomData(raw: Record<string, unknown>, wire: WirePolicy): Record<string, unknown> | null {
  const value = raw.custom_data;
  if (value === undefined || value === null || wire.isEmpty(value)) return null;
  return within('custom_data', () => toObject(value));
}

/**
 * An item's profile data, matching values and custom_data. Flat: `custom_data`, and the matching
 * keys that are not fields of the database (`phone`, `field_value`, `provider`,
 * `subscription_id`), are the item's; every other key is a profile field (`email` and
 * `profile_id` are read from the data by matching, spec 02).
 */
function splitItem(raw: Record<string, unknown>, opts: ItemDecodeOptions): SplitItem {
  const match: ItemMatchValues = {};
  if (isWrappedItem(raw, opts)) {
    if (raw.data === null) throw new DecodeError('is required', ['data']);
    for (const key of ITEM_MATCH_KEYS) if (raw[key] !== undefined && raw[key] !== null) match[key] = raw[key];
    return { dataRaw: raw.data, match, customData: itemCustomData(raw, opts.wire), flat: false };
  }
  const data: Record<string, unknown> = {};
  for (const key in raw) {
    if (key === 'custom_data') continue;
    if (
      key !== 'email' &&
      key !== 'profile_id' &&
      (ITEM_MATCH_KEYS as readonly string[]).includes(key) &&
      !fieldSpecs(opts.db).has(key)
    ) {
      if (raw[key] !== undefined && raw[key] !== null) match[key as keyof ItemMatchValues] = raw[key];
      continue;
    }
    data[key] = raw[key];
  }
  return { dataRaw: data, match, customData: itemCustomData(raw, opts.wire), flat: true };
}

/** Decodes one item; throws ApiError (400/404) naming the path inside the request. */
export function decodeItem(raw: unknown, index: number, opts: ItemDecodeOptions): DecodedItem {
  const prefix = opts.shape === 'item' ? `data[${index}]` : '';
  try {
    let split: SplitItem;
    if (opts.shape === 'profile') {
      split = { dataRaw: raw, match: {}, customData: null, flat: false };
    } else {
      if (opts.wire.isEmpty(raw)) raw = {};
      if (!isPlainObject(raw)) throw new DecodeError(`expected an object, got ${describe(raw)}`);
      split = splitItem(raw, opts);
    }
    const { dataRaw, match, customData } = split;
    // Paths name the value in the request: `data.CRM_ID` (one profile), `data[3].data.CRM_ID` (an
    // item), `data[3].CRM_ID` (an XML item holding the fields directly).
    const data = split.flat ? decodeProfileData(dataRaw, opts) : within('data', () => decodeProfileData(dataRaw, opts));
    const query = buildMatchQuery(match, data, opts.match);
    const ops = opts.geo ? [...data.ops, ...geoOps(data.sets, opts.geo)] : data.ops;
    return { index, data, ops, query, customData };
  } catch (err) {
    if (err instanceof DecodeError) throw err.toApiError(prefix);
    if (err instanceof ApiError && prefix) throw new ApiError(err.code, `${prefix}: ${err.debug}`);
    throw err;
  }
}
