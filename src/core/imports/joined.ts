// Joined single-profile imports (the `joined` of import_and_start, profiles/import and
// profiles/update): the profiles of concurrent requests with the same parameters, run as one
// batch of the import engine under the plan they share — one lookup, one write, one launch row —
// and applied in the order given, as if each request came after the one before it. A profile that
// does not decode, or that matches nothing it may create, fails its own request with the error it
// would have alone; the others are applied.
import type { Payload, WriteCall } from '../api/method.js';
import { ApiError } from '../base/errors.js';
import { runImport } from './engine.js';
import type { DecodedItem } from './items.js';
import type { ImportPlan } from './plan.js';
import { decodedSource, decodeItems } from './request.js';
import type { ImportTx } from './store-port.js';

/**
 * Runs the requests `inputs` (each with its profile in `data`) under the plan `planOf` makes from
 * the first: their parameters but `data` are the same (the dispatcher joins only such requests).
 */
export async function joinedImport<I extends { data: unknown }>(
  call: WriteCall<ImportTx>,
  inputs: readonly I[],
  planOf: (first: I) => ImportPlan,
): Promise<(Payload | ApiError)[]> {
  const [first] = inputs;
  if (!first) return [];
  const plan = planOf(first);
  const profiles = inputs.map((input) => input.data);
  const failed = new Map<number, ApiError>();
  const items: DecodedItem[] = [];
  profiles.forEach((data, i) => {
    try {
      items.push(...decodeItems(plan, call.env.geo, [data], i).items);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      failed.set(i, err);
    }
  });
  const outcome = await runImport(call.tx, plan, decodedSource({ items, errors: [] }), {
    now: call.env.clock.now(),
    singleWriter: call.env.singleWriter,
  });
  for (const err of outcome.errors) failed.set(err.index, new ApiError(err.error, err.error_debug));
  return profiles.map((_, i) => {
    const err = failed.get(i);
    if (err) return err;
    const id = outcome.profileIds[i];
    if (id === undefined) throw new Error(`the joined import produced no profile for its request ${i}`);
    return { profile_id: id };
  });
}
