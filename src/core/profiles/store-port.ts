// Profiles as storage holds them, the rows a write changes, and what the core asks of storage to
// find and read them: inside a transaction (imports, launches, deletes) or outside (read methods).
import type { Channel } from '../catalog/types.js';
import type { MatchKey } from '../matching/modes.js';

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

/** Finding and reading profiles. */
export interface ProfileLookup {
  /** For each key, the row numbers of the profiles answering it, ascending (oldest first). */
  findMatches(dbId: number, keys: MatchKey[]): Promise<Map<string, number[]>>;
}

/** Profiles read outside a transaction (read methods): no lock is taken. */
export interface ProfileReader extends ProfileLookup {
  /** The profiles of these row numbers, as StoreTx.loadProfiles, without locking them. */
  readProfiles(dbId: number, seqs: number[]): Promise<StoredProfile[]>;
  /**
   * A page of a database's profiles, newest first (row numbers), and how many there are: with
   * `search`, those whose id is `search` or one of whose indexed values (email, phones, custom
   * fields, tags) starts with it, ASCII case ignored.
   */
  listProfiles(
    dbId: number,
    search: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ seqs: number[]; total: number }>;
}

/** Profiles inside a transaction: what is loaded is locked until commit where writers run at once. */
export interface ProfileTx extends ProfileLookup {
  /**
   * Serialises profile creation per matching value across processes: returns once no other
   * transaction may be creating a profile for these keys (and holds them until commit). Returns
   * the keys another transaction claimed before (it may have created a profile since the lookup):
   * those are looked up again. Empty where the store is single-writer.
   */
  lockMatchKeys(dbId: number, keys: string[]): Promise<Set<string>>;
  loadProfiles(dbId: number, seqs: number[]): Promise<StoredProfile[]>;
  /** Deletes a profile and its subscriptions and values; cancels its scheduled messages. */
  deleteProfile(profile: StoredProfile, valueRows: ValueRowWrite[], now: number): Promise<void>;
}
