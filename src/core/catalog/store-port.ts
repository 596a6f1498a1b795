// What the management methods (spec 05) need from storage: changes to an account's configuration,
// in the caller's transaction, each applied only if the account's config version is still the one
// the change was checked against. The version bump is the compare-and-swap, so checks made in the
// core on a catalog hold at commit; a stale change writes nothing and is checked again.
import type { DatabaseDef, ResourceDef, TemplateDef, TriggerDef } from './types.js';

/** The account and the config version of the catalog a change was checked against. */
export interface CatalogVersion {
  accountId: number;
  version: number;
}

/** An object to save: without `id` it is created (the store picks an id above every id used). */
export type Draft<T extends { id: number }> = Omit<T, 'id'> & { id?: number };

export type CatalogWriteResult =
  /** Written; `id` is the object's (new) id. The account's config version went up by one. */
  | { status: 'done'; id: number }
  /** The account's configuration changed since `at` (or the object is gone): nothing written. */
  | { status: 'stale' }
  /** Refused because data still refers to the object (counts capped at IN_USE_CAP): nothing written. */
  | { status: 'in_use'; profiles: number; subscriptions: number };

/** Counts of referring rows are capped: a refusal only needs to say "some" or "many". */
export const IN_USE_CAP = 1000;

export interface CatalogTx {
  /**
   * Creates or updates a database. With `requireNoProfiles` the change is refused (`in_use`)
   * while the database holds profiles (an incompatible change to its fields).
   */
  saveDatabase(
    at: CatalogVersion,
    def: Draft<DatabaseDef>,
    opts: { requireNoProfiles: boolean },
    now: number,
  ): Promise<CatalogWriteResult>;
  /** Deletes a database; refused (`in_use`) while it holds profiles. */
  deleteDatabase(at: CatalogVersion, id: number): Promise<CatalogWriteResult>;
  saveResource(at: CatalogVersion, def: Draft<ResourceDef>, now: number): Promise<CatalogWriteResult>;
  /** Deletes a resource; refused (`in_use`) while any subscription (whatever its status) is on it. */
  deleteResource(at: CatalogVersion, id: number): Promise<CatalogWriteResult>;
  saveTemplate(at: CatalogVersion, def: Draft<TemplateDef>, now: number): Promise<CatalogWriteResult>;
  deleteTemplate(at: CatalogVersion, id: number): Promise<CatalogWriteResult>;
  /**
   * Creates or updates a trigger (its createdAt/updatedAt are stored as given). With
   * `cancelScheduled`, the trigger's `scheduled` messages become `cancelled` with that skip reason
   * (finished at `now`) in the same transaction.
   */
  saveTrigger(
    at: CatalogVersion,
    def: Draft<TriggerDef>,
    opts: { cancelScheduled?: string },
    now: number,
  ): Promise<CatalogWriteResult>;
  /** Deletes a trigger and cancels its scheduled messages (skip reason `trigger deleted`, finished at `now`). */
  deleteTrigger(at: CatalogVersion, id: number, now: number): Promise<CatalogWriteResult>;
}

/** A transaction that applies a request checked against an account's catalog. */
export interface CatalogHoldTx {
  /**
   * The account's config version as of this transaction, held until it commits: no change to the
   * account's configuration commits in between (PostgreSQL: an advisory lock per account, shared
   * here and taken exclusively by a change; SQLite: one writer at a time).
   */
  holdCatalog(accountId: number): Promise<number>;
}
