// The open pixel and the click redirect (spec 07): a token that does not verify answers 404 and
// records nothing; a valid one records the open or click (its event row, the report counters,
// the hook events) and answers the GIF or a 302 to the URL sealed in the token — never another.
import type { CatalogCache } from '../catalog/cache.js';
import type { HookEvent } from '../catalog/types.js';
import type { Clock } from '../base/clock.js';
import { messageHookEvent } from './receipts.js';
import type { AccountEvent, DeliveryStore, TrackingWrite } from './store-port.js';
import { LinkBook } from './tracked-links.js';
import {
  REDIRECTABLE,
  verifyClickToken,
  verifyOpenToken,
  type ClickTarget,
  type StoredLinkTarget,
  type TrackingTarget,
} from './tracking-token.js';

export interface TrackDeps {
  store: Pick<DeliveryStore, 'recordTracking' | 'findMessage' | 'findTrackedLink'> & {
    accountVersions(): Promise<Map<number, number>>;
  };
  clock: Clock;
  catalogs: CatalogCache;
  secret: string;
  /** The stored links this process knows (shared with its delivery workers). */
  links?: LinkBook;
}

/** The click a token names, its stored link looked up (the process's book first); undefined when there is none. */
async function clickOf(deps: TrackDeps, token: string): Promise<ClickTarget | undefined> {
  const t = verifyClickToken(deps.secret, token);
  if (!t || !('linkId' in t)) return t;
  const link =
    deps.links?.known(t.accountId, t.triggerId, t.linkId) ??
    (await deps.store.findTrackedLink(t.accountId, t.triggerId, t.linkId));
  if (!link || !REDIRECTABLE.test(link.url)) return undefined;
  deps.links?.remember(t.accountId, t.triggerId, t.linkId, link);
  return withLink(t, link);
}

const withLink = (t: StoredLinkTarget, link: { position: number; url: string }): ClickTarget => ({
  accountId: t.accountId,
  triggerId: t.triggerId,
  messageId: t.messageId,
  link: link.position,
  url: link.url,
});

/**
 * Where a click goes when the storage cannot be reached: the URL of its token, or of its stored
 * link when this process knows it; undefined otherwise (the visitor is asked to try again).
 */
export function clickFallback(deps: Pick<TrackDeps, 'secret' | 'links'>, token: string): string | undefined {
  const t = verifyClickToken(deps.secret, token);
  if (!t) return undefined;
  if (!('linkId' in t)) return t.url;
  return deps.links?.known(t.accountId, t.triggerId, t.linkId)?.url;
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
  const t = await clickOf(deps, req.token);
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
