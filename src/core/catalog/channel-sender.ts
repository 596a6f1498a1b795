// Which sender serves a subscription: its resource channel's sender, or for push the sender
// the channel names for the subscription's provider (browsers, Android and iOS devices of one
// profile are reached by different push services).
import type { Catalog, Channel, ResourceDef, SenderDef } from './types.js';

export function channelSenderName(
  resource: ResourceDef | undefined,
  channel: Channel,
  provider?: string,
): string | undefined {
  const settings = resource?.channels[channel];
  if (!settings) return undefined;
  if (channel === 'push' && provider !== undefined && settings.providers)
    return settings.providers[provider.toLowerCase()] ?? settings.sender;
  return settings.sender;
}

export function findChannelSender(
  catalog: Catalog,
  resourceId: number,
  channel: Channel,
  provider?: string,
): SenderDef | undefined {
  const name = channelSenderName(catalog.resources.get(resourceId), channel, provider);
  return name === undefined ? undefined : catalog.senders.get(name);
}
