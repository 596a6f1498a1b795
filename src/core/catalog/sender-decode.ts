// The settings of each sender type beyond name, type, url, headers, dir and rate (decode.ts):
// the `http` sender's request shaping, Web Push VAPID keys, the FCM service account, the APNs
// signing key, and delivery receipts. Keys and passwords are checked without ever being quoted
// in an error (problems are printed and logged).
import { createECDH, createPrivateKey } from 'node:crypto';
import { templateProblem } from '../templates/check.js';
import { describe, isPlainObject, toInt, toStr } from '../values/coerce.js';
import { pointerProblem } from '../values/json-pointer.js';
import type {
  ApnsSettings,
  DkimSettings,
  FcmSettings,
  HttpRequestShape,
  JsonTemplate,
  ReceiptDef,
  SenderDef,
  SenderType,
  WebPushSettings,
} from './types.js';
import { DecodeError, within } from '../base/errors.js';

export type SenderSettings = Pick<SenderDef, 'request' | 'webpush' | 'fcm' | 'apns' | 'receipt' | 'dkim'>;

/** The keys each type reads (name, type and rate_per_second are every type's). */
export const SENDER_SETTINGS: Record<SenderType, readonly string[]> = {
  smtp: ['url', 'dkim'],
  http: ['url', 'headers', 'method', 'auth', 'query', 'body', 'response', 'receipt'],
  file: ['dir'],
  webpush: ['vapid', 'ttl_seconds', 'receipt'],
  fcm: ['service_account', 'api_url', 'receipt'],
  apns: ['team_id', 'key_id', 'private_key', 'topic', 'environment', 'api_url', 'receipt'],
};
const EVERY_KEY = new Set(Object.values(SENDER_SETTINGS).flat());
/** A receipt key is a shared secret in a URL: long enough not to be guessed. */
const MIN_RECEIPT_KEY = 16;

function text(value: unknown, path: string): string {
  return within(path, () => toStr(value));
}

function nonEmpty(raw: Record<string, unknown>, key: string): string {
  const v = raw[key];
  if (v === undefined || v === null || v === '') throw new DecodeError('is required', [key]);
  return text(v, key);
}

/** A secret: a non-empty string, never quoted back. */
function secret(value: unknown, path: string[]): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new DecodeError('expected a non-empty string (a secret, not shown)', path);
  return value;
}

function httpUrl(value: unknown, path: string): string {
  const s = text(value, path);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new DecodeError('is not a URL', [path]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DecodeError('must use http or https', [path]);
  return s.replace(/\/+$/, '');
}

function stringMap(value: unknown, path: string, check: (v: string, key: string) => void): Record<string, string> {
  if (!isPlainObject(value)) throw new DecodeError(`expected an object, got ${describe(value)}`, [path]);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    const s = within(path, () => text(v, k));
    within(path, () => check(s, k));
    out[k] = s;
  }
  return out;
}

function checkRequestTemplate(source: string, key: string): void {
  const problem = templateProblem(source, 'request');
  if (problem) throw new DecodeError(problem, [key]);
}

function jsonTemplate(value: unknown, path: string[]): JsonTemplate {
  if (typeof value === 'string') {
    const problem = templateProblem(value, 'request');
    if (problem) throw new DecodeError(problem, path);
    return value;
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => jsonTemplate(v, [...path, `[${i}]`]));
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonTemplate(v, [...path, k])]));
  throw new DecodeError(`expected a JSON value, got ${describe(value)}`, path);
}

function pointer(value: unknown, path: string[]): string {
  const s = within(path.join('.'), () => toStr(value));
  const problem = pointerProblem(s);
  if (problem) throw new DecodeError(problem, path);
  return s;
}

function decodeRequest(raw: Record<string, unknown>): HttpRequestShape {
  const method = raw.method === undefined ? 'POST' : text(raw.method, 'method').toUpperCase();
  if (method !== 'POST' && method !== 'GET') throw new DecodeError('must be POST or GET', ['method']);
  const shape: HttpRequestShape = { method };
  if (raw.auth !== undefined) {
    const auth = raw.auth;
    if (!isPlainObject(auth) || !isPlainObject(auth.basic))
      throw new DecodeError('expected {"basic": {"user", "password"}}', ['auth']);
    shape.basicAuth = {
      user: within('auth', () => within('basic', () => nonEmpty(auth.basic as Record<string, unknown>, 'user'))),
      password: secret(auth.basic.password, ['auth', 'basic', 'password']),
    };
  }
  if (raw.query !== undefined) shape.query = stringMap(raw.query, 'query', checkRequestTemplate);
  if (raw.body !== undefined) {
    const body = raw.body;
    const kinds = isPlainObject(body) ? Object.keys(body) : [];
    if (!isPlainObject(body) || kinds.length !== 1 || !['json', 'form', 'none'].includes(kinds[0])) {
      throw new DecodeError('expected {"json": …}, {"form": {…}} or {"none": true}', ['body']);
    }
    if (kinds[0] === 'json') shape.body = { kind: 'json', value: jsonTemplate(body.json, ['body', 'json']) };
    else if (kinds[0] === 'form')
      shape.body = { kind: 'form', fields: within('body', () => stringMap(body.form, 'form', checkRequestTemplate)) };
    else shape.body = { kind: 'none' };
    if (method === 'GET' && shape.body.kind !== 'none') throw new DecodeError('a GET request has no body', ['body']);
  }
  if (raw.response !== undefined) {
    const r = raw.response;
    if (!isPlainObject(r)) throw new DecodeError(`expected an object, got ${describe(r)}`, ['response']);
    if (r.message_id !== undefined) shape.messageIdPointer = pointer(r.message_id, ['response', 'message_id']);
    if (r.success !== undefined) {
      const s = r.success;
      if (!isPlainObject(s)) throw new DecodeError(`expected an object, got ${describe(s)}`, ['response', 'success']);
      if (s.status !== undefined) {
        const list = Array.isArray(s.status) ? s.status : [s.status];
        shape.successStatus = list.map((v, i) =>
          within('response', () => within('success', () => within('status', () => within(i, () => toInt(v))))),
        );
      }
      if (s.pointer !== undefined) {
        if (s.equals === undefined)
          throw new DecodeError('a success pointer needs the value it must equal (equals)', [
            'response',
            'success',
            'equals',
          ]);
        shape.successPointer = { pointer: pointer(s.pointer, ['response', 'success', 'pointer']), equals: s.equals };
      }
    }
  }
  return shape;
}

const base64url = (s: string): Buffer | undefined =>
  /^[A-Za-z0-9_-]+={0,2}$/.test(s) ? Buffer.from(s, 'base64url') : undefined;

function decodeWebPush(raw: Record<string, unknown>): WebPushSettings {
  const v = raw.vapid;
  if (!isPlainObject(v))
    throw new DecodeError('a webpush sender needs vapid: {"subject", "public_key", "private_key"}', ['vapid']);
  const subject = within('vapid', () => nonEmpty(v, 'subject'));
  if (!/^(mailto:|https:\/\/)/.test(subject))
    throw new DecodeError('must be a mailto: or https: URL (how the push service reaches you)', ['vapid', 'subject']);
  const publicKey = within('vapid', () => nonEmpty(v, 'public_key'));
  const pub = base64url(publicKey);
  if (!pub || pub.length !== 65 || pub[0] !== 4)
    throw new DecodeError('must be an uncompressed P-256 public key in URL-safe base64 (65 bytes)', [
      'vapid',
      'public_key',
    ]);
  const given = secret(v.private_key, ['vapid', 'private_key']);
  let priv = base64url(given);
  // A key written without its leading zero bytes (as Node's ECDH getPrivateKey() gives one key in
  // 256) is the same number: padded to the 32 bytes the VAPID signer takes.
  if (priv && priv.length > 0 && priv.length < 32) priv = Buffer.concat([Buffer.alloc(32 - priv.length), priv]);
  if (!priv || priv.length !== 32)
    throw new DecodeError('must be a P-256 private key in URL-safe base64 (32 bytes; not shown)', [
      'vapid',
      'private_key',
    ]);
  const privateKey = priv.toString('base64url');
  let matches = false;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(priv);
    matches = ecdh.getPublicKey().equals(pub);
  } catch {
    matches = false;
  }
  if (!matches) throw new DecodeError('is not the private key of vapid.public_key', ['vapid', 'private_key']);
  const ttl = raw.ttl_seconds === undefined ? 2_419_200 : within('ttl_seconds', () => toInt(raw.ttl_seconds));
  if (ttl < 0) throw new DecodeError('must be at least 0', ['ttl_seconds']);
  return { subject, publicKey, privateKey, ttlSeconds: ttl };
}

function privateKeyOf(pem: string, path: string[], want: 'rsa' | 'p256'): string {
  let ok = false;
  try {
    const key = createPrivateKey(pem);
    ok =
      want === 'rsa'
        ? key.asymmetricKeyType === 'rsa'
        : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    ok = false;
  }
  if (!ok)
    throw new DecodeError(
      want === 'rsa'
        ? 'is not an RSA private key in PEM (not shown)'
        : 'is not a P-256 private key in PEM, as Apple issues in a .p8 file (not shown)',
      path,
    );
  return pem;
}

function decodeFcm(raw: Record<string, unknown>): FcmSettings {
  let account: unknown = raw.service_account;
  if (account === undefined)
    throw new DecodeError('an fcm sender needs service_account (the key file: {"file": "…json"})', ['service_account']);
  if (typeof account === 'string') {
    try {
      account = JSON.parse(account);
    } catch {
      account = undefined;
    }
  }
  if (!isPlainObject(account)) throw new DecodeError("is not a service account's JSON key file", ['service_account']);
  const a = account;
  const field = (key: string) => within('service_account', () => nonEmpty(a, key));
  return {
    projectId: field('project_id'),
    clientEmail: field('client_email'),
    privateKey: privateKeyOf(
      secret(a.private_key, ['service_account', 'private_key']),
      ['service_account', 'private_key'],
      'rsa',
    ),
    ...(typeof a.private_key_id === 'string' && a.private_key_id ? { privateKeyId: a.private_key_id } : {}),
    tokenUri:
      a.token_uri === undefined
        ? 'https://oauth2.googleapis.com/token'
        : within('service_account', () => httpUrl(a.token_uri, 'token_uri')),
    apiUrl: raw.api_url === undefined ? 'https://fcm.googleapis.com' : httpUrl(raw.api_url, 'api_url'),
  };
}

function decodeApns(raw: Record<string, unknown>): ApnsSettings {
  const environment = raw.environment === undefined ? 'production' : text(raw.environment, 'environment');
  if (environment !== 'production' && environment !== 'sandbox')
    throw new DecodeError('must be production or sandbox', ['environment']);
  return {
    teamId: nonEmpty(raw, 'team_id'),
    keyId: nonEmpty(raw, 'key_id'),
    privateKey: privateKeyOf(secret(raw.private_key, ['private_key']), ['private_key'], 'p256'),
    topic: nonEmpty(raw, 'topic'),
    environment,
    apiUrl:
      raw.api_url !== undefined
        ? httpUrl(raw.api_url, 'api_url')
        : environment === 'sandbox'
          ? 'https://api.sandbox.push.apple.com'
          : 'https://api.push.apple.com',
  };
}

const DNS_LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;
const isDnsName = (s: string): boolean => s.length <= 253 && s.split('.').every((label) => DNS_LABEL.test(label));

/** The DKIM key of an smtp sender: RSA of 1024 bits at least (receivers ignore shorter keys), or Ed25519. */
function decodeDkim(value: unknown, sender: string): DkimSettings {
  if (!isPlainObject(value)) throw new DecodeError('expected {"domain", "selector", "private_key"}', ['dkim']);
  const domain = within('dkim', () => nonEmpty(value, 'domain'))
    .toLowerCase()
    .replace(/\.$/, '');
  if (!isDnsName(domain) || !domain.includes('.')) throw new DecodeError('is not a domain name', ['dkim', 'domain']);
  const selector = within('dkim', () => nonEmpty(value, 'selector'));
  if (!isDnsName(selector))
    throw new DecodeError('is not a DNS label (the selector of <selector>._domainkey.<domain>)', ['dkim', 'selector']);
  const pem = secret(value.private_key, ['dkim', 'private_key']);
  // -1: another kind of key; 0: no private key at all; Ed25519 has no length to check.
  let bits = 0;
  try {
    const key = createPrivateKey(pem);
    const type = key.asymmetricKeyType;
    bits = type === 'rsa' ? (key.asymmetricKeyDetails?.modulusLength ?? 0) : type === 'ed25519' ? Infinity : -1;
  } catch {
    bits = 0;
  }
  const of = `of sender ${JSON.stringify(sender)}`;
  if (bits === -1)
    throw new DecodeError(`must be an RSA or Ed25519 key: the DKIM key ${of} is another kind (not shown)`, [
      'dkim',
      'private_key',
    ]);
  if (bits < 1024)
    throw new DecodeError(
      bits === 0
        ? `is not a private key in PEM: the DKIM key ${of} (not shown)`
        : `must be an RSA key of at least 1024 bits: the DKIM key ${of} is shorter (not shown)`,
      ['dkim', 'private_key'],
    );
  return { domain, selector, privateKey: pem };
}

function words(value: unknown, path: string[]): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => within(path.join('.'), () => within(i, () => toStr(v))));
}

function decodeReceipt(value: unknown): ReceiptDef {
  if (!isPlainObject(value)) throw new DecodeError(`expected an object, got ${describe(value)}`, ['receipt']);
  const key = secret(value.key, ['receipt', 'key']);
  if (key.length < MIN_RECEIPT_KEY)
    throw new DecodeError(`must be at least ${MIN_RECEIPT_KEY} characters (not shown)`, ['receipt', 'key']);
  if (value.id === undefined)
    throw new DecodeError('is required (where the message id is in a receipt)', ['receipt', 'id']);
  if (value.status === undefined)
    throw new DecodeError('is required (where the status is in a receipt)', ['receipt', 'status']);
  const receipt: ReceiptDef = {
    key,
    id: pointer(value.id, ['receipt', 'id']),
    status: pointer(value.status, ['receipt', 'status']),
    delivered: words(value.delivered, ['receipt', 'delivered']),
    undelivered: words(value.undelivered, ['receipt', 'undelivered']),
  };
  if (value.reason !== undefined) receipt.reason = pointer(value.reason, ['receipt', 'reason']);
  if (receipt.delivered.length + receipt.undelivered.length === 0)
    throw new DecodeError('needs the statuses that mean delivered or undelivered', ['receipt', 'delivered']);
  return receipt;
}

/** The type-specific settings of a sender object (name, type and the common keys are decode.ts's). */
export function decodeSenderSettings(type: SenderType, raw: Record<string, unknown>): SenderSettings {
  for (const key of Object.keys(raw)) {
    if (EVERY_KEY.has(key) && !SENDER_SETTINGS[type].includes(key))
      throw new DecodeError(`is not a setting of a ${type} sender`, [key]);
  }
  const out: SenderSettings = {};
  if (type === 'http') out.request = decodeRequest(raw);
  if (type === 'webpush') out.webpush = decodeWebPush(raw);
  if (type === 'fcm') out.fcm = decodeFcm(raw);
  if (type === 'apns') out.apns = decodeApns(raw);
  if (type === 'smtp' && raw.dkim !== undefined)
    out.dkim = decodeDkim(raw.dkim, typeof raw.name === 'string' ? raw.name : '');
  if (raw.receipt !== undefined) out.receipt = decodeReceipt(raw.receipt);
  return out;
}
