// What applying a provisioning file needs from storage: who owns which ids, the accounts' current
// catalogs, and one transaction that writes the whole plan.
import type { Catalog } from '../catalog/types.js';
import type { ProvisionPlan } from './plan.js';

export interface Ownership {
  accounts: Set<number>;
  databases: Map<number, number>;
  resources: Map<number, number>;
  templates: Map<number, number>;
  triggers: Map<number, number>;
  tokens: Map<string, number>;
  /** receiptKeyId(sender name, receipt key) → the account whose sender takes receipts with it. */
  receiptKeys: Map<string, number>;
}

export interface ProvisioningTx {
  applyProvisioning(plan: ProvisionPlan, now: number): Promise<void>;
}

export interface ProvisioningStore {
  /** Account ids and the account owning each object id, for provisioning checks. */
  describeOwnership(): Promise<Ownership>;
  loadCatalog(accountId: number): Promise<Catalog>;
  transaction<T>(fn: (tx: ProvisioningTx) => Promise<T>): Promise<T>;
}
