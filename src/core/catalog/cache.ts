// Account catalogs cached by config version: every change to an account's configuration bumps
// its version, so a cached catalog is reused until the storage says it is stale.
import type { Catalog } from './types.js';

/** Where catalogs come from. */
export interface CatalogSource {
  loadCatalog(accountId: number): Promise<Catalog>;
  /** Every account's config version. */
  accountVersions(): Promise<Map<number, number>>;
}

export interface CatalogCacheOptions {
  /** The server's default phone region (HERALD_PHONE_REGION), for databases that set none. */
  phoneRegion?: string;
}

export class CatalogCache {
  private readonly catalogs = new Map<number, Catalog>();

  constructor(
    private readonly store: CatalogSource,
    private readonly opts: CatalogCacheOptions = {},
  ) {}

  async get(accountId: number, version: number): Promise<Catalog> {
    const cached = this.catalogs.get(accountId);
    if (cached && cached.version === version) return cached;
    const fresh = this.withServerSettings(await this.store.loadCatalog(accountId));
    this.catalogs.set(accountId, fresh);
    return fresh;
  }

  /** The catalog with what the server sets for every account (its databases' default phone region). */
  private withServerSettings(catalog: Catalog): Catalog {
    const region = this.opts.phoneRegion;
    if (region === undefined) return catalog;
    const databases = new Map([...catalog.databases].map(([id, db]) => [id, { ...db, serverPhoneRegion: region }]));
    return { ...catalog, databases };
  }

  /** Every account's current catalog (delivery and hooks span accounts). */
  async all(): Promise<Catalog[]> {
    const versions = await this.store.accountVersions();
    const out: Catalog[] = [];
    for (const [id, version] of versions) out.push(await this.get(id, version));
    return out;
  }
}
