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
import { itemMatchJson } from '../matching/params.js';
import { anyObject, arrayOf, describedAs, required, unknownValue } from '../values/schema.js';
import { obj, titled } from '../values/json-schema.js';

/** One item of a batch import, as JSON Schema: its profile data, its own matching values and custom_data. */
const importItemJson = titled('ImportItem', obj({ data: profileDataJson, ...itemMatchJson(), custom_data: anyObject().json() }, ['data']));

/** `data` of batch import methods: the items, decoded one by one (a bad item is an entry of `errors`). */
export const batchData = required(describedAs(arrayOf(unknownValue(), { minItems: 1, maxItems: LIMITS.itemsPerRequest }), { items: importItemJson }), {
  description:
    'the items, one per profile: {"data": {<profile fields>, "subscriptions": [...]}} with per-item keys (matching values, custom_data); profile fields are typed by the database (databases/fields_get)',
});

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
  /** `item`: batch items `{data, email?, …, custom_data?}`; `profile`: the profile data itself. */
  shape: 'item' | 'profile';
}

const ITEM_MATCH_KEYS = ['email', 'phone', 'profile_id', 'field_value', 'provider', 'subscription_id'] as const;

/** Decodes one item; throws ApiError (400/404) naming the path inside the request. */
export function decodeItem(raw: unknown, index: number, opts: ItemDecodeOptions): DecodedItem {
  const prefix = opts.shape === 'item' ? `data[${index}]` : '';
  try {
    let dataRaw: unknown;
    const match: ItemMatchValues = {};
    let customData: Record<string, unknown> | null = null;
    if (opts.shape === 'profile') {
      dataRaw = raw;
    } else {
      if (opts.wire.isEmpty(raw)) raw = {};
      if (!isPlainObject(raw)) throw new DecodeError(`expected an object, got ${describe(raw)}`);
      // XML items come in two shapes (spec 01): a wrapper with an inner <data>, or the profile fields directly.
      if (opts.wire.flatItems && !('data' in raw)) {
        dataRaw = raw;
      } else {
        if (raw.data === undefined || raw.data === null) throw new DecodeError('is required', ['data']);
        dataRaw = raw.data;
        for (const key of ITEM_MATCH_KEYS) if (raw[key] !== undefined && raw[key] !== null) match[key] = raw[key];
        const itemCustomData = raw.custom_data;
        if (itemCustomData !== undefined && itemCustomData !== null && !opts.wire.isEmpty(itemCustomData)) {
          customData = within('custom_data', () => toObject(itemCustomData));
        }
      }
    }
    // Paths name the value in the request: `data.CRM_ID` (one profile), `data[3].data.CRM_ID` (an
    // item), `data[3].CRM_ID` (an XML item holding the fields directly).
    const data = opts.shape === 'profile' || dataRaw !== raw
      ? within('data', () => decodeProfileData(dataRaw, opts))
      : decodeProfileData(dataRaw, opts);
    const query = buildMatchQuery(match, data, opts.match);
    const ops = opts.geo ? [...data.ops, ...geoOps(data.sets, opts.geo)] : data.ops;
    return { index, data, ops, query, customData };
  } catch (err) {
    if (err instanceof DecodeError) throw err.toApiError(prefix);
    if (err instanceof ApiError && prefix) throw new ApiError(err.code, `${prefix}: ${err.debug}`);
    throw err;
  }
}
