// A profile as the import engine holds it in memory, and what is derived from it: the indexed
// value rows of spec 03 (email, phones, every custom field and tag) and the match keys that
// say which matching queries the profile answers.
import type { Channel, DatabaseDef } from '../catalog/types.js';
import type { FieldSpec } from './field-specs.js';
import { fieldSpecs } from './field-specs.js';
import { emailKey } from './formats.js';
import { indexKey } from './index-key.js';

export interface SubscriptionState {
  resourceId: number;
  channel: Channel;
  address: string;
  email?: string;
  phone?: string;
  provider?: string;
  subscriptionId?: string;
  status: number;
  priority: number;
  customFields?: Record<string, unknown>;
  cats?: string[];
  createdAt: number;
  updatedAt: number;
  stored: boolean;
  dirty: boolean;
}

export interface ProfileState {
  /** Storage row number; undefined until a new profile is written. */
  seq: number | undefined;
  /** Creation order: the storage row number, or above every stored one for new profiles. */
  order: number;
  id: string;
  accountId: number;
  dbId: number;
  createdAt: number;
  updatedAt: number;
  fields: Record<string, unknown>;
  subscriptions: SubscriptionState[];
  stored: boolean;
  dirty: boolean;
  /** The value rows as stored, to write only what changed. */
  storedRows: ValueRow[];
  /** The value rows of the current fields (kept by the working set when it indexes the profile). */
  rows?: ValueRow[];
}

export interface ValueRow {
  field: string;
  value: string;
  num: number | null;
}

/** Text under which a typed value is indexed (and searched): long values by their key (index-key.ts). */
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

function indexNumber(spec: FieldSpec, value: unknown): number | null {
  if (typeof value === 'number') return value;
  if ((spec.kind === 'date' || spec.kind === 'datetime') && typeof value === 'string') return Date.parse(value);
  return null;
}

/** The system fields the value table holds (with every custom field); the others live in the document only. */
export const INDEXED_SYSTEM: ReadonlySet<string> = new Set(['email', 'phones']);

/** The rows of the value table for a profile's fields. */
export function valueRows(fields: Record<string, unknown>, db: DatabaseDef): ValueRow[] {
  const specs = fieldSpecs(db);
  const rows: ValueRow[] = [];
  for (const field in fields) {
    const spec = specs.get(field);
    if (!spec || (!spec.custom && !INDEXED_SYSTEM.has(field))) continue;
    const value = fields[field];
    if (Array.isArray(value)) {
      if (spec.kind === 'arr_object') continue;
      for (const el of value) {
        const text = indexText(spec, el);
        if (text !== undefined) rows.push({ field, value: text, num: null });
      }
      continue;
    }
    const text = indexText(spec, value);
    if (text !== undefined) rows.push({ field, value: text, num: indexNumber(spec, value) });
  }
  return rows;
}

// Match keys are stored by PostgreSQL (creation claims), whose text cannot hold U+0000: the parts
// are joined by U+001F (unit separator). The value comes last, so it may contain anything.
const SEP = '\u001f';
export const fieldKey = (field: string, value: string): string => `f${SEP}${field}${SEP}${value}`;
export const subscriptionKey = (channel: Channel, resourceId: number | '*', address: string): string =>
  `s${SEP}${channel}${SEP}${resourceId}${SEP}${address}`;
export const idKey = (id: string): string => `i${SEP}${id}`;

/** Which kinds of keys a batch queries: only those are worth indexing in memory. */
export interface KeyKinds {
  ids: boolean;
  fields: ReadonlySet<string>;
  channels: ReadonlySet<Channel>;
}

/** The match keys of the kinds in `kinds` that a profile answers in its current state. */
export function matchKeys(profile: ProfileState, rows: ValueRow[], kinds: KeyKinds): string[] {
  const keys: string[] = [];
  if (kinds.ids) keys.push(idKey(profile.id));
  if (kinds.fields.size > 0) for (const row of rows) if (kinds.fields.has(row.field)) keys.push(fieldKey(row.field, row.value));
  if (kinds.channels.size > 0) {
    for (const sub of profile.subscriptions) {
      if (!kinds.channels.has(sub.channel)) continue;
      keys.push(subscriptionKey(sub.channel, sub.resourceId, sub.address), subscriptionKey(sub.channel, '*', sub.address));
    }
  }
  return keys;
}
