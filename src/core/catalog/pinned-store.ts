// A request is checked against its account's catalog before it touches storage (is the trigger
// active, does the database have this field…), and a change to the configuration may commit in
// between. The store handed to a method is pinned to the catalog it was checked against: each of
// its transactions first holds the account's configuration and compares versions. On a mismatch
// nothing is written and CatalogChanged tells the caller to check the request again against the
// new catalog — so a request and a configuration change are applied as if one came after the
// other (a launch racing `deactivate` either comes first, and its messages are then cancelled
// by an `abort_if_running`, or comes after and is refused).
import type { Store, StoreTx } from '../ports.js';
import type { Catalog } from './types.js';

export class CatalogChanged extends Error {
  constructor(readonly version: number) {
    super('the account configuration changed while the request was being applied');
  }
}

/** Runs `fn` in a transaction of `store` that holds `catalog`'s version, or throws CatalogChanged. */
export function pinnedTransaction<T>(store: Pick<Store, 'transaction'>, catalog: Pick<Catalog, 'accountId' | 'version'>, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
  return store.transaction(
    async (tx) => {
      const version = await tx.holdCatalog(catalog.accountId);
      if (version !== catalog.version) throw new CatalogChanged(version);
      return fn(tx);
    },
    { holdCatalog: catalog.accountId },
  );
}

/** `store`, with every transaction pinned to `catalog` (see pinnedTransaction). */
export function pinnedStore(store: Store, catalog: Pick<Catalog, 'accountId' | 'version'>): Store {
  return new Proxy(store, {
    get: (target, prop) => {
      if (prop === 'transaction') return <T>(fn: (tx: StoreTx) => Promise<T>) => pinnedTransaction(target, catalog, fn);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
