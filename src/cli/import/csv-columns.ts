// How a CSV header maps to the items of an import batch (README, `herald import`): a column is a
// profile field, `custom_data`, or a part of a subscription (`sub.<channel>.<resource_id>[.<key>]`);
// a `:json` suffix reads the cell as JSON. Empty cells are left out. Pure: no I/O.
import { ConfigError } from '../../config.js';
import { RowError } from './errors.js';

type Channel = 'email' | 'sms' | 'push';
const CHANNELS: readonly Channel[] = ['email', 'sms', 'push'];
/** The key that holds a subscription's address, per channel (push also needs `provider`). */
const ADDRESS_KEY: Record<Channel, string> = { email: 'email', sms: 'phone', push: 'subscription_id' };
const SUB_KEYS = new Set([
  'status',
  'priority',
  'provider',
  'cats',
  'custom_fields',
  'email',
  'phone',
  'subscription_id',
]);
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype', '']);

export type Column =
  | { kind: 'field'; name: string; json: boolean }
  | { kind: 'custom_data' }
  | { kind: 'sub'; group: number; key: string; json: boolean };

export interface SubscriptionGroup {
  channel: Channel;
  resourceId: number;
}

export interface ColumnPlan {
  header: string[];
  columns: Column[];
  groups: SubscriptionGroup[];
}

/** Reads the header row; a header that cannot be imported is a ConfigError (nothing is sent). */
export function planColumns(rawHeader: string[]): ColumnPlan {
  const header = rawHeader.map((h) => h.trim());
  const seen = new Set<string>();
  const groups: SubscriptionGroup[] = [];
  const columns = header.map((name, i): Column => {
    if (seen.has(name)) throw new ConfigError(`CSV header: column ${JSON.stringify(name)} is given twice`);
    seen.add(name);
    const json = name.endsWith(':json');
    const base = json ? name.slice(0, -':json'.length) : name;
    if (FORBIDDEN.has(base))
      throw new ConfigError(
        `CSV header: column ${i + 1} ${base === '' ? 'has no name' : `may not be named ${JSON.stringify(base)}`}`,
      );
    if (base === 'custom_data') return { kind: 'custom_data' };
    if (!base.startsWith('sub.')) return { kind: 'field', name: base, json };
    const m = /^sub\.([a-z]+)\.(\d+)(?:\.([a-z_]+))?$/.exec(base);
    const channel = m?.[1] as Channel | undefined;
    if (!m || !channel || !CHANNELS.includes(channel) || Number(m[2]) < 1) {
      throw new ConfigError(
        `CSV header: ${JSON.stringify(name)}: a subscription column is sub.<email|sms|push>.<resource_id>[.<key>]`,
      );
    }
    const key = m[3] ?? ADDRESS_KEY[channel];
    if (
      !SUB_KEYS.has(key) ||
      (['email', 'phone', 'subscription_id'].includes(key) && key !== ADDRESS_KEY[channel]) ||
      (key === 'provider' && channel !== 'push')
    ) {
      throw new ConfigError(
        `CSV header: ${JSON.stringify(name)}: ${JSON.stringify(key)} is not a key of a ${channel} subscription`,
      );
    }
    const resourceId = Number(m[2]);
    let group = groups.findIndex((g) => g.channel === channel && g.resourceId === resourceId);
    if (group < 0) group = groups.push({ channel, resourceId }) - 1;
    return { kind: 'sub', group, key, json };
  });
  for (const [i, g] of groups.entries()) {
    if (!columns.some((c) => c.kind === 'sub' && c.group === i && c.key === ADDRESS_KEY[g.channel])) {
      throw new ConfigError(
        `CSV header: the ${g.channel} subscription of resource ${g.resourceId} has no address column sub.${g.channel}.${g.resourceId}`,
      );
    }
  }
  return { header, columns, groups };
}

/** The profile field names the header writes (checked against the database before importing). */
export function fieldColumns(plan: ColumnPlan): string[] {
  return plan.columns.flatMap((c) => (c.kind === 'field' ? [c.name] : []));
}

function cellValue(cell: string, json: boolean, column: string): unknown {
  if (!json) return cell;
  try {
    return JSON.parse(cell);
  } catch {
    throw new RowError(`column ${JSON.stringify(column)}: the cell is not JSON`);
  }
}

/** One CSV record as an import item `{data: {...}, custom_data?}`; RowError when it cannot be one. */
export function rowItem(plan: ColumnPlan, cells: string[]): Record<string, unknown> {
  if (cells.length !== plan.columns.length)
    throw new RowError(`expected ${plan.columns.length} cells, got ${cells.length}`);
  const data: Record<string, unknown> = {};
  const item: Record<string, unknown> = { data };
  const subs: Record<string, unknown>[] = plan.groups.map((g) => ({ channel: g.channel, resource_id: g.resourceId }));
  const present = plan.groups.map(() => false);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === '') continue;
    const column = plan.columns[i];
    switch (column.kind) {
      case 'field':
        data[column.name] = cellValue(cell, column.json, plan.header[i]);
        break;
      case 'custom_data': {
        const value = cellValue(cell, true, plan.header[i]);
        if (!value || typeof value !== 'object' || Array.isArray(value))
          throw new RowError('column "custom_data": expected a JSON object');
        item.custom_data = value;
        break;
      }
      case 'sub': {
        const group = plan.groups[column.group];
        subs[column.group][column.key] = cellValue(cell, column.json, plan.header[i]);
        if (column.key === ADDRESS_KEY[group.channel]) present[column.group] = true;
        break;
      }
    }
  }
  const subscriptions = subs.filter((_, i) => present[i]);
  if (subscriptions.length > 0) data.subscriptions = subscriptions;
  return item;
}
