// Decodes the `data` object of one item (profile fields and subscriptions) against the target
// database: unknown fields are rejected, read-only ones refused, every value typed (spec 03).
import type { Catalog, DatabaseDef } from '../catalog/types.js';
import { DecodeError, within } from '../base/errors.js';
import { describe, isPlainObject, toStr } from '../values/coerce.js';
import type { WirePolicy } from '../values/wire.js';
import { decodeFieldOp, type FieldOp } from '../fields/field-ops.js';
import { fieldSpecs, READ_ONLY_FIELDS, SYSTEM_FIELDS } from '../fields/field-specs.js';
import { decodeSubscriptions, subscriptionInputJson, type SubscriptionInput } from './subscriptions.js';
import type { JsonSchema } from '../values/schema.js';

/** The `data` of one profile, as JSON Schema: its fields, typed by the database (databases/fields_get), and its subscriptions. */
export const profileDataJson: JsonSchema = {
  title: 'ProfileData',
  type: 'object',
  properties: { subscriptions: { type: 'array', items: subscriptionInputJson } },
  additionalProperties: true,
};

export interface ProfileData {
  ops: FieldOp[];
  /** Plain values the data sets, by field (matching reads email, phones and custom fields here). */
  sets: Map<string, unknown>;
  /** Absent when the data has no `subscriptions` key. */
  subscriptions?: SubscriptionInput[];
  /** `data.profile_id`: a matching key, never stored. */
  profileId?: string;
}

export interface ProfileDataOptions {
  catalog: Catalog;
  db: DatabaseDef;
  wire: WirePolicy;
  skipInvalidSubscriptions: boolean;
}

export function decodeProfileData(raw: unknown, opts: ProfileDataOptions): ProfileData {
  if (opts.wire.isEmpty(raw)) raw = {};
  if (!isPlainObject(raw)) throw new DecodeError(`expected an object, got ${describe(raw)}`);
  const specs = fieldSpecs(opts.db);
  const result: ProfileData = { ops: [], sets: new Map() };
  for (const key in raw) {
    const value = raw[key];
    if (value === undefined) continue;
    if (key === 'subscriptions') {
      result.subscriptions = within('subscriptions', () =>
        decodeSubscriptions(value, {
          catalog: opts.catalog,
          dbId: opts.db.id,
          skipInvalid: opts.skipInvalidSubscriptions,
        }),
      );
      continue;
    }
    if (key === 'profile_id') {
      result.profileId = within('profile_id', () => toStr(value));
      continue;
    }
    let spec = specs.get(key);
    if (!spec) {
      const alias = opts.wire.fieldAlias(key);
      if (alias !== undefined && SYSTEM_FIELDS.has(alias)) spec = specs.get(alias);
    }
    if (!spec) {
      if (READ_ONLY_FIELDS.has(key)) throw new DecodeError(`field '${key}' is read-only`);
      throw new DecodeError(`field '${key}' is not defined in database ${opts.db.id}`);
    }
    const op = within(key, () => decodeFieldOp(spec, value));
    result.ops.push(op);
    if (op.action === 'set') result.sets.set(op.field, op.value);
  }
  return result;
}
