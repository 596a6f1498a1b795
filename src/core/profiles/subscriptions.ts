// Subscription entries of profile data (spec 03): decoding, the validity rule, and identity.
// A subscription's identity is (resource, channel, address) with the address normalised:
// lower-cased email, E.164 phone, or lower-cased provider + device token.
import { findChannelSender } from '../catalog/channel-sender.js';
import { CHANNELS, phoneRegionOf, type Catalog, type Channel } from '../catalog/types.js';
import { DecodeError, within } from '../base/errors.js';
import { describe, isPlainObject, toInt, toStr } from '../values/coerce.js';
import { LIMITS } from '../base/limits.js';
import { boundedString, emailText } from '../fields/field-specs.js';
import { emailKey, normalizeEmail } from '../values/formats.js';
import { normalizePhone } from '../values/phone.js';
import { pushAddress } from '../matching/keys.js';
import { pushTokenProblem } from './push-subscription.js';
import { intJson, obj, strJson, titled } from '../values/json-schema.js';
import type { JsonSchema } from '../values/schema.js';

export const SUBSCRIPTION_STATUSES = [
  'subscribed',
  'unsubscribed',
  'complained',
  'hardbounced',
  'unconfirmed',
  'suspended',
  'invalid',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export const SUBSCRIBED = 0;
export const UNSUBSCRIBED = 1;
/** A priority is a 32-bit integer (what both stores keep). */
const PRIORITY_MIN = -(2 ** 31);
const PRIORITY_MAX = 2 ** 31 - 1;

const address = { email: strJson, phone: strJson, provider: strJson, subscription_id: strJson };

/** A subscription entry of profile data, as JSON Schema: the address its channel needs, a status by name or number. */
export const subscriptionInputJson = titled(
  'SubscriptionInput',
  obj(
    {
      channel: { type: 'string', enum: [...CHANNELS] },
      resource_id: intJson,
      ...address,
      status: {
        oneOf: [
          { type: 'string', enum: [...SUBSCRIPTION_STATUSES] },
          { type: 'integer', minimum: 0, maximum: SUBSCRIPTION_STATUSES.length - 1 },
        ],
      },
      priority: intJson,
      custom_fields: { type: 'object', additionalProperties: true },
      cats: { type: 'array', items: strJson },
    },
    ['channel', 'resource_id'],
  ),
);

/** A subscription as profiles/get answers it: the status by number (an index of SUBSCRIPTION_STATUSES). */
export const subscriptionJson = titled(
  'Subscription',
  obj(
    {
      ...(subscriptionInputJson.properties as Record<string, JsonSchema>),
      status: { type: 'integer', minimum: 0, maximum: SUBSCRIPTION_STATUSES.length - 1 },
      status_reason: {
        ...strJson,
        description: 'why Herald changed the status (a push service said the subscription is gone)',
      },
    },
    ['channel', 'resource_id', 'status', 'priority'],
  ),
);

export interface SubscriptionInput {
  channel: Channel;
  resourceId: number;
  /** Normalised identity address (see module comment). */
  address: string;
  email?: string;
  phone?: string;
  provider?: string;
  subscriptionId?: string;
  status?: number;
  priority?: number;
  customFields?: Record<string, unknown>;
  cats?: string[];
}

export function decodeStatus(value: unknown): number {
  if (typeof value === 'string') {
    const byWord = (SUBSCRIPTION_STATUSES as readonly string[]).indexOf(value.trim().toLowerCase());
    if (byWord >= 0) return byWord;
  }
  let n: number;
  try {
    n = toInt(value);
  } catch {
    throw new DecodeError(`unknown status ${describe(value)}`);
  }
  if (n < 0 || n >= SUBSCRIPTION_STATUSES.length) throw new DecodeError(`unknown status ${describe(value)}`);
  return n;
}

/** A status or priority to apply: absent, empty and -1 (Altcraft's import_batch page: "leave it as it is") are not. */
function given(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !(value === -1 || (typeof value === 'string' && value.trim() === '-1'));
}

function decodePriority(value: unknown): number {
  const n = toInt(value);
  if (n < PRIORITY_MIN || n > PRIORITY_MAX)
    throw new DecodeError(`must be between ${PRIORITY_MIN} and ${PRIORITY_MAX}, got ${n}`);
  return n;
}

export interface SubscriptionContext {
  catalog: Catalog;
  dbId: number;
  skipInvalid: boolean;
}

/** Decodes `data.subscriptions`; invalid entries are dropped or fail the item (spec 03). */
export function decodeSubscriptions(raw: unknown, ctx: SubscriptionContext): SubscriptionInput[] {
  const list = Array.isArray(raw) ? raw : raw === '' || raw === null ? [] : [raw];
  const out: SubscriptionInput[] = [];
  for (let i = 0; i < list.length; i++) {
    try {
      out.push(decodeSubscription(list[i], ctx));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      if (ctx.skipInvalid) continue;
      // Keep the key inside the entry in the path: `data[3].data.subscriptions[0].resource_id` (spec 01).
      throw new DecodeError(`invalid subscription: ${err.reason}`, [`[${i}]`, ...err.path]);
    }
  }
  return out;
}

function decodeSubscription(raw: unknown, ctx: SubscriptionContext): SubscriptionInput {
  if (!isPlainObject(raw)) throw new DecodeError(`expected an object, got ${describe(raw)}`);
  const channel = decodeChannel(raw);
  const resourceId = decodeResource(raw, channel, ctx);
  const entry: SubscriptionInput = { channel, resourceId, address: '' };
  if (channel === 'email') decodeEmailAddress(raw, entry);
  else if (channel === 'sms') decodeSmsAddress(raw, ctx, entry);
  else decodePushAddress(raw, ctx, entry);
  decodeSettings(raw, entry);
  return entry;
}

function decodeChannel(raw: Record<string, unknown>): Channel {
  const channelText = within('channel', () => toStr(raw.channel ?? ''));
  if (!(CHANNELS as readonly string[]).includes(channelText)) {
    throw new DecodeError(
      raw.channel === undefined ? 'channel is required' : `unknown channel ${describe(raw.channel)}`,
    );
  }
  return channelText as Channel;
}

/** The resource's id: a resource of the account, linked to the database, with the channel. */
function decodeResource(raw: Record<string, unknown>, channel: Channel, ctx: SubscriptionContext): number {
  if (raw.resource_id === undefined || raw.resource_id === null) throw new DecodeError('resource_id is required');
  const resourceId = within('resource_id', () => toInt(raw.resource_id));
  const resource = ctx.catalog.resources.get(resourceId);
  if (!resource) throw new DecodeError(`resource ${resourceId} does not exist`);
  if (!resource.dbIds.includes(ctx.dbId))
    throw new DecodeError(`resource ${resourceId} is not linked to database ${ctx.dbId}`);
  if (!resource.channels[channel]) throw new DecodeError(`resource ${resourceId} has no ${channel} channel`);
  return resourceId;
}

function decodeEmailAddress(raw: Record<string, unknown>, entry: SubscriptionInput): void {
  const given = raw.email ?? (isPlainObject(raw.email_data) ? raw.email_data.email : undefined);
  if (given === undefined || given === null || given === '')
    throw new DecodeError('email is required for an email subscription');
  const email = normalizeEmail(within('email', () => emailText(given)));
  if (!email) throw new DecodeError(`incorrect email ${describe(given)}`);
  entry.email = email;
  entry.address = emailKey(email);
}

/** The phone, normalized with the region of the subscription's database. */
function decodeSmsAddress(raw: Record<string, unknown>, ctx: SubscriptionContext, entry: SubscriptionInput): void {
  if (raw.phone === undefined || raw.phone === null || raw.phone === '')
    throw new DecodeError('phone is required for an sms subscription');
  const db = ctx.catalog.databases.get(ctx.dbId);
  const phone = normalizePhone(
    within('phone', () => boundedString(raw.phone, LIMITS.phoneLength)),
    db ? phoneRegionOf(db) : undefined,
  );
  if (!phone) throw new DecodeError(`incorrect phone ${describe(raw.phone)}`);
  entry.phone = phone;
  entry.address = phone;
}

function decodePushAddress(raw: Record<string, unknown>, ctx: SubscriptionContext, entry: SubscriptionInput): void {
  const provider =
    raw.provider === undefined || raw.provider === null
      ? ''
      : within('provider', () => boundedString(toStr(raw.provider).trim(), LIMITS.pushProviderLength));
  const token =
    raw.subscription_id === undefined || raw.subscription_id === null
      ? ''
      : within('subscription_id', () =>
          boundedString(toStr(raw.subscription_id).trim(), LIMITS.pushSubscriptionIdLength),
        );
  if (!provider || !token) throw new DecodeError('provider and subscription_id are required for a push subscription');
  // The sender serving this provider on the resource decides what a subscription_id is.
  const problem = pushTokenProblem(findChannelSender(ctx.catalog, entry.resourceId, 'push', provider)?.type, token);
  if (problem) throw new DecodeError(problem, ['subscription_id']);
  entry.provider = provider;
  entry.subscriptionId = token;
  entry.address = pushAddress(provider, token);
}

/** The optional fields: status, priority, custom fields, categories. */
function decodeSettings(raw: Record<string, unknown>, entry: SubscriptionInput): void {
  if (given(raw.status)) entry.status = within('status', () => decodeStatus(raw.status));
  if (given(raw.priority)) entry.priority = within('priority', () => decodePriority(raw.priority));
  if (raw.custom_fields !== undefined && raw.custom_fields !== null && raw.custom_fields !== '') {
    if (!isPlainObject(raw.custom_fields))
      throw new DecodeError(`expected an object, got ${describe(raw.custom_fields)}`, ['custom_fields']);
    entry.customFields = raw.custom_fields;
  }
  if (raw.cats !== undefined && raw.cats !== null) {
    const cats = Array.isArray(raw.cats) ? raw.cats : raw.cats === '' ? [] : [raw.cats];
    entry.cats = [...new Set(cats.map((c, i) => within('cats', () => within(i, () => boundedString(c)))))];
  }
}
