// campaigns/triggers/start (spec 05): launch a trigger for stored profiles — the oldest profile
// a matching finds (not found → 404), or every profile of the trigger's database answering a
// custom_request, paged in chunks inside one transaction so memory stays bounded whatever the
// size of the database.
import { defineMethod } from '../api/define.js';
import type { WriteCall } from '../api/method.js';
import { invalid, notFound } from '../base/errors.js';
import type { ImportTx } from '../imports/store-port.js';
import { batchJson } from '../imports/outcome.js';
import { buildMatchQuery } from '../matching/modes.js';
import { oldestMatch } from '../matching/oldest.js';
import { matchingFields, matchParams } from '../matching/params.js';
import { compileCustomRequest } from '../query/custom-request.js';
import type { ProfileQueryTx } from '../query/store-port.js';
import { launchFields, launchSpec } from '../triggers/launch-spec.js';
import { StoredLaunches } from '../triggers/stored-launches.js';
import { describedAs, object, optional, unknownValue, type Decoded } from '../values/schema.js';
import { launchForProfiles } from './launch-existing.js';

/** Profiles per page of a custom_request: one page is loaded, scheduled and written at a time. */
export const DEFAULT_QUERY_CHUNK = 5000;

const startParams = object({
  ...matchingFields,
  // No default: custom_request is used only when matching is absent.
  matching: optional(matchingFields.matching.schema),
  custom_request: optional(
    describedAs(unknownValue(), {
      oneOf: [
        { type: 'object', additionalProperties: true },
        { type: 'string', description: 'the query as JSON text' },
      ],
      description: 'a query on profile fields in MongoDB syntax; used only when matching is absent',
    }),
  ),
  ...launchFields,
});
export type StartInput = Decoded<typeof startParams>;

type StartPayload = { result: { profile_id: string }[] };

export async function startTrigger(
  call: WriteCall<ImportTx & ProfileQueryTx>,
  input: StartInput,
): Promise<StartPayload> {
  const { tx } = call;
  const { spec, db } = launchSpec(call.catalog, input);
  const at = { accountId: call.catalog.accountId, dbId: db.id, now: call.env.clock.now() };
  const customRequest = input.custom_request === '' ? undefined : input.custom_request;
  const launches = new StoredLaunches();

  if (customRequest !== undefined) {
    if (input.matching !== undefined) throw invalid('custom_request: give either matching or custom_request, not both');
    const query = compileCustomRequest(customRequest, db);
    const chunk = Math.max(1, call.env.queryChunk ?? DEFAULT_QUERY_CHUNK);
    const result: { profile_id: string }[] = [];
    for (let after = 0; ;) {
      const seqs = await tx.queryProfiles(db.id, query, after, chunk);
      if (seqs.length > 0) {
        const profiles = (await tx.loadProfiles(db.id, seqs)).sort((a, b) => a.seq - b.seq);
        await launchForProfiles(
          tx,
          at,
          spec,
          profiles.map((profile) => ({ profile, matched: [], customData: null })),
          launches,
        );
        for (const p of profiles) result.push({ profile_id: p.id });
      }
      if (seqs.length < chunk) return { result };
      after = seqs[seqs.length - 1];
    }
  }

  const query = buildMatchQuery(
    {},
    undefined,
    matchParams(call.catalog, db, { ...input, matching: input.matching ?? 'email' }),
  );
  const seq = query.impossible ? undefined : oldestMatch(query, await tx.findMatches(db.id, query.keys));
  const [profile] = seq === undefined ? [] : await tx.loadProfiles(db.id, [seq]);
  if (!profile) throw notFound('Profile not found');
  await launchForProfiles(tx, at, spec, [{ profile, matched: query.matched, customData: null }], launches);
  return { result: [{ profile_id: profile.id }] };
}

export const startMethods = [
  defineMethod({
    name: 'campaigns/triggers/start',
    summary: 'Launch the trigger for one stored profile (matching) or every profile answering custom_request',
    write: true,
    params: startParams,
    payload: batchJson,
    handle: startTrigger,
  }),
];
