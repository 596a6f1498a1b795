// Delivery receipts: a provider POSTs to <public URL>/receipts/<sender name> with the sender's
// receipt key (?key= or X-Herald-Receipt-Key), a JSON or form body. The key picks the sender among
// same-named senders of different accounts (provisioning keeps (name, key) unique). The message
// is found by the provider's id of it (or Herald's own id), moves from `sent` to `delivered` or
// `undelivered` once, with its hook event (`deliv`, `undeliv`). A wrong key answers 401, an
// unknown message 404, and neither writes anything.
import type { CatalogCache } from '../catalog/cache.js';
import type { Catalog, HookEvent, ReceiptDef, SenderDef } from '../catalog/types.js';
import { readPointer, scalarText } from '../values/json-pointer.js';
import { receiptKeyMatches } from '../catalog/receipt-key.js';
import type { AccountEvent, DeliveryStore, ReceiptMessage, RecordedOutcome } from './store-port.js';
import { anyHookWants } from '../catalog/hook-filters.js';
import type { Clock } from '../base/clock.js';

export interface ReceiptDeps {
  store: Pick<DeliveryStore, 'findReceiptMessage' | 'recordOutcomes'>;
  clock: Clock;
  catalogs: Pick<CatalogCache, 'all'>;
}

export interface ReceiptRequest {
  senderName: string;
  key: string | undefined;
  contentType: string | undefined;
  body: Uint8Array;
}

export interface ReceiptAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A receipt is a few hundred bytes: a larger body is refused before it is parsed. */
export const MAX_RECEIPT_BYTES = 64 * 1024;
const HERALD_ID = /^herald\.(\d{1,15})\.(\d{1,10})$/;

const answer = (status: number, body: Record<string, unknown>): ReceiptAnswer => ({ status, body });

/** A JSON body as it is, a form body as a flat object of its fields. */
function parseBody(contentType: string | undefined, body: Uint8Array): unknown {
  const text = Buffer.from(body).toString('utf8');
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded' || (type === '' && !/^\s*[[{]/.test(text)))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function findSender(
  catalogs: Catalog[],
  name: string,
  key: string | undefined,
): { sender: SenderDef & { receipt: ReceiptDef }; catalog: Catalog } | 'unknown' | 'forbidden' {
  const named = catalogs.flatMap((catalog) => {
    const sender = catalog.senders.get(name);
    return sender?.receipt ? [{ sender: sender as SenderDef & { receipt: ReceiptDef }, catalog }] : [];
  });
  if (named.length === 0) return 'unknown';
  if (key === undefined || key === '') return 'forbidden';
  // Every candidate is compared (in constant time each), so the answer's timing names none of them.
  const matching = named.filter((c) => receiptKeyMatches(key, c.sender.receipt.key));
  return matching[0] ?? 'forbidden';
}

export function subscriptionOf(m: ReceiptMessage): Record<string, unknown> {
  const view: Record<string, unknown> = { channel: m.channel, resource_id: m.resourceId };
  if (m.channel === 'email') view.email = m.address;
  else if (m.channel === 'sms') view.phone = m.address;
  else {
    const [provider, ...id] = (m.address ?? '').split('|');
    view.provider = provider;
    view.subscription_id = id.join('|');
  }
  return view;
}

/** The hook event `type` of a stored message, when some hook of the account wants it. */
export function messageHookEvent(
  catalog: Catalog,
  m: ReceiptMessage,
  type: HookEvent,
  data: Record<string, unknown>,
): AccountEvent | undefined {
  if (!anyHookWants(catalog.hooks, type, { dbId: m.dbId, resourceId: m.resourceId, triggerId: m.triggerId }))
    return undefined;
  return {
    accountId: catalog.accountId,
    type,
    dbId: m.dbId,
    resourceId: m.resourceId,
    triggerId: m.triggerId,
    profileId: m.profileId,
    payload: {
      list_id: m.dbId,
      profile_id: m.profileId,
      campaign_id: m.triggerId,
      message_id: String(m.id),
      subscription: subscriptionOf(m),
      custom_data: m.customData ?? {},
      event_data: data,
    },
  };
}

export async function recordReceipt(deps: ReceiptDeps, req: ReceiptRequest): Promise<ReceiptAnswer> {
  const found = findSender(await deps.catalogs.all(), req.senderName, req.key);
  if (found === 'unknown')
    return answer(404, { error: `no sender named ${JSON.stringify(req.senderName)} takes receipts` });
  if (found === 'forbidden')
    return answer(401, { error: "a receipt needs the sender's receipt key (?key= or X-Herald-Receipt-Key)" });
  if (req.body.length > MAX_RECEIPT_BYTES)
    return answer(413, { error: `a receipt is at most ${MAX_RECEIPT_BYTES} bytes` });
  const { sender, catalog } = found;
  const r = sender.receipt;
  const doc = parseBody(req.contentType, req.body);
  if (doc === undefined) return answer(400, { error: 'the receipt is neither JSON nor a form' });
  const providerId = scalarText(readPointer(doc, r.id));
  const providerStatus = scalarText(readPointer(doc, r.status));
  if (!providerId) return answer(400, { error: `the receipt has no message id at ${r.id}` });
  if (providerStatus === undefined) return answer(400, { error: `the receipt has no status at ${r.status}` });

  const own = HERALD_ID.exec(providerId);
  const message =
    (await deps.store.findReceiptMessage(catalog.accountId, sender.id, { providerId })) ??
    (own && Number(own[2]) === catalog.accountId
      ? await deps.store.findReceiptMessage(catalog.accountId, sender.id, { id: Number(own[1]) })
      : undefined);
  if (!message || !['sent', 'delivered', 'undelivered'].includes(message.status))
    return answer(404, { error: `no message sent by ${sender.name} has the id ${JSON.stringify(providerId)}` });

  const kind = r.delivered.includes(providerStatus)
    ? 'delivered'
    : r.undelivered.includes(providerStatus)
      ? 'undelivered'
      : undefined;
  // A status on the way (queued, sent to the carrier …) is acknowledged and changes nothing.
  if (!kind) return answer(200, { status: 'ignored', message_id: String(message.id) });
  const reasonValue = r.reason === undefined ? undefined : scalarText(readPointer(doc, r.reason));
  const reason = reasonValue ? reasonValue.slice(0, 300) : null;
  const type: HookEvent = kind === 'delivered' ? 'deliv' : 'undeliv';
  const event = messageHookEvent(catalog, message, type, {
    provider_id: providerId,
    status: providerStatus,
    ...(reason ? { reason } : {}),
  });
  const outcome: RecordedOutcome = {
    kind,
    id: message.id,
    providerStatus: providerStatus.slice(0, 100),
    reason,
    ...(event ? { event } : {}),
  };
  const applied = await deps.store.recordOutcomes([outcome], deps.clock.now());
  return answer(200, { status: applied.includes(message.id) ? kind : 'unchanged', message_id: String(message.id) });
}
