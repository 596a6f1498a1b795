// The unsubscribe link (spec 04): GET shows a confirmation page, POST (also the one-click
// List-Unsubscribe-Post) sets the subscription `unsubscribed` and emits the `unsub` event.
import type { CatalogCache } from '../catalog/cache.js';
import { anyHookWants } from '../catalog/hook-filters.js';
import { escapeHtml } from '../templates/render.js';
import type { DeliveryStore } from './store-port.js';
import { verifyUnsubscribeToken } from './unsubscribe-token.js';
import type { Clock } from '../base/clock.js';

export interface UnsubscribeDeps {
  store: DeliveryStore & { accountVersions(): Promise<Map<number, number>> };
  clock: Clock;
  catalogs: CatalogCache;
  secret: string;
}

export interface Page {
  status: number;
  html: string;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export async function unsubscribe(deps: UnsubscribeDeps, token: string, apply: boolean): Promise<Page> {
  const target = verifyUnsubscribeToken(deps.secret, token);
  if (!target) return { status: 404, html: page('Link not valid', '<p>This unsubscribe link is not valid.</p>') };
  const shown = target.channel === 'push' ? 'this device' : escapeHtml(target.address);
  if (!apply) {
    return {
      status: 200,
      html: page(
        'Unsubscribe',
        `<p>Stop receiving these messages at <strong>${shown}</strong>?</p><form method="post"><button type="submit">Unsubscribe</button></form>`,
      ),
    };
  }
  const versions = await deps.store.accountVersions();
  const version = versions.get(target.accountId);
  const catalog = version === undefined ? undefined : await deps.catalogs.get(target.accountId, version);
  const scope = { dbId: target.dbId, resourceId: target.resourceId };
  const subscription: Record<string, unknown> = { channel: target.channel, resource_id: target.resourceId };
  if (target.channel === 'email') subscription.email = target.address;
  else if (target.channel === 'sms') subscription.phone = target.address;
  else {
    const [provider, id] = target.address.split('|');
    subscription.provider = provider;
    subscription.subscription_id = id;
  }
  const event = {
    accountId: target.accountId,
    type: 'unsub',
    dbId: target.dbId,
    resourceId: target.resourceId,
    triggerId: null,
    profileId: target.profileId,
    payload: {
      list_id: target.dbId,
      profile_id: target.profileId,
      message_id: String(target.messageId),
      subscription,
      custom_data: {},
      event_data: {},
    },
  };
  const wanted = catalog !== undefined && anyHookWants(catalog.hooks, 'unsub', scope);
  // The trigger of the message the link came in counts the unsubscription (reports), while the message is kept.
  const message = target.messageId > 0 ? await deps.store.findMessage(target.accountId, target.messageId) : undefined;
  await deps.store.unsubscribe(
    { profileId: target.profileId, resourceId: target.resourceId, channel: target.channel, address: target.address },
    wanted ? event : undefined,
    deps.clock.now(),
    message ? { accountId: target.accountId, triggerId: message.triggerId } : undefined,
  );
  return { status: 200, html: page('Unsubscribed', `<p>${shown} will receive no more of these messages.</p>`) };
}
