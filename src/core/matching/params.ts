// The root matching parameters of a request (spec 02–03), decoded by the API layer and checked
// once per request against the account's catalog: the mode, its root values, `resource_id`.
import { getResource } from '../catalog/lookup.js';
import type { Catalog, DatabaseDef } from '../catalog/types.js';
import { customFieldSpec, type MatchingMode, type MatchParams } from './modes.js';

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
