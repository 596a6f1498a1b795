// Herald extensions for the console: account/get (the calling account: its id and name) and
// senders/list (the account's senders with their settings, every secret masked — a sender is
// configured in the provisioning file, never through the API).
import { defineMethod } from '../api/define.js';
import type { Call } from '../api/method.js';
import type { SenderDef } from '../catalog/types.js';
import { arrayJson, intJson, nullable, obj, one, strJson, titled } from '../values/json-schema.js';
import { object } from '../values/schema.js';

/** What a masked secret shows. */
export const MASK = '••••••';

const SECRET_NAME = /key|token|secret|pass|auth|sig|cred/i;

/** A URL with its password, and the values of query parameters that look secret, masked. */
export function maskUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return MASK;
  }
  if (url.password) url.password = 'x';
  for (const name of [...url.searchParams.keys()]) if (SECRET_NAME.test(name)) url.searchParams.set(name, 'x');
  // URL escapes what it is given: the mask is put in as text afterwards.
  return url.href.replace(/:x@/, `:${MASK}@`).replace(/=x(?=&|$|#)/g, `=${MASK}`);
}

/** A sender's settings as the console shows them: names and plain values, secrets masked. */
export function senderSettings(s: SenderDef): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.url) out.url = maskUrl(s.url);
  if (s.dir) out.dir = s.dir;
  if (s.ratePerSecond !== undefined) out.rate_per_second = String(s.ratePerSecond);
  for (const name of Object.keys(s.headers ?? {})) out[`headers.${name}`] = MASK;
  if (s.request) {
    out['request.method'] = s.request.method;
    if (s.request.basicAuth) out['request.basic_auth'] = `${s.request.basicAuth.user}:${MASK}`;
    for (const name of Object.keys(s.request.query ?? {}))
      out[`request.query.${name}`] = SECRET_NAME.test(name) ? MASK : (s.request.query?.[name] ?? '');
  }
  if (s.receipt) out['receipt.key'] = MASK;
  if (s.webpush)
    Object.assign(out, {
      'webpush.subject': s.webpush.subject,
      'webpush.public_key': s.webpush.publicKey,
      'webpush.private_key': MASK,
    });
  if (s.fcm)
    Object.assign(out, {
      'fcm.project_id': s.fcm.projectId,
      'fcm.client_email': s.fcm.clientEmail,
      'fcm.private_key': MASK,
    });
  if (s.apns)
    Object.assign(out, {
      'apns.team_id': s.apns.teamId,
      'apns.key_id': s.apns.keyId,
      'apns.topic': s.apns.topic,
      'apns.environment': s.apns.environment,
      'apns.private_key': MASK,
    });
  return out;
}

const senderJson = titled(
  'Sender',
  obj({
    name: strJson,
    type: strJson,
    settings: {
      type: 'object',
      additionalProperties: strJson,
      description: 'the settings by name (headers.X, request.method …), every secret masked',
    },
  }),
);
const accountJson = titled('Account', obj({ id: intJson, name: nullable(strJson) }));

export async function getAccount(call: Call) {
  return { data: { id: call.catalog.accountId, name: call.catalog.accountName ?? null } };
}

export async function listSenders(call: Call) {
  const senders = [...call.catalog.senders.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { data: senders.map((s) => ({ name: s.name, type: s.type, settings: senderSettings(s) })) };
}

const none = object({});

export const accountMethods = [
  defineMethod({
    name: 'account/get',
    summary: 'The calling account: its id and name (Herald extension)',
    write: false,
    params: none,
    payload: one(accountJson),
    handle: getAccount,
  }),
  defineMethod({
    name: 'senders/list',
    summary: "The account's senders, by name, with their settings and every secret masked (Herald extension)",
    write: false,
    params: none,
    payload: obj({ data: arrayJson(senderJson) }),
    handle: listSenders,
  }),
];
