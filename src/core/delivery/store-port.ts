// What delivery needs from storage: leased claims of due messages, the data to render them,
// outcomes recorded with their hook events in one transaction, and the hook cursors.
import type { TrackedLinkStore } from './tracked-links.js';
import type { Channel } from '../catalog/types.js';
import type { EventWrite } from '../triggers/store-port.js';
import type { StoredProfile } from '../profiles/store-port.js';
import type { CounterName } from './counters.js';
import type { SuppressionCheck } from './suppression-port.js';

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

/** The outcome of a worker's claim: written only while the claim is still held (its token matches). */
export type ClaimOutcome =
  /** senderId / providerId: the sender that took it and the provider's id of it (receipts find it by these). */
  | { kind: 'sent'; id: number; claimToken: string; senderId?: number; providerId?: string }
  | { kind: 'retry'; id: number; claimToken: string; dueAt: number; error: string }
  | { kind: 'failed'; id: number; claimToken: string; error: string }
  | { kind: 'skipped'; id: number; claimToken: string; reason: string }
  /** Given back unsent at shutdown: scheduled again, the attempt not counted. */
  | { kind: 'released'; id: number; claimToken: string };

/** A provider's delivery receipt: moves a message that is still `sent`, once. */
export interface ReceiptOutcome {
  kind: 'delivered' | 'undelivered';
  id: number;
  /** The provider's own word for the status, and its reason (error code) if it gave one. */
  providerStatus: string;
  reason: string | null;
}

export type Outcome = ClaimOutcome | ReceiptOutcome;

export const isReceiptOutcome = (o: Outcome): o is ReceiptOutcome => o.kind === 'delivered' || o.kind === 'undelivered';

export interface AccountEvent extends EventWrite {
  accountId: number;
}

export interface SubscriptionKey {
  profileId: string;
  resourceId: number;
  channel: Channel;
  address: string;
}

/** A change of a subscription's status that an outcome carries (a push service's 410 → unsubscribed). */
export interface SubscriptionChange {
  key: SubscriptionKey;
  status: number;
  reason: string;
  /** Written only if the status changed. */
  event?: AccountEvent;
}

/**
 * An outcome with what follows from it: the hook event, and a change of the subscription. Both are
 * written only if the outcome was (claim still held, receipt not yet applied), in its transaction.
 */
export type RecordedOutcome = Outcome & {
  event?: AccountEvent;
  subscription?: SubscriptionChange;
  /** Report counters the outcome adds beside its own (outcomeCounters): a bounce, a complaint. */
  counters?: CounterName[];
  /** What a bounce report, a complaint or a synchronous rejection says of the message (spec 07). */
  feedback?: FeedbackItem;
};

/** An open (the pixel) or a click (a rewritten link) of an email message. */
export interface TrackingWrite {
  kind: 'open' | 'click';
  accountId: number;
  triggerId: number;
  messageId: number;
  /** The link's position in the HTML part, and its URL (clicks). */
  link?: number;
  url?: string;
  ip: string | null;
  userAgent: string | null;
  /** Hook events to write, by what the store finds: the first open / click (u…) or any. */
  events: Partial<Record<'uopen' | 'open' | 'uclick' | 'click', AccountEvent>>;
}

/** What a tracking write found: whether it was the message's first open, first click, first click of the link. */
export interface TrackingResult {
  firstOpen: boolean;
  firstClick: boolean;
  firstLinkClick: boolean;
}

/**
 * What a message's feedback says (spec 07): a hard or soft bounce, a complaint, a delivery. Its
 * message event is `hbounce`, `sbounce`, `complain` or `deliv`, each at most once a message.
 */
export type FeedbackKind = 'hard' | 'soft' | 'complaint' | 'delivered';

export const FEEDBACK_EVENTS: Record<FeedbackKind, string> = {
  hard: 'hbounce',
  soft: 'sbounce',
  complaint: 'complain',
  delivered: 'deliv',
};

/** A message event: what happened to a message after its send, kept with the message. */
export interface MessageEvent {
  messageId: number;
  accountId: number;
  triggerId: number;
  type: string;
  data: Record<string, unknown>;
}

export interface FeedbackItem {
  kind: FeedbackKind;
  messageId: number;
  accountId: number;
  triggerId: number;
  /** The SMTP reply or the report's Diagnostic-Code (or Feedback-Type). */
  reason: string;
  /** Kept with the message event (where the report came from, the recipient it named …). */
  data: Record<string, unknown>;
  /** The subscription the message went to; absent when the profile is gone. */
  subscription?: SubscriptionKey;
  /** Hook events, written only if the feedback is new. */
  events: AccountEvent[];
  /** HERALD_SOFT_BOUNCE_LIMIT: the soft bounce in a row that suspends the subscription. */
  softLimit: number;
}

/** The message event of a feedback item. */
export const messageEventOf = (f: FeedbackItem): MessageEvent => ({
  messageId: f.messageId,
  accountId: f.accountId,
  triggerId: f.triggerId,
  type: FEEDBACK_EVENTS[f.kind],
  data: { ...f.data, reason: f.reason.slice(0, 500) },
});

/** A message the inbound mail names, with what its effects and hook events need. */
export interface FeedbackMessage extends ReceiptMessage {
  accountId: number;
}

/** A sent message a receipt names, with what its hook events need. */
export interface ReceiptMessage {
  id: number;
  status: string;
  triggerId: number;
  profileId: string;
  /** The profile's database; null once the profile is deleted. */
  dbId: number | null;
  channel: Channel;
  resourceId: number | null;
  address: string | null;
  customData: Record<string, unknown> | null;
}

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

export interface DeliveryStore extends SuppressionCheck, TrackedLinkStore {
  /** Claims up to `limit` due messages (and expired leases) in due order, leased until `now + leaseMs`. */
  claimMessages(now: number, limit: number, leaseMs: number): Promise<ClaimedMessage[]>;
  /** Profiles (with subscriptions) by id, as they are now; a deleted profile is absent. */
  loadRecipients(profileIds: string[]): Promise<Map<string, StoredProfile>>;
  loadLaunches(ids: number[]): Promise<Map<number, LaunchData>>;
  /**
   * Records outcomes and what follows from them (hook events, subscription changes) in one
   * transaction: the one place where what happened to a message is written. Returns the ids of
   * the messages whose outcome was applied (claim still held; receipt for a message still `sent`).
   */
  recordOutcomes(outcomes: RecordedOutcome[], now: number): Promise<number[]>;
  /**
   * The message of an account that a sender sent, by the provider's id of it, or by Herald's
   * own id; undefined when there is none.
   */
  findReceiptMessage(
    accountId: number,
    senderId: number,
    ref: { providerId: string } | { id: number },
  ): Promise<ReceiptMessage | undefined>;
  /** A message of an account by Herald's id (for the events of an open or a click); undefined once purged. */
  findMessage(accountId: number, id: number): Promise<ReceiptMessage | undefined>;
  /**
   * Records an open or a click in one transaction: the event row (time, IP, User-Agent), the
   * marks that tell a first open / click, the report counters (a click with no open recorded
   * counts an open too) and the hook events that apply.
   */
  recordTracking(t: TrackingWrite, now: number): Promise<TrackingResult>;
  /**
   * Applies feedback in one transaction: its message event (once: the same feedback again inserts
   * nothing and changes nothing), the message's status, the subscription's (hard → hardbounced,
   * complaint → complained, the item's `softLimit`-th soft bounce in a row → suspended, a delivery resets
   * the count) and the hook events. Returns the ids of the messages whose feedback was new.
   */
  recordFeedback(items: FeedbackItem[], now: number): Promise<number[]>;
  /** Messages by id (those that exist), with their subscription and profile. */
  findFeedbackMessages(ids: number[]): Promise<FeedbackMessage[]>;
  /** The earliest due time of a scheduled message, if any. */
  nextDueAt(): Promise<number | undefined>;
  /**
   * Sets a subscription unsubscribed; the event (if any) is written, and `count`'s trigger counts
   * an `unsubscribed`, only when it changed.
   */
  unsubscribe(
    key: SubscriptionKey,
    event: AccountEvent | undefined,
    now: number,
    count?: { accountId: number; triggerId: number },
  ): Promise<boolean>;
  /** Leases a hook that is due; undefined when it is leased elsewhere or waiting for a retry. */
  leaseHook(hookId: number, now: number, leaseMs: number): Promise<{ state: HookState; token: string } | undefined>;
  /** Events of an account after `cursor`, oldest first. */
  listEvents(accountId: number, after: number, limit: number): Promise<StoredEvent[]>;
  finishHook(hookId: number, token: string, result: HookResult, now: number): Promise<void>;
  /**
   * Drops finished messages (and unused launches, attachments) older than `before`, and events every
   * hook has passed; given `now`, also the tasks and request keys expired by then (they keep their own
   * windows: 7 days, 24 hours) and the test sends older than `before`.
   */
  purge(
    before: number,
    now?: number,
  ): Promise<{ messages: number; events: number; tasks?: number; requestKeys?: number; testSends?: number }>;
}
