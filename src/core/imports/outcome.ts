// What an import (or a launch for stored profiles) answers: per item in input order, the profile
// id or the item's error — as the batch payload of spec 02, or as a single profile's id.
import { ApiError, type ItemError } from '../base/errors.js';
import { arrayJson, obj, strJson, titled } from '../values/json-schema.js';

const itemErrorJson = titled(
  'ItemError',
  obj({
    index: { type: 'integer', minimum: 0, description: 'position of the item in data' },
    error: { type: 'integer', enum: [400, 404] },
    error_text: strJson,
    error_debug: strJson,
  }),
);

/** The batch payload: one entry per item that succeeded, in order; the failed ones in `errors`. */
export const batchJson = titled(
  'BatchResult',
  obj(
    {
      result: {
        ...arrayJson(titled('ProfileRef', obj({ profile_id: { type: 'string', description: 'the profile id' } }))),
        description: 'the profiles of the items that succeeded, in item order',
      },
      errors: { ...arrayJson(itemErrorJson), description: 'the items that failed, by index; absent when none did' },
    },
    ['result'],
  ),
);

/** Single-profile imports: the id of the profile written. */
export const profileIdJson = obj({ profile_id: { type: 'string', description: 'the id of the imported profile' } });

export interface ImportOutcome {
  /** Per item in input order: the profile id, or undefined when the item failed. */
  profileIds: (string | undefined)[];
  errors: ItemError[];
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
