// profiles/list (Herald extension): a database's profiles, newest first, paged by offset, with a
// search: a profile id, or the start of an indexed value (email, phone, custom field, tag).
import { defineMethod } from '../api/define.js';
import type { ReadCall } from '../api/method.js';
import { getDatabase } from '../catalog/lookup.js';
import { arrayJson, intJson, obj } from '../values/json-schema.js';
import { limitSchema } from '../values/paging.js';
import { int, object, optional, str, type Decoded } from '../values/schema.js';
import { dbIdField, profileJson, profileView } from './profile-methods.js';
import type { ProfileReader } from './store-port.js';

const listParams = object({
  ...dbIdField,
  search: optional(str({ maxLength: 320 })),
  offset: optional(int({ min: 0 }), 0),
  limit: optional(limitSchema, 50),
});

export async function listProfiles(call: ReadCall<ProfileReader>, input: Decoded<typeof listParams>) {
  const db = getDatabase(call.catalog, input.db_id);
  const search = input.search?.trim() || undefined;
  const { seqs, total } = await call.read.listProfiles(db.id, search, input.offset, input.limit);
  const order = new Map(seqs.map((seq, i) => [seq, i]));
  const profiles = (await call.read.readProfiles(db.id, seqs)).sort(
    (a, b) => (order.get(a.seq) ?? 0) - (order.get(b.seq) ?? 0),
  );
  return { data: profiles.map(profileView), total_count: total };
}

export const profileListMethods = [
  defineMethod({
    name: 'profiles/list',
    summary:
      "A database's profiles, newest first, optionally searched by id or the start of an email, phone or field value (Herald extension)",
    write: false,
    params: listParams,
    payload: obj({ data: arrayJson(profileJson), total_count: intJson }),
    handle: listProfiles,
  }),
];
