// What a store needs to answer a custom_request: the profiles of a database answering a plan,
// a page at a time (keyset on the creation order), inside the caller's transaction.
import type { ProfileQuery } from './plan.js';

export interface ProfileQueryTx {
  /** Row numbers (ascending, oldest first) of the database's profiles answering `query`, after `afterSeq`, at most `limit`. */
  queryProfiles(dbId: number, query: ProfileQuery, afterSeq: number, limit: number): Promise<number[]>;
}
