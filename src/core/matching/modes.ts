// Matching modes (spec 03) and where an item's matching value comes from (spec 02, Decision):
// the item's own key, then its data, then the root parameter. A mode turns into a query of
// match keys that the storage answers from its indexes and the import engine from memory.
import type { Channel, DatabaseDef } from '../catalog/types.js';
import { DecodeError, invalid, type ApiError } from '../base/errors.js';
import { LIMITS, longerThan } from '../base/limits.js';
import type { FieldOp } from '../fields/field-ops.js';
import { decodeFieldValue, fieldSpecs, type FieldSpec } from '../fields/field-specs.js';
import { emailKey, normalizeEmail } from '../values/formats.js';
import { indexKey } from '../values/index-key.js';
import { normalizePhone } from '../values/phone.js';
import { fieldKey, idKey, indexText, pushAddress, subscriptionKey } from './keys.js';
import { describe, toStr } from '../values/coerce.js';

export const MATCHING_MODES = [
  'email',
  'email_profile',
  'email_sub',
  'phone',
  'phone_sub',
  'email_phone',
  'email_phone_sub',
  'profile_id',
  'push_sub',
  'custom',
] as const;
export type MatchingMode = (typeof MATCHING_MODES)[number];

export function decodeMatchingMode(value: unknown): MatchingMode {
  const s = toStr(value);
  if ((MATCHING_MODES as readonly string[]).includes(s)) return s as MatchingMode;
  if (s === 'custom_sub') throw new DecodeError('matching mode custom_sub (custom channels) is not supported');
  throw new DecodeError(`unknown matching mode ${describe(value)}; expected one of ${MATCHING_MODES.join(', ')}`);
}

export type MatchKey =
  | { kind: 'field'; field: string; value: string; key: string }
  | { kind: 'sub'; channel: Channel; resourceId: number | '*'; address: string; key: string }
  | { kind: 'id'; id: string; key: string };

export interface MatchQuery {
  keys: MatchKey[];
  /** true: a profile must answer every key (a tags combination); false: any key. */
  all: boolean;
  /** The address the profile was found by, preferred as the receiving subscription (spec 04). */
  matched: { channel: Channel; address: string }[];
  /** Written into a profile created by this query, unless the data sets the field itself. */
  createOps: FieldOp[];
  canCreate: boolean;
  /** A value that can never match (malformed profile id): not found without a lookup. */
  impossible: boolean;
}

/** Root-level matching parameters, decoded once per request. */
export interface MatchParams {
  mode: MatchingMode;
  resourceId?: number;
  fieldSpec?: FieldSpec;
  /** The database's phone region: national numbers of it are accepted as phone values. */
  phoneRegion?: string;
  email?: unknown;
  phone?: unknown;
  profileId?: unknown;
  fieldValue?: unknown;
  provider?: unknown;
  subscriptionId?: unknown;
}

/** What an item's data offers matching: the plain values it sets and its subscriptions. */
export interface MatchData {
  sets: ReadonlyMap<string, unknown>;
  subscriptions?: readonly {
    channel: Channel;
    email?: string;
    phone?: string;
    provider?: string;
    subscriptionId?: string;
  }[];
  /** `data.profile_id`. */
  profileId?: string;
}

/** The per-item matching keys (`email`, `phone`, …) of an item. */
export interface ItemMatchValues {
  email?: unknown;
  phone?: unknown;
  profile_id?: unknown;
  field_value?: unknown;
  provider?: unknown;
  subscription_id?: unknown;
}

/** Validates `field_name` for custom matching against the database (request-level). */
export function customFieldSpec(db: DatabaseDef, fieldName: string | undefined): FieldSpec {
  if (fieldName === undefined || fieldName === '') throw invalid('field_name is required for matching custom');
  const spec = fieldSpecs(db).get(fieldName);
  if (!spec || !spec.custom)
    throw invalid(`field_name: field '${fieldName}' is not a custom field of database ${db.id}`);
  if (spec.kind === 'object' || spec.kind === 'arr_object')
    throw invalid(`field_name: field '${fieldName}' of type ${spec.kind} cannot be matched`);
  return spec;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
const first = (...values: unknown[]): unknown => values.find(present);

function subKey(channel: Channel, resourceId: number | undefined, address: string): MatchKey {
  const res = resourceId ?? '*';
  return { kind: 'sub', channel, resourceId: res, address, key: subscriptionKey(channel, res, address) };
}

function fieldMatchKey(field: string, value: string): MatchKey {
  return { kind: 'field', field, value, key: fieldKey(field, value) };
}

function emailValue(item: ItemMatchValues, data: MatchData | undefined, params: MatchParams): string | undefined {
  const fromData = data?.sets.get('email') ?? data?.subscriptions?.find((s) => s.channel === 'email')?.email;
  const raw = first(item.email, fromData, params.email);
  if (!present(raw)) return undefined;
  const email = normalizeEmail(toStr(raw));
  if (!email) throw invalid(`incorrect email ${describe(raw)} for matching ${params.mode}`);
  return email;
}

function phoneValue(item: ItemMatchValues, data: MatchData | undefined, params: MatchParams): string | undefined {
  const phones = data?.sets.get('phones');
  const fromData =
    (Array.isArray(phones) ? phones[0] : undefined) ?? data?.subscriptions?.find((s) => s.channel === 'sms')?.phone;
  const raw = first(item.phone, fromData, params.phone);
  if (!present(raw)) return undefined;
  const phone = normalizePhone(toStr(raw), params.phoneRegion);
  if (!phone) throw invalid(`incorrect phone ${describe(raw)} for matching ${params.mode}`);
  return phone;
}

function missing(params: MatchParams, what: string): ApiError {
  return invalid(`matching ${params.mode} needs ${what}: give it in the item, in its data or as a root parameter`);
}

/** Where a query's matching value comes from: the item's own keys, its data, the request's root parameters. */
interface Source {
  item: ItemMatchValues;
  data: MatchData | undefined;
  params: MatchParams;
}

const emptyQuery = (): MatchQuery => ({
  keys: [],
  all: false,
  matched: [],
  createOps: [],
  canCreate: true,
  impossible: false,
});

/** email, email_profile, email_sub: the profile's `email` field and/or email subscriptions. */
function emailQuery({ item, data, params }: Source): MatchQuery {
  const q = emptyQuery();
  const email = emailValue(item, data, params);
  if (!email) throw missing(params, 'an email');
  const key = emailKey(email);
  if (params.mode !== 'email_sub') q.keys.push(fieldMatchKey('email', key));
  if (params.mode !== 'email_profile') q.keys.push(subKey('email', params.resourceId, key));
  q.matched.push({ channel: 'email', address: key });
  if (params.mode !== 'email_sub' && !data?.sets.has('email'))
    q.createOps.push({ field: 'email', action: 'set', value: email });
  return q;
}

/** phone, phone_sub: the profile's `phones` and/or SMS subscriptions. */
function phoneQuery({ item, data, params }: Source): MatchQuery {
  const q = emptyQuery();
  const phone = phoneValue(item, data, params);
  if (!phone) throw missing(params, 'a phone');
  if (params.mode === 'phone') q.keys.push(fieldMatchKey('phones', phone));
  q.keys.push(subKey('sms', params.resourceId, phone));
  q.matched.push({ channel: 'sms', address: phone });
  if (params.mode === 'phone' && !data?.sets.has('phones'))
    q.createOps.push({ field: 'phones', action: 'add', value: [phone] });
  return q;
}

/** email_phone, email_phone_sub: the email or the phone, whichever the profile answers (the oldest wins). */
function emailPhoneQuery({ item, data, params }: Source): MatchQuery {
  const q = emptyQuery();
  const email = emailValue(item, data, params);
  const phone = phoneValue(item, data, params);
  if (!email && !phone) throw missing(params, 'an email or a phone');
  const viaSubs = params.mode === 'email_phone_sub';
  const res = params.resourceId;
  if (email) {
    const key = emailKey(email);
    q.keys.push(viaSubs ? subKey('email', res, key) : fieldMatchKey('email', key));
    q.matched.push({ channel: 'email', address: key });
    if (!viaSubs && !data?.sets.has('email')) q.createOps.push({ field: 'email', action: 'set', value: email });
  }
  if (phone) {
    q.keys.push(viaSubs ? subKey('sms', res, phone) : fieldMatchKey('phones', phone));
    q.matched.push({ channel: 'sms', address: phone });
    if (!viaSubs && !data?.sets.has('phones')) q.createOps.push({ field: 'phones', action: 'add', value: [phone] });
  }
  return q;
}

/** profile_id: update only; a malformed id matches nothing, without a lookup. */
function profileIdQuery({ item, data, params }: Source): MatchQuery {
  const q = emptyQuery();
  const raw = first(item.profile_id, data?.profileId, params.profileId);
  if (!present(raw)) throw missing(params, 'a profile_id');
  const id = toStr(raw).trim().toLowerCase();
  q.canCreate = false;
  if (!/^[0-9a-f]{24}$/.test(id)) q.impossible = true;
  q.keys.push({ kind: 'id', id, key: idKey(id) });
  return q;
}

/** push_sub: provider + subscription_id of a push subscription. */
function pushQuery({ item, data, params }: Source): MatchQuery {
  const q = emptyQuery();
  const pushSub = data?.subscriptions?.find((s) => s.channel === 'push');
  const provider = first(item.provider, pushSub?.provider, params.provider);
  const token = first(item.subscription_id, pushSub?.subscriptionId, params.subscriptionId);
  if (!present(provider) || !present(token)) throw missing(params, 'a provider and a subscription_id');
  const address = pushAddress(toStr(provider).trim(), toStr(token).trim());
  // Only email and phone matching prefer the matched address (spec 04): push keeps its sending mode.
  q.keys.push(subKey('push', params.resourceId, address));
  return q;
}

/** custom: a custom field's value; for a tags field, `"a, b"` is a profile holding every tag given. */
function customQuery({ item, data, params }: Source): MatchQuery {
  const spec = params.fieldSpec;
  if (!spec) throw invalid('field_name is required for matching custom');
  const raw = first(item.field_value, data?.sets.get(spec.name), params.fieldValue);
  if (!present(raw)) throw missing(params, `a value of field '${spec.name}' (field_value)`);
  if (spec.kind === 'tags') return tagsQuery(spec, raw, data, params);
  const q = emptyQuery();
  let value: unknown;
  try {
    value = decodeFieldValue(spec, raw);
  } catch (err) {
    if (err instanceof DecodeError) throw invalid(`field_value: ${err.reason} for field '${spec.name}'`);
    throw err;
  }
  const text = indexText(spec, value);
  if (text === undefined) throw invalid(`field_value: field '${spec.name}' cannot be matched`);
  q.keys.push(fieldMatchKey(spec.name, text));
  if (!data?.sets.has(spec.name)) q.createOps.push({ field: spec.name, action: 'set', value });
  return q;
}

function tagsQuery(spec: FieldSpec, raw: unknown, data: MatchData | undefined, params: MatchParams): MatchQuery {
  const q = emptyQuery();
  const tags = (Array.isArray(raw) ? raw.map((t) => toStr(t)) : toStr(raw).split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tags.length === 0) throw missing(params, `a value of field '${spec.name}' (field_value)`);
  const tooLong = tags.find((t) => longerThan(t, LIMITS.stringLength));
  if (tooLong !== undefined) throw invalid(`field_value: a tag is longer than ${LIMITS.stringLength} characters`);
  q.all = true;
  for (const tag of new Set(tags)) q.keys.push(fieldMatchKey(spec.name, indexKey(tag)));
  if (!data?.sets.has(spec.name)) q.createOps.push({ field: spec.name, action: 'add', value: [...new Set(tags)] });
  return q;
}

const QUERIES: Record<MatchingMode, (source: Source) => MatchQuery> = {
  email: emailQuery,
  email_profile: emailQuery,
  email_sub: emailQuery,
  phone: phoneQuery,
  phone_sub: phoneQuery,
  email_phone: emailPhoneQuery,
  email_phone_sub: emailPhoneQuery,
  profile_id: profileIdQuery,
  push_sub: pushQuery,
  custom: customQuery,
};

/** Builds the query that finds an item's profile. Throws ApiError (400) when no value is given. */
export function buildMatchQuery(item: ItemMatchValues, data: MatchData | undefined, params: MatchParams): MatchQuery {
  return QUERIES[params.mode]({ item, data, params });
}

/**
 * The value a key stands for, whatever index answers it: the email in the `email` field and in
 * an email subscription are one value. Creation is serialised per value (see runImport).
 */
export function creationKey(k: MatchKey): string {
  if (k.kind === 'id') return `id:${k.id}`;
  if (k.kind === 'sub')
    return k.channel === 'email'
      ? `email:${k.address}`
      : k.channel === 'sms'
        ? `phone:${k.address}`
        : `push:${k.address}`;
  if (k.field === 'email') return `email:${k.value}`;
  if (k.field === 'phones') return `phone:${k.value}`;
  return `field:${k.field}:${k.value}`;
}
