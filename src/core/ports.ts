// The storage the core runs on, as one interface: every folder of the core declares the narrow
// port it needs (store-port.ts files), and Store and StoreTx are their sum. Adapters live in
// store/; only main.ts, runtime/ and tests choose one. Every Store passes store/contract.
import type { CatalogHoldTx, CatalogTx } from './catalog/store-port.js';
import type { Catalog } from './catalog/types.js';
import type { DeliveryStore } from './delivery/store-port.js';
import type { ReportStore } from './delivery/report-port.js';
import type { SuppressionEntryReader, SuppressionReader, SuppressionTx } from './delivery/suppression-port.js';
import type { ImportTx } from './imports/store-port.js';
import type { MonitorStore } from './monitoring/store-port.js';
import type { ProfileReader } from './profiles/store-port.js';
import type { Ownership, ProvisioningTx } from './provisioning/store-port.js';
import type { TokenListing, TokenRecord, TokenRole } from './provisioning/tokens.js';
import type { ProfileQueryTx } from './query/store-port.js';
import type { RequestKeyStore, RequestKeyTx } from './requests/store-port.js';
import type { TaskStore, TaskTx } from './tasks/store-port.js';
import type { TestSendReader, TestSendStore, TestSendTx } from './delivery/test-send-port.js';

export interface StoreTx
  extends
    CatalogHoldTx,
    CatalogTx,
    ImportTx,
    ProfileQueryTx,
    TaskTx,
    RequestKeyTx,
    ProvisioningTx,
    SuppressionTx,
    TestSendTx {}

export interface TransactionOptions {
  /**
   * The transaction will start by holding this account's configuration (StoreTx.holdCatalog): a
   * store may take the hold as it begins the transaction (PostgreSQL: with BEGIN, one round trip).
   */
  holdCatalog?: number;
  /**
   * The hold is exclusive: the transaction changes the account's configuration, so no request
   * applying it runs meanwhile (PostgreSQL: the advisory lock in exclusive mode).
   */
  exclusive?: boolean;
}

export interface StoreCapabilities {
  /** One writer at a time (SQLite): a transaction sees no concurrent change, no claims needed. */
  singleWriter: boolean;
}

/** What a read method may use: reads only, no transaction. */
export type ReadView = ReportStore &
  ProfileReader &
  SuppressionReader &
  SuppressionEntryReader &
  TestSendReader &
  Pick<TaskStore, 'findTask'>;

export interface Store
  extends
    DeliveryStore,
    ReportStore,
    TaskStore,
    RequestKeyStore,
    MonitorStore,
    ProfileReader,
    SuppressionReader,
    SuppressionEntryReader,
    TestSendStore {
  readonly capabilities: StoreCapabilities;
  /** Tells other processes that new work is due (PostgreSQL NOTIFY); in-process wake-ups are the engine's. */
  notifyWork?(): Promise<void>;
  /** Calls `fn` when another process announces new work; returns the unsubscribe function. */
  onWork?(fn: () => void): () => void;
  /** Applies the pending migrations; answers the names of those it applied (none: already up to date). */
  migrate(): Promise<string[]>;
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  findToken(hash: string): Promise<TokenRecord | undefined>;
  loadCatalog(accountId: number): Promise<Catalog>;
  /** Every account's config version. */
  accountVersions(): Promise<Map<number, number>>;
  /** Account ids and the account owning each object id, for provisioning checks. */
  describeOwnership(): Promise<Ownership>;
  /** A setting, created with `make()` by the first process that asks. */
  ensureSetting(key: string, make: () => string): Promise<string>;
  createToken(hash: string, accountId: number, role: TokenRole, now: number): Promise<void>;
  /** Marks a token revoked, for good: applying a provisioning file never brings it back. */
  revokeToken(hash: string, now?: number): Promise<boolean>;
  /** Every token (its hash only), oldest first. */
  listTokens(): Promise<TokenListing[]>;
  close(): Promise<void>;
}
