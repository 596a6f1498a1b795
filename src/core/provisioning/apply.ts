// Applying a provisioning file: plan it against the store (every problem listed, nothing
// written on failure), then write the plan in one transaction.
import { planProvisioning, type SecretFileReader } from './file.js';
import type { ProvisioningStore } from './store-port.js';

export interface ApplySummary {
  accounts: number;
  tokens: number;
  databases: number;
  resources: number;
  templates: number;
  triggers: number;
  senders: number;
  hooks: number;
}

export async function applyProvisioningFile(
  store: ProvisioningStore,
  file: unknown,
  env: Record<string, string | undefined>,
  now: number,
  readFile?: SecretFileReader,
): Promise<ApplySummary> {
  const ownership = await store.describeOwnership();
  const plan = await planProvisioning({
    file,
    env,
    ownership,
    existing: async (id) => (ownership.accounts.has(id) ? store.loadCatalog(id) : undefined),
    now,
    ...(readFile ? { readFile } : {}),
  });
  await store.transaction((tx) => tx.applyProvisioning(plan, now));
  const count = (pick: (a: (typeof plan.accounts)[number]) => unknown[]) =>
    plan.accounts.reduce((n, a) => n + pick(a).length, 0);
  return {
    accounts: plan.accounts.length,
    tokens: count((a) => a.tokens),
    databases: count((a) => a.databases),
    resources: count((a) => a.resources),
    templates: count((a) => a.templates),
    triggers: count((a) => a.triggers),
    senders: count((a) => a.senders),
    hooks: count((a) => a.hooks),
  };
}
