// The launch parameters of spec 02: timeout, attachments, content, custom_data and the
// subscription filter, decoded and checked once per request.
import type { Channel } from '../catalog/types.js';
import { DecodeError, within } from '../base/errors.js';
import { emailKey, normalizeEmail } from '../values/formats.js';
import { normalizePhone } from '../values/phone.js';
import { describe, isPlainObject, toBool, toInt, toStr } from '../values/coerce.js';
import type { DecodeContext, Schema } from '../values/schema.js';
import { pushAddress } from '../matching/keys.js';

const MAX_DELAY_MS = 365 * 24 * 60 * 60 * 1000;
const TIMEOUT_UNITS: ReadonlyMap<string, number> = new Map([
  ['days', 86_400_000],
  ['hours', 3_600_000],
  ['minutes', 60_000],
]);

export const timeoutSchema: Schema<number> = {
  decode(value, ctx) {
    if (ctx.wire.isEmpty(value)) return 0;
    if (!isPlainObject(value))
      throw new DecodeError(`expected an object {days, hours, minutes}, got ${describe(value)}`);
    let total = 0;
    for (const key of Object.keys(value)) {
      // A Map: the keys are the client's, and `"toString"` is no unit.
      const ms = TIMEOUT_UNITS.get(key);
      if (ms === undefined) throw new DecodeError(`unknown key ${describe(key)}; expected days, hours, minutes`);
      const n = within(key, () => toInt(value[key]));
      if (n < 0) throw new DecodeError(`must not be negative, got ${n}`, [key]);
      total += n * ms;
    }
    if (total > MAX_DELAY_MS) throw new DecodeError('the total delay is over 365 days');
    return total;
  },
  json: () => ({
    type: 'object',
    properties: {
      days: { type: 'integer', minimum: 0 },
      hours: { type: 'integer', minimum: 0 },
      minutes: { type: 'integer', minimum: 0 },
    },
    additionalProperties: false,
  }),
};

export interface Attachment {
  name: string;
  mime: string;
  data: Buffer;
}

const DATA_URI = /^data:([a-zA-Z0-9!#$&^_.+-]+\/[a-zA-Z0-9!#$&^_.+-]+)((?:;[a-zA-Z0-9_.-]+=[^;,]*)*);base64,/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A safe file name: no path, no control characters (CR/LF would inject MIME headers). */
export function sanitizeFileName(raw: string): string {
  let name = raw.slice(Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\')) + 1);
  name = name
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '')
    .trim()
    .replace(/^\.+/, '');
  if (name.length > 200) name = name.slice(name.length - 200);
  return name === '' ? 'attachment' : name;
}

export function decodeDataUri(uri: string): { mime: string; data: Buffer } {
  const m = DATA_URI.exec(uri);
  if (!m) throw new DecodeError('malformed data URI: expected data:<mime type>;base64,<data>');
  const payload = uri.slice(m[0].length).replace(/\s+/g, '');
  if (payload.length % 4 === 1 || !BASE64.test(payload))
    throw new DecodeError('malformed data URI: the data is not base64');
  return { mime: m[1].toLowerCase(), data: Buffer.from(payload, 'base64') };
}

const attachmentSchema: Schema<Attachment> = {
  decode(value) {
    if (!isPlainObject(value)) throw new DecodeError(`expected an object {data, name}, got ${describe(value)}`);
    if (value.data === undefined || value.data === null) throw new DecodeError('is required', ['data']);
    const { mime, data } = within('data', () => decodeDataUri(toStr(value.data)));
    const name =
      value.name === undefined || value.name === null
        ? 'attachment'
        : within('name', () => sanitizeFileName(toStr(value.name)));
    return { name, mime, data };
  },
  json: () => ({
    type: 'object',
    properties: { data: { type: 'string', description: 'data:<mime>;base64,<data>' }, name: { type: 'string' } },
    required: ['data'],
  }),
};

export const attachmentsSchema: Schema<Attachment[]> = {
  decode(value, ctx: DecodeContext) {
    const list = Array.isArray(value) ? value : ctx.wire.isEmpty(value) ? [] : [value];
    return list.map((v, i) => within(i, () => attachmentSchema.decode(v, ctx)));
  },
  json: () => ({ type: 'array', items: attachmentSchema.json() }),
};

/** Bytes of attachment data in a raw request body (they may use the 100 MB limit). */
export function attachmentBytes(attach: unknown): number {
  const list = Array.isArray(attach) ? attach : [attach];
  let total = 0;
  for (const a of list) if (isPlainObject(a) && typeof a.data === 'string') total += a.data.length;
  return total;
}

export interface SubscriptionFilter {
  email?: string;
  phone?: string;
  push?: string;
  notStrict: boolean;
}

export const subscriptionFilterSchema: Schema<SubscriptionFilter> = {
  decode(value, ctx) {
    if (ctx.wire.isEmpty(value)) return { notStrict: false };
    if (!isPlainObject(value)) throw new DecodeError(`expected an object, got ${describe(value)}`);
    const f: SubscriptionFilter = {
      notStrict: value.not_strict === undefined ? false : within('not_strict', () => toBool(value.not_strict)),
    };
    if (value.email !== undefined && value.email !== '') {
      const email = normalizeEmail(within('email', () => toStr(value.email)));
      if (!email) throw new DecodeError(`incorrect email ${describe(value.email)}`, ['email']);
      f.email = emailKey(email);
    }
    if (value.phone !== undefined && value.phone !== '') {
      const phone = normalizePhone(within('phone', () => toStr(value.phone)));
      if (!phone) throw new DecodeError(`incorrect phone ${describe(value.phone)}`, ['phone']);
      f.phone = phone;
    }
    if (value.provider !== undefined && value.subscription_id !== undefined) {
      f.push = pushAddress(
        within('provider', () => toStr(value.provider)).trim(),
        within('subscription_id', () => toStr(value.subscription_id)).trim(),
      );
    }
    return f;
  },
  json: () => ({
    type: 'object',
    properties: {
      email: { type: 'string' },
      phone: { type: 'string' },
      provider: { type: 'string' },
      subscription_id: { type: 'string' },
      not_strict: { type: 'boolean' },
    },
  }),
};

export function filterAddress(filter: SubscriptionFilter | undefined, channel: Channel): string | undefined {
  if (!filter) return undefined;
  return channel === 'email' ? filter.email : channel === 'sms' ? filter.phone : filter.push;
}
