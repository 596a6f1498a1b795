// Match keys: the text under which storage indexes a typed value, and the keys that name a
// field value, a subscription address or a profile id. Storage and the import engine's working
// set answer the same keys, so a batch sees what an earlier item did exactly as storage would.
import type { Channel } from '../catalog/types.js';
import type { FieldSpec } from '../fields/field-specs.js';
import { emailKey } from '../values/formats.js';
import { indexKey } from '../values/index-key.js';

/** Text under which a typed value is indexed (and searched): long values by their key (values/index-key.ts). */
export function indexText(spec: FieldSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'email':
      // A valid email is short and holds no control character: it is its own key.
      return typeof value === 'string' ? emailKey(value) : undefined;
    case 'object':
    case 'arr_object':
      return undefined;
    default:
      if (typeof value === 'string') return indexKey(value);
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return undefined;
  }
}

/** The identity address of a push subscription: the key of provider (case-insensitive) and device token (long tokens by digest). */
export const pushAddress = (provider: string, subscriptionId: string): string =>
  indexKey(`${provider.toLowerCase()}|${subscriptionId}`);

// Match keys are stored by PostgreSQL (creation claims), whose text cannot hold U+0000: the parts
// are joined by U+001F (unit separator). The value comes last, so it may contain anything.
const SEP = '\u001f';
export const fieldKey = (field: string, value: string): string => `f${SEP}${field}${SEP}${value}`;
export const subscriptionKey = (channel: Channel, resourceId: number | '*', address: string): string =>
  `s${SEP}${channel}${SEP}${resourceId}${SEP}${address}`;
export const idKey = (id: string): string => `i${SEP}${id}`;
