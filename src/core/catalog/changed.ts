// A request is checked against its account's catalog before it touches storage (is the trigger
// active, does the database have this field…), and a change to the configuration may commit in
// between. So the transaction that applies a request first holds the account's configuration and
// compares versions: on a mismatch nothing is written and CatalogChanged tells the caller to check
// the request again against the new catalog — a request and a configuration change are applied as
// if one came after the other (a launch racing `deactivate` either comes first, and its messages
// are then cancelled by an `abort_if_running`, or comes after and is refused).
import type { CatalogHoldTx } from './store-port.js';
import type { Catalog } from './types.js';
import { CatalogChanged } from '../base/errors.js';

/** A store whose transactions can hold an account's configuration from their start. */
export interface HoldingStore<Tx extends CatalogHoldTx> {
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: { holdCatalog?: number; exclusive?: boolean }): Promise<T>;
}

/**
 * Runs `fn` in a transaction that holds `catalog`'s account configuration (exclusively for a
 * change to it), or throws CatalogChanged when the configuration is no longer that catalog's.
 */
export function heldTransaction<Tx extends CatalogHoldTx, T>(
  store: HoldingStore<Tx>,
  catalog: Pick<Catalog, 'accountId' | 'version'>,
  fn: (tx: Tx) => Promise<T>,
  opts: { exclusive?: boolean } = {},
): Promise<T> {
  return store.transaction(
    async (tx) => {
      const version = await tx.holdCatalog(catalog.accountId);
      if (version !== catalog.version) throw new CatalogChanged(version);
      return fn(tx);
    },
    { holdCatalog: catalog.accountId, ...(opts.exclusive ? { exclusive: true } : {}) },
  );
}
