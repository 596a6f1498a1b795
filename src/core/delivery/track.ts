// The open pixel and the click redirect (spec 07): a token that does not verify answers 404 and
// records nothing; a valid one records the open or click (its event row, the report counters,
// the hook events) and answers the GIF or a 302 to the URL sealed in the token — never another.
import type { CatalogCache } from '../catalog/cache.js';
import type { HookEvent } from '../catalog/types.js';
import type { Clock } from '../base/clock.js';
import { messageHookEvent } from './receipts.js';
import type { AccountEvent, DeliveryStore, TrackingWrite } from './store-port.js';
import { verifyClickToken, verifyOpenToken, type TrackingTarget } from './tracking-token.js';

export interface TrackDeps {
  store: Pick<DeliveryStore, 'recordTracking' | 'findMessage'> & { accountVersions(): Promise<Map<number, number>> };
  clock: Clock;
  catalogs: CatalogCache;
  secret: string;
}

export interface TrackRequest {
  kind: 'open' | 'click';
  token: string;
  ip: string | null;
  userAgent: string | null;
}

export type TrackAnswer = { status: 404 } | { status: 200; gif: Buffer } | { status: 302; location: string };

/** A transparent 1×1 GIF. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const clip = (v: string | null, n: number): string | null => (v === null ? null : v.slice(0, n));

/** The hook events of this open or click that some hook wants (none when the message is gone). */
async function eventsFor(
  deps: TrackDeps,
  t: TrackingTarget,
  types: HookEvent[],
  data: Record<string, unknown>,
): Promise<TrackingWrite['events']> {
  const version = (await deps.store.accountVersions()).get(t.accountId);
  if (version === undefined) return {};
  const catalog = await deps.catalogs.get(t.accountId, version);
  // No hook at all: no need to look the message up.
  if (catalog.hooks.length === 0) return {};
  const m = await deps.store.findMessage(t.accountId, t.messageId);
  if (!m) return {};
  const out: TrackingWrite['events'] = {};
  for (const type of types) {
    const event = messageHookEvent(catalog, m, type, data);
    if (event) (out as Record<string, AccountEvent>)[type] = event;
  }
  return out;
}

export async function track(deps: TrackDeps, req: TrackRequest): Promise<TrackAnswer> {
  const ip = clip(req.ip, 64);
  const userAgent = clip(req.userAgent, 512);
  const base = { ip, user_agent: userAgent };
  if (req.kind === 'open') {
    const t = verifyOpenToken(deps.secret, req.token);
    if (!t) return { status: 404 };
    const events = await eventsFor(deps, t, ['uopen', 'open'], base);
    await deps.store.recordTracking({ kind: 'open', ...t, ip, userAgent, events }, deps.clock.now());
    return { status: 200, gif: PIXEL_GIF };
  }
  const t = verifyClickToken(deps.secret, req.token);
  if (!t) return { status: 404 };
  // A click is an open too when none was recorded: its events are ready in case.
  const events = await eventsFor(deps, t, ['uopen', 'open', 'uclick', 'click'], { ...base, url: t.url, link: t.link });
  await deps.store.recordTracking(
    {
      kind: 'click',
      accountId: t.accountId,
      triggerId: t.triggerId,
      messageId: t.messageId,
      link: t.link,
      url: t.url,
      ip,
      userAgent,
      events,
    },
    deps.clock.now(),
  );
  return { status: 302, location: t.url };
}
