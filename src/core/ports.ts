// The interfaces the core needs from the outside world. Adapters live in store/, senders/,
// geo/; only main.ts and tests choose them. Every Store passes store/contract.
import type { Catalog, Channel } from './catalog/types.js';
import type { CatalogStore } from './catalog/store-port.js';
import type { DeliveryStore } from './delivery/store-port.js';
import type { ReportStore } from './delivery/report-port.js';
import type { MatchKey } from './matching/modes.js';
import type { MonitorStore } from './monitoring/store-port.js';
import type { ProvisionPlan } from './provisioning/plan.js';
import type { ProfileQueryTx } from './query/store-port.js';
import type { RequestKeyStore, RequestKeyTx } from './requests/store-port.js';
import type { TaskStore, TaskTx } from './tasks/store-port.js';
import type { LaunchTx } from './triggers/launch-port.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface GeoRecord {
  city?: string;
  country?: string;
  region?: string;
  postalCode?: string;
  tz?: string;
  lat?: number;
  lon?: number;
}

export interface GeoLookup {
  lookup(ip: string): GeoRecord | undefined;
}

export type TokenRole = 'read' | 'write';

export interface TokenRecord {
  accountId: number;
  role: TokenRole;
  revoked: boolean;
  configVersion: number;
  /** Requests per second with a burst (spec 01, Limits and rate); absent = unlimited. */
  rateLimit?: { perSecond: number; burst: number };
}

export interface StoredSubscription {
  resourceId: number;
  channel: Channel;
  address: string;
  status: number;
  priority: number;
  data: SubscriptionData;
  createdAt: number;
  updatedAt: number;
}

/** The parts of a subscription kept as a document. */
export interface SubscriptionData {
  email?: string;
  phone?: string;
  provider?: string;
  subscriptionId?: string;
  customFields?: Record<string, unknown>;
  cats?: string[];
  /** Why the status was last changed by Herald itself (a push service's 410); kept until the subscription is imported again. */
  statusReason?: string;
}

export interface StoredProfile {
  seq: number;
  id: string;
  accountId: number;
  dbId: number;
  fields: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  subscriptions: StoredSubscription[];
}

export interface ValueRowWrite {
  field: string;
  value: string;
  num: number | null;
}

export interface SubscriptionWrite {
  resourceId: number;
  channel: Channel;
  address: string;
  status: number;
  priority: number;
  data: SubscriptionData;
  createdAt: number;
  updatedAt: number;
}

export interface ProfileWrite {
  /** Set for a stored profile, absent for a new one. */
  seq?: number;
  id: string;
  fields: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  addValues: ValueRowWrite[];
  removeValues: ValueRowWrite[];
  /** New and changed subscriptions (upserted by identity). */
  subscriptions: SubscriptionWrite[];
}

export interface AttachmentWrite {
  name: string;
  mime: string;
  data: Uint8Array;
}

export interface LaunchWrite {
  /** Reference for messages of this request: launches are numbered by the store. */
  ref: number;
  /** A launch already stored (LaunchTx.insertLaunch): its messages reference it, it is not written again. */
  id?: number;
  triggerId: number;
  kind: 'api' | 'event';
  content: Record<string, unknown> | null;
  customData: Record<string, unknown> | null;
  attachments: AttachmentWrite[];
}

/** `delivered` / `undelivered`: a sent message the provider's receipt reported on. */
export type MessageStatus = 'scheduled' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'skipped' | 'cancelled';

export interface MessageWrite {
  launchRef: number;
  triggerId: number;
  profileId: string;
  channel: Channel;
  resourceId: number | null;
  address: string | null;
  status: 'scheduled' | 'skipped';
  skipReason: string | null;
  dueAt: number;
  variant: number;
  /** The item's own custom_data, when it replaces the launch's. */
  customData: Record<string, unknown> | null;
}

export interface EventWrite {
  type: string;
  dbId: number | null;
  resourceId: number | null;
  triggerId: number | null;
  profileId: string | null;
  payload: Record<string, unknown>;
}

export interface ImportWrite {
  accountId: number;
  dbId: number;
  now: number;
  profiles: ProfileWrite[];
  launches: LaunchWrite[];
  messages: MessageWrite[];
  events: EventWrite[];
}

export interface StoreTx extends ProfileQueryTx, LaunchTx, TaskTx, RequestKeyTx {
  /**
   * The account's config version as of this transaction, held until it commits: no change to the
   * account's configuration commits in between (PostgreSQL: an advisory lock per account, shared
   * here and taken exclusively by a change; SQLite: one writer at a time).
   */
  holdCatalog(accountId: number): Promise<number>;
  /**
   * Serialises profile creation per matching value across processes: returns once no other
   * transaction may be creating a profile for these keys (and holds them until commit). Returns
   * the keys another transaction claimed before (it may have created a profile since the lookup):
   * those are looked up again. Empty where the store is single-writer.
   */
  lockMatchKeys(dbId: number, keys: string[]): Promise<Set<string>>;
  /** For each key, the row numbers of the profiles answering it, ascending (oldest first). */
  findMatches(dbId: number, keys: MatchKey[]): Promise<Map<string, number[]>>;
  loadProfiles(dbId: number, seqs: number[]): Promise<StoredProfile[]>;
  saveImport(write: ImportWrite): Promise<void>;
  /** Deletes a profile and its subscriptions and values; cancels its scheduled messages. */
  deleteProfile(profile: StoredProfile, valueRows: ValueRowWrite[], now: number): Promise<void>;
  applyProvisioning(plan: ProvisionPlan, now: number): Promise<void>;
}

export interface TransactionOptions {
  /**
   * The transaction will start by holding this account's configuration (StoreTx.holdCatalog): a
   * store may take the hold as it begins the transaction (PostgreSQL: with BEGIN, one round trip).
   */
  holdCatalog?: number;
}

/** Thrown by a store when the database cannot be reached: the API answers 503. */
export class StoreUnavailable extends Error {
  readonly code = 'HERALD_UNAVAILABLE';
}

export interface StoreCapabilities {
  /** One writer at a time (SQLite): a transaction sees no concurrent change, no claims needed. */
  singleWriter: boolean;
}

export interface Store extends DeliveryStore, ReportStore, CatalogStore, TaskStore, RequestKeyStore, MonitorStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly capabilities: StoreCapabilities;
  /** Tells other processes that new work is due (PostgreSQL NOTIFY); in-process wake-ups are the engine's. */
  notifyWork?(): Promise<void>;
  /** Calls `fn` when another process announces new work; returns the unsubscribe function. */
  onWork?(fn: () => void): () => void;
  migrate(): Promise<void>;
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
  revokeToken(hash: string): Promise<boolean>;
  close(): Promise<void>;
}

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
