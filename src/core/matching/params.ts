// The root matching parameters of a request (spec 02–03): their schema (shared by every method
// that finds profiles), checked once per request against the account's catalog: the mode, its
// root values, `resource_id`.
import { getResource } from '../catalog/lookup.js';
import { phoneRegionOf, type Catalog, type DatabaseDef } from '../catalog/types.js';
import { int, optional, str, unknownValue, type Decoded, type JsonSchema, type Schema } from '../values/schema.js';
import { customFieldSpec, decodeMatchingMode, MATCHING_MODES, type MatchingMode, type MatchParams } from './modes.js';

const matchingMode: Schema<MatchingMode> = {
  decode: (v) => decodeMatchingMode(v),
  json: () => ({ type: 'string', enum: [...MATCHING_MODES], default: 'email' }),
};

export const matchingFields = {
  matching: optional(matchingMode, 'email' as MatchingMode),
  email: optional(str()),
  phone: optional(str()),
  profile_id: optional(str()),
  field_name: optional(str()),
  field_value: optional(unknownValue()),
  resource_id: optional(int({ min: 1 })),
  provider: optional(str()),
  subscription_id: optional(str()),
};

/** Root matching parameters, decoded. */
export type MatchingInput = Decoded<typeof matchingFields>;

/** The matching values a batch item may carry itself (spec 02), as JSON Schema properties. */
export const itemMatchJson = (): Record<string, JsonSchema> =>
  Object.fromEntries(
    (['email', 'phone', 'profile_id', 'field_value', 'provider', 'subscription_id'] as const).map((k) => [
      k,
      matchingFields[k].schema.json(),
    ]),
  );

function phoneRegionParam(db: DatabaseDef): { phoneRegion?: string } {
  const region = phoneRegionOf(db);
  return region !== undefined ? { phoneRegion: region } : {};
}

export function matchParams(catalog: Catalog, db: DatabaseDef, input: MatchingInput): MatchParams {
  if (input.resource_id !== undefined) getResource(catalog, input.resource_id);
  return {
    mode: input.matching,
    ...(input.resource_id !== undefined ? { resourceId: input.resource_id } : {}),
    ...(input.matching === 'custom' ? { fieldSpec: customFieldSpec(db, input.field_name) } : {}),
    ...phoneRegionParam(db),
    email: input.email,
    phone: input.phone,
    profileId: input.profile_id,
    fieldValue: input.field_value,
    provider: input.provider,
    subscriptionId: input.subscription_id,
  };
}
