// Parameter groups several methods share: matching, import flags, and the launch parameters.
import { decodeMatchingMode } from '../../core/matching/modes.js';
import type { MatchingMode } from '../../core/matching/modes.js';
import { attachmentsSchema, subscriptionFilterSchema, timeoutSchema } from '../../core/triggers/launch-params.js';
import { anyObject, arrayOf, bool, int, optional, required, str, unknownValue, type Schema } from '../../core/values/schema.js';
import { MATCHING_MODES } from '../../core/matching/modes.js';
import { LIMITS } from '../../core/base/limits.js';

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

export const importFlagFields = {
  skip_triggers: optional(bool(), false),
  skip_invalid_subscriptions: optional(bool(), false),
  detect_geo: optional(bool(), false),
};

export const launchFields = {
  trigger_id: required(int({ min: 1 }), { aliases: ['id'] }),
  timeout: optional(timeoutSchema, 0),
  custom_data: optional(anyObject()),
  content: optional(anyObject()),
  attach: optional(attachmentsSchema),
  subscription_filter: optional(subscriptionFilterSchema),
};

/** `data` of batch methods: a non-empty array of items. */
export const batchData = required(arrayOf(unknownValue(), { minItems: 1, maxItems: LIMITS.itemsPerRequest }), {
  description:
    'the items, one per profile: {"data": {<profile fields>, "subscriptions": [...]}} with per-item keys (matching values, custom_data); profile fields are typed by the database (databases/fields_get)',
});
/** `data` of start_batch: stored profiles, found by their matching values. */
export const launchData = required(arrayOf(unknownValue(), { minItems: 1, maxItems: LIMITS.itemsPerRequest }), {
  description: 'the stored profiles to launch for, one per item: their matching values (email, phone, profile_id, …) and an optional custom_data',
});
/** `data` of single-profile methods: the profile fields and subscriptions. */
export const profileData = required(anyObject(), { description: 'the profile: its fields (typed by the database, see databases/fields_get) and "subscriptions": [...]' });
