// What delivery needs from storage: leased claims of due messages, the data to render them,
// outcomes recorded with their hook events in one transaction, and the hook cursors.
import type { Channel } from '../catalog/types.js';
import type { EventWrite } from '../triggers/store-port.js';
import type { StoredProfile } from '../profiles/store-port.js';

export interface ClaimedMessage {
  id: number;
  accountId: number;
  triggerId: number;
  launchId: number;
  profileId: string;
  channel: Channel;
  resourceId: number | null;
  address: string | null;
  /** Attempts including this one. */
  attempts: number;
  variant: number;
  customData: Record<string, unknown> | null;
  /** Proves this claim when the outcome is recorded (a reclaimed message has a new token). */
  claimToken: string;
  /** True when the message was taken back from a worker whose lease expired. */
  reclaimed: boolean;
}

export interface LaunchData {
  id: number;
  content: Record<string, unknown> | null;
  customData: Record<string, unknown> | null;
  attachments: { name: string; mime: string; data: Buffer }[];
}

export type Outcome =
  | { kind: 'sent'; id: number; claimToken: string }
  | { kind: 'retry'; id: number; claimToken: string; dueAt: number; error: string }
  | { kind: 'failed'; id: number; claimToken: string; error: string }
  | { kind: 'skipped'; id: number; claimToken: string; reason: string }
  /** Given back unsent at shutdown: scheduled again, the attempt not counted. */
  | { kind: 'released'; id: number; claimToken: string };

export interface AccountEvent extends EventWrite {
  accountId: number;
}

/** An outcome with the hook event it causes (written only if the claim was still held). */
export type RecordedOutcome = Outcome & { event?: AccountEvent };

export interface HookState {
  hookId: number;
  cursor: number;
  attempts: number;
  nextAttemptAt: number;
  firstFailureAt: number | null;
  delivered: number;
  deadLettered: number;
}

export interface StoredEvent {
  id: number;
  type: string;
  dbId: number | null;
  resourceId: number | null;
  triggerId: number | null;
  profileId: string | null;
  payload: Record<string, unknown>;
  createdAt: number;
}

export type HookResult =
  | { kind: 'delivered'; cursor: number; count: number }
  | { kind: 'failed'; error: string; nextAttemptAt: number; firstFailureAt: number }
  | { kind: 'dead'; cursor: number; eventIds: number[]; error: string };

export interface DeliveryStore {
  /** Claims up to `limit` due messages (and expired leases) in due order, leased until `now + leaseMs`. */
  claimMessages(now: number, limit: number, leaseMs: number): Promise<ClaimedMessage[]>;
  /** Profiles (with subscriptions) by id, as they are now; a deleted profile is absent. */
  loadRecipients(profileIds: string[]): Promise<Map<string, StoredProfile>>;
  loadLaunches(ids: number[]): Promise<Map<number, LaunchData>>;
  /** Records outcomes (only for claims still held) and their hook events, in one transaction. */
  recordOutcomes(outcomes: RecordedOutcome[], now: number): Promise<void>;
  /** The earliest due time of a scheduled message, if any. */
  nextDueAt(): Promise<number | undefined>;
  /** Sets a subscription unsubscribed; the event (if any) is written only when it changed. */
  unsubscribe(key: { profileId: string; resourceId: number; channel: Channel; address: string }, event: AccountEvent | undefined, now: number): Promise<boolean>;
  /** Leases a hook that is due; undefined when it is leased elsewhere or waiting for a retry. */
  leaseHook(hookId: number, now: number, leaseMs: number): Promise<{ state: HookState; token: string } | undefined>;
  /** Events of an account after `cursor`, oldest first. */
  listEvents(accountId: number, after: number, limit: number): Promise<StoredEvent[]>;
  finishHook(hookId: number, token: string, result: HookResult, now: number): Promise<void>;
  /**
   * Drops finished messages (and unused launches, attachments) older than `before`, and events every
   * hook has passed; given `now`, also the tasks and request keys expired by then (they keep their own
   * windows: 7 days, 24 hours).
   */
  purge(before: number, now?: number): Promise<{ messages: number; events: number; tasks?: number; requestKeys?: number }>;
}
