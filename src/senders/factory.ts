// The sender for a configured sender object, by its type, all outgoing connections through one
// outbound guard.
import type { SenderDef } from '../core/catalog/types.js';
import type { Sender, SenderFactory } from '../core/delivery/outgoing.js';
import { apnsSender } from './apns.js';
import { fcmSender } from './fcm.js';
import { fileSender } from './file.js';
import { httpSender } from './http.js';
import { DEFAULT_DENY, OutboundGuard, parseDenyList } from './outbound.js';
import { smtpSender } from './smtp.js';
import { webPushSender } from './webpush.js';
import { DEFAULT_WEBPUSH_HOSTS, WebPushHosts } from './webpush-hosts.js';

export interface SenderOptions {
  /** HERALD_WEBPUSH_HOSTS: where Web Push endpoints may point. */
  webPushHosts?: string;
}

export function senderFactory(guard: OutboundGuard, opts: SenderOptions = {}): SenderFactory {
  const hosts = new WebPushHosts(opts.webPushHosts ?? DEFAULT_WEBPUSH_HOSTS);
  return (def: SenderDef): Sender => {
    switch (def.type) {
      case 'smtp':
        return smtpSender(def, guard);
      case 'http':
        return httpSender(def, guard);
      case 'file':
        return fileSender(def);
      case 'webpush':
        return webPushSender(def, guard, hosts);
      case 'fcm':
        return fcmSender(def, guard);
      case 'apns':
        return apnsSender(def, guard);
    }
  };
}

let fallback: OutboundGuard | undefined;
/** The default guard (link-local denied, 15 s timeouts), for tests and tools. */
export function defaultGuard(): OutboundGuard {
  return (fallback ??= new OutboundGuard({ deny: parseDenyList(DEFAULT_DENY), timeoutMs: 15_000 }));
}

export const createSender: SenderFactory = (def) => senderFactory(defaultGuard())(def);
