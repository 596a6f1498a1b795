// The sender for a configured sender object, by its type, all outgoing connections through one
// outbound guard.
import type { SenderDef } from '../core/catalog/types.js';
import type { Sender, SenderFactory } from '../core/delivery/outgoing.js';
import { fileSender } from './file.js';
import { httpSender } from './http.js';
import { DEFAULT_DENY, OutboundGuard, parseDenyList } from './outbound.js';
import { smtpSender } from './smtp.js';

export function senderFactory(guard: OutboundGuard): SenderFactory {
  return (def: SenderDef): Sender => {
    switch (def.type) {
      case 'smtp':
        return smtpSender(def, guard);
      case 'http':
        return httpSender(def, guard);
      case 'file':
        return fileSender(def);
    }
  };
}

let fallback: OutboundGuard | undefined;
/** The default guard (link-local denied, 15 s timeouts), for tests and tools. */
export function defaultGuard(): OutboundGuard {
  return (fallback ??= new OutboundGuard({ deny: parseDenyList(DEFAULT_DENY), timeoutMs: 15_000 }));
}

export const createSender: SenderFactory = (def) => senderFactory(defaultGuard())(def);
