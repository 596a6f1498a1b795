// Account catalogs cached by config version: every change to an account's configuration bumps
// its version, so a cached catalog is reused until the storage says it is stale.
import type { Catalog } from './types.js';

/** Where catalogs come from. */
export interface CatalogSource {
  loadCatalog(accountId: number): Promise<Catalog>;
  /** Every account's config version. */
  accountVersions(): Promise<Map<number, number>>;
}

export class CatalogCache {
  private readonly catalogs = new Map<number, Catalog>();

  constructor(private readonly store: CatalogSource) {}

  async get(accountId: number, version: number): Promise<Catalog> {
    const cached = this.catalogs.get(accountId);
    if (cached && cached.version === version) return cached;
    const fresh = await this.store.loadCatalog(accountId);
    this.catalogs.set(accountId, fresh);
    return fresh;
  }

  /** Every account's current catalog (delivery and hooks span accounts). */
  async all(): Promise<Catalog[]> {
    const versions = await this.store.accountVersions();
    const out: Catalog[] = [];
    for (const [id, version] of versions) out.push(await this.get(id, version));
    return out;
  }
}
