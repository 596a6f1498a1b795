// profiles/get and profiles/delete (spec 05): the oldest profile answering the request's
// matching — read outside a transaction for get, deleted in the request's transaction.
import { createHash } from 'node:crypto';
import { defineMethod } from '../api/define.js';
import type { ReadCall, WriteCall } from '../api/method.js';
import { notFound } from '../base/errors.js';
import { getDatabase } from '../catalog/lookup.js';
import type { Catalog, DatabaseDef } from '../catalog/types.js';
import { buildMatchQuery, type MatchQuery } from '../matching/modes.js';
import { oldestMatch } from '../matching/oldest.js';
import { matchingFields, matchParams } from '../matching/params.js';
import { emailDomain } from '../values/formats.js';
import { arrayJson, intJson, obj, one, strJson, timeJson, titled } from '../values/json-schema.js';
import { int, object, required, type Decoded, type JsonSchema } from '../values/schema.js';
import { valueRows } from './profile-state.js';
import type { ProfileReader, ProfileTx, StoredProfile } from './store-port.js';
import { subscriptionJson } from './subscriptions.js';

/** The database of a profile method (`list_id` in Altcraft's older name). */
export const dbIdField = { db_id: required(int({ min: 1 }), { aliases: ['list_id'] }) };
const lookupParams = object({ ...dbIdField, ...matchingFields });
export type ProfileLookupInput = Decoded<typeof lookupParams>;

const emailDataJson = titled(
  'EmailData',
  obj(
    { email: strJson, domain: strJson, md5: strJson },
    ['email', 'domain', 'md5'],
    'the address, its domain and the md5 of the lower-cased address',
  ),
);
const smsDataJson = titled(
  'SmsData',
  obj({ phone: strJson }, ['phone'], 'Herald: the phone number, as email_data is for email'),
);
const pushDataJson = titled(
  'PushData',
  obj(
    { provider: strJson, subscription_id: strJson },
    ['provider', 'subscription_id'],
    'Herald: the push provider and subscription id, as email_data is for email',
  ),
);

/** A subscription as profiles/get answers it (Altcraft's page): the channel's data object beside the flat fields. */
const profileSubscriptionJson: JsonSchema = {
  ...subscriptionJson,
  title: 'ProfileSubscription',
  properties: {
    ...(subscriptionJson.properties as Record<string, JsonSchema>),
    email_data: emailDataJson,
    sms_data: smsDataJson,
    push_data: pushDataJson,
    is_delete: { type: 'boolean', description: 'always false: a deleted subscription is gone' },
  },
};

const md5 = (text: string): string => createHash('md5').update(text.toLowerCase()).digest('hex');

/** The flat fields of a subscription with its channel's data object (`email_data`, `sms_data`, `push_data`). */
function subscriptionView(s: StoredProfile['subscriptions'][number]): Record<string, unknown> {
  const out: Record<string, unknown> = { channel: s.channel, resource_id: s.resourceId };
  if (s.channel === 'email') {
    const email = s.data.email ?? s.address;
    out.email = s.data.email;
    out.email_data = { email, domain: emailDomain(email), md5: md5(email) };
  } else if (s.channel === 'sms') {
    out.phone = s.data.phone;
    out.sms_data = { phone: s.data.phone ?? s.address };
  } else {
    out.provider = s.data.provider;
    out.subscription_id = s.data.subscriptionId;
    out.push_data = { provider: s.data.provider, subscription_id: s.data.subscriptionId };
  }
  out.is_delete = false;
  out.status = s.status;
  if (s.data.statusReason !== undefined && s.status !== 0) out.status_reason = s.data.statusReason;
  out.priority = s.priority;
  out.custom_fields = s.data.customFields ?? {};
  out.cats = s.data.cats ?? [];
  return out;
}

/** profiles/get's profile: system fields, every field that is set, then its subscriptions. */
export const profileJson: JsonSchema = {
  title: 'Profile',
  ...obj(
    {
      id: strJson,
      db_id: intJson,
      _createtime: timeJson,
      _updatetime: timeJson,
      subscriptions: arrayJson(profileSubscriptionJson),
    },
    ['id', 'db_id', '_createtime', '_updatetime', 'subscriptions'],
    'the profile: system and custom fields, then its subscriptions',
  ),
  additionalProperties: true,
};

/** The database and matching query of a lookup (request-level 400/404). */
function lookupQuery(catalog: Catalog, input: ProfileLookupInput): { db: DatabaseDef; query: MatchQuery } {
  const db = getDatabase(catalog, input.db_id);
  const query = buildMatchQuery({}, undefined, matchParams(catalog, db, input));
  if (query.impossible) throw notFound('Profile not found');
  return { db, query };
}

/** The oldest profile answering `query`, or 404. */
async function findOldest(
  store: Pick<ProfileReader, 'findMatches'>,
  load: (seqs: number[]) => Promise<StoredProfile[]>,
  db: DatabaseDef,
  query: MatchQuery,
): Promise<StoredProfile> {
  const seq = oldestMatch(query, await store.findMatches(db.id, query.keys));
  const [profile] = seq === undefined ? [] : await load([seq]);
  if (!profile) throw notFound('Profile not found');
  return profile;
}

/** The oldest profile answering a lookup, read outside a transaction (404 when none). */
export async function readProfile(
  read: Pick<ProfileReader, 'findMatches' | 'readProfiles'>,
  catalog: Catalog,
  input: ProfileLookupInput,
): Promise<StoredProfile> {
  const { db, query } = lookupQuery(catalog, input);
  return findOldest(read, (seqs) => read.readProfiles(db.id, seqs), db, query);
}

export async function getProfile(call: ReadCall<ProfileReader>, input: ProfileLookupInput) {
  return { data: profileView(await readProfile(call.read, call.catalog, input)) };
}

/** Deletes the profile with its subscriptions and cancels its scheduled messages. */
export async function deleteProfile(call: WriteCall<ProfileTx>, input: ProfileLookupInput) {
  const { db, query } = lookupQuery(call.catalog, input);
  const profile = await findOldest(call.tx, (seqs) => call.tx.loadProfiles(db.id, seqs), db, query);
  await call.tx.deleteProfile(profile, valueRows(profile.fields, db), call.env.clock.now());
  // As Altcraft's page answers: the id of the profile deleted.
  return { data: { profile_id: profile.id } };
}

/** The flat profile object of profiles/get (spec 05). */
export function profileView(p: StoredProfile): Record<string, unknown> {
  const email = typeof p.fields.email === 'string' ? p.fields.email : undefined;
  const view: Record<string, unknown> = {
    id: p.id,
    db_id: p.dbId,
    _createtime: new Date(p.createdAt).toISOString(),
    _updatetime: new Date(p.updatedAt).toISOString(),
    _md5: email ? md5(email) : '',
    _emaildomain: email ? emailDomain(email) : '',
  };
  for (const [k, v] of Object.entries(p.fields)) view[k] = v;
  // `_bdate` was once stored as a date alone: answered, like every date, as an RFC 3339 date-time.
  if (typeof view._bdate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(view._bdate))
    view._bdate = `${view._bdate}T00:00:00.000Z`;
  view.subscriptions = p.subscriptions.map(subscriptionView);
  return view;
}

export const profileMethods = [
  defineMethod({
    name: 'profiles/get',
    summary: 'A profile with its subscriptions',
    write: false,
    params: lookupParams,
    payload: one(profileJson),
    handle: getProfile,
  }),
  defineMethod({
    name: 'profiles/delete',
    summary: 'Delete a profile and cancel its scheduled messages',
    write: true,
    params: lookupParams,
    payload: one(titled('DeletedProfile', obj({ profile_id: strJson }, ['profile_id']))),
    handle: deleteProfile,
  }),
];
