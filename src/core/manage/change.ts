// The common path of every management change (spec 05): check against the account's catalog and
// write through the store's version compare-and-swap, in the request's transaction. Also the rules
// that keep dependents valid and the refusals that name an object's users.
import type { WriteCall } from '../api/method.js';
import { ApiError, DecodeError, invalid, CatalogChanged } from '../base/errors.js';
import type { CatalogTx, CatalogVersion, CatalogWriteResult } from '../catalog/store-port.js';
import { IN_USE_CAP } from '../catalog/store-port.js';
import type { Catalog, TriggerDef } from '../catalog/types.js';
import { triggerProblems, type Problem } from '../catalog/validate.js';
import { int, required } from '../values/schema.js';

export type Written = Exclude<CatalogWriteResult, { status: 'stale' }>;

/** The `id` naming the object a management method reads or changes, with its other accepted names. */
export const idField = (aliases: string[]) => ({ id: required(int({ min: 1 }), { aliases }) });

/**
 * Runs `attempt` (checks, then one write in the request's transaction) on the request's catalog.
 * The dispatcher holds the account's configuration for a change, so the catalog is current; a
 * write the store still finds stale is checked again by the dispatcher on a fresh catalog.
 */
export async function commitChange(
  call: WriteCall<CatalogTx>,
  attempt: (catalog: Catalog, at: CatalogVersion) => Promise<CatalogWriteResult>,
): Promise<Written> {
  const { catalog } = call;
  const result = await attempt(catalog, { accountId: catalog.accountId, version: catalog.version });
  if (result.status === 'stale') throw new CatalogChanged();
  return result;
}

/** Runs a decoder-style check; its DecodeError becomes a 400 naming the field. */
export function validated<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DecodeError) throw err.toApiError();
    throw err;
  }
}

/** The first problem as the request's error (spec 05: the management methods answer with the first). */
export function throwFirst(problems: Problem[]): void {
  if (problems.length > 0) throw new ApiError(problems[0].code, problems[0].text);
}

export function describeTrigger(t: TriggerDef): string {
  return `trigger ${t.id} (${t.name})`;
}

/**
 * Problems a change would cause to the account's other triggers: each trigger is checked on the
 * catalog after the change, and only problems it did not already have count (so an object can be
 * edited even if a trigger was already broken for another reason).
 */
export function dependentProblems(before: Catalog, after: Catalog, skipTriggerId?: number): Problem[] {
  const out: Problem[] = [];
  for (const trigger of after.triggers.values()) {
    if (trigger.id === skipTriggerId) continue;
    const was = new Set(triggerProblems(before.triggers.get(trigger.id) ?? trigger, before).map((p) => p.text));
    for (const p of triggerProblems(trigger, after)) {
      if (!was.has(p.text))
        out.push({ code: 400, text: `${describeTrigger(trigger)} would become invalid: ${p.text}` });
    }
  }
  return out;
}

/** A copy of the catalog with one map replaced: the catalog a change would leave. */
export function withMap<K extends 'databases' | 'resources' | 'templates' | 'triggers'>(
  catalog: Catalog,
  key: K,
  map: Catalog[K],
): Catalog {
  return { ...catalog, [key]: map };
}

const SHOWN_USERS = 10;

/** A 400 naming what still uses an object (spec 05: deleting an object that others use). */
export function inUse(what: string, users: string[]): ApiError {
  const shown = users.slice(0, SHOWN_USERS).join(', ');
  const more = users.length > SHOWN_USERS ? ` and ${users.length - SHOWN_USERS} more` : '';
  return invalid(`${what} is in use by ${shown}${more}`);
}

/** The data users of an `in_use` store answer, as text. */
export function dataUsers(result: Written): string[] {
  if (result.status !== 'in_use') return [];
  const n = (count: number, noun: string) =>
    `${count >= IN_USE_CAP ? `${IN_USE_CAP} or more` : count} ${noun}${count === 1 ? '' : 's'}`;
  const out: string[] = [];
  if (result.profiles > 0) out.push(n(result.profiles, 'profile'));
  if (result.subscriptions > 0) out.push(n(result.subscriptions, 'subscription'));
  return out;
}

/** The id of a written object (an `in_use` answer is the caller's to turn into an error first). */
export function writtenId(result: Written): number {
  if (result.status !== 'done') throw new Error(`unexpected store answer ${result.status}`);
  return result.id;
}

/** A page of objects by id (spec 01): from `fromId` inclusive, at most `limit`; the total ignores the cursor. */
export function pageById<T extends { id: number }>(
  matches: T[],
  fromId: number,
  limit: number,
): { page: T[]; total: number; next: number } {
  const sorted = [...matches].sort((a, b) => a.id - b.id);
  const page = sorted.filter((o) => o.id >= fromId).slice(0, limit);
  // Altcraft's `next_from_id`: the from_id of the next page (past the last id answered); an
  // empty page answers the from_id it was asked for, so a client loops until a page is empty.
  const last = page[page.length - 1];
  return { page, total: sorted.length, next: last === undefined ? fromId : last.id + 1 };
}
