// A profile as the import engine holds it in memory, and what is derived from it: the indexed
// value rows of spec 03 (email, phones, every custom field and tag) and the match keys that
// say which matching queries the profile answers.
import type { Channel, DatabaseDef } from '../catalog/types.js';
import type { FieldSpec } from '../fields/field-specs.js';
import { fieldSpecs } from '../fields/field-specs.js';
import { fieldKey, idKey, indexText, subscriptionKey } from '../matching/keys.js';
import type { StoredProfile, SubscriptionData } from './store-port.js';

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
  if (kinds.fields.size > 0)
    for (const row of rows) if (kinds.fields.has(row.field)) keys.push(fieldKey(row.field, row.value));
  if (kinds.channels.size > 0) {
    for (const sub of profile.subscriptions) {
      if (!kinds.channels.has(sub.channel)) continue;
      keys.push(
        subscriptionKey(sub.channel, sub.resourceId, sub.address),
        subscriptionKey(sub.channel, '*', sub.address),
      );
    }
  }
  return keys;
}

/** A stored profile as the import engine holds it (clean, its value rows not computed yet). */
export function fromStored(p: StoredProfile): ProfileState {
  return {
    seq: p.seq,
    order: p.seq,
    id: p.id,
    accountId: p.accountId,
    dbId: p.dbId,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    fields: p.fields,
    subscriptions: p.subscriptions.map((s) => {
      // Built property by property: spreading into a literal takes V8's slow path (hot: every stored subscription).
      const sub: SubscriptionState = {
        resourceId: s.resourceId,
        channel: s.channel,
        address: s.address,
        status: s.status,
        priority: s.priority,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
        stored: true,
        dirty: false,
      };
      return copySubscriptionData(sub, s.data);
    }),
    stored: true,
    dirty: false,
    storedRows: [],
  };
}

/** Copies the optional data of a subscription that is present (absent stays absent); returns `to`. */
export function copySubscriptionData<T extends SubscriptionData>(to: T, from: SubscriptionData): T {
  if (from.email !== undefined) to.email = from.email;
  if (from.phone !== undefined) to.phone = from.phone;
  if (from.provider !== undefined) to.provider = from.provider;
  if (from.subscriptionId !== undefined) to.subscriptionId = from.subscriptionId;
  if (from.customFields !== undefined) to.customFields = from.customFields;
  if (from.cats !== undefined) to.cats = from.cats;
  return to;
}
