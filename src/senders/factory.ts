// The sender for a configured sender object, by its type.
import type { SenderDef } from '../core/catalog/types.js';
import type { Sender } from '../core/delivery/outgoing.js';
import { fileSender } from './file.js';
import { httpSender } from './http.js';
import { smtpSender } from './smtp.js';

export function createSender(def: SenderDef): Sender {
  switch (def.type) {
    case 'smtp':
      return smtpSender(def);
    case 'http':
      return httpSender(def);
    case 'file':
      return fileSender(def);
  }
}
