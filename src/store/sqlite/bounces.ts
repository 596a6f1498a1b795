// Bounces and complaints on SQLite (spec 07): message events inserted once each (the unique index of
// message_events makes reading a report twice a no-op), and what a new one does to its message
// and subscription, with its hook events — all in the caller's transaction (the engine's writer).
import {
  messageEventOf,
  type FeedbackItem,
  type FeedbackMessage,
  type MessageEvent,
} from '../../core/delivery/store-port.js';
import { FEEDBACK_MESSAGE, toReceiptMessage, type ReceiptMessageRow } from '../shared/rows.js';
import type { Statement } from 'better-sqlite3';
import type { SqliteDb } from './open.js';
import { CounterTally, FEEDBACK_COUNTERS } from '../../core/delivery/counters.js';
import type { SqliteEvents } from './events.js';
import type { SqliteFeedback } from './feedback.js';

/** Message statuses each kind of feedback moves a message from (a hard bounce is never undone by a soft one). */
const MESSAGE_UPDATES = {
  hard: "UPDATE messages SET status = 'bounced', bounce = 'hard', feedback_reason = ?, feedback_at = ? WHERE id = ? AND status IN ('sent', 'delivered', 'undelivered', 'failed', 'bounced')",
  soft: "UPDATE messages SET status = 'bounced', bounce = 'soft', feedback_reason = ?, feedback_at = ? WHERE id = ? AND status IN ('sent', 'delivered', 'undelivered', 'failed')",
  complaint:
    "UPDATE messages SET status = 'complained', feedback_reason = ?, feedback_at = ? WHERE id = ? AND status IN ('sent', 'delivered', 'undelivered', 'bounced')",
  delivered:
    "UPDATE messages SET status = 'delivered', feedback_reason = ?, feedback_at = ? WHERE id = ? AND status = 'sent'",
} as const;

const SUBSCRIPTION =
  'profile_seq = (SELECT seq FROM profiles WHERE id = ?) AND resource_id = ? AND channel = ? AND address = ?';
/** Subscription statuses: 0 subscribed, 2 complained, 3 hardbounced, 5 suspended. */
const SUBSCRIPTION_UPDATES = {
  hard: `UPDATE subscriptions SET status = 3, data = json_set(data, '$.statusReason', ?), updated_at = ? WHERE ${SUBSCRIPTION} AND status IN (0, 5)`,
  complaint: `UPDATE subscriptions SET status = 2, data = json_set(data, '$.statusReason', ?), updated_at = ? WHERE ${SUBSCRIPTION} AND status <> 2`,
  soft: `UPDATE subscriptions SET soft_bounces = soft_bounces + 1,
           status = CASE WHEN status = 0 AND soft_bounces + 1 >= ? THEN 5 ELSE status END,
           data = CASE WHEN status = 0 AND soft_bounces + 1 >= ? THEN json_set(data, '$.statusReason', ?) ELSE data END, updated_at = ?
         WHERE ${SUBSCRIPTION}`,
  delivered: `UPDATE subscriptions SET soft_bounces = 0 WHERE ${SUBSCRIPTION} AND soft_bounces > 0`,
} as const;

export class SqliteBounces {
  private readonly s;

  /** `feedback` bumps the report counters, `events` takes the hook events, in the same transaction. */
  constructor(
    db: SqliteDb,
    private readonly feedback: SqliteFeedback,
    private readonly events: SqliteEvents,
  ) {
    this.s = {
      insertMessageEvent: db.prepare(
        'INSERT INTO message_events (message_id, account_id, trigger_id, type, data, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id',
      ),
      messages: db.prepare(`${FEEDBACK_MESSAGE} WHERE m.id IN (SELECT value FROM json_each(?))`),
      message: Object.fromEntries(Object.entries(MESSAGE_UPDATES).map(([k, sql]) => [k, db.prepare(sql)])) as Record<
        keyof typeof MESSAGE_UPDATES,
        Statement
      >,
      subscription: Object.fromEntries(
        Object.entries(SUBSCRIPTION_UPDATES).map(([k, sql]) => [k, db.prepare(sql)]),
      ) as Record<keyof typeof SUBSCRIPTION_UPDATES, Statement>,
    };
  }

  /**
   * The one place message events are written: inserts them, and returns the indexes of those that
   * were new (an event a message can have once, already there, is not).
   */
  insertMessageEvents(events: MessageEvent[], now: number): number[] {
    const inserted: number[] = [];
    events.forEach((e, i) => {
      if (this.s.insertMessageEvent.get(e.messageId, e.accountId, e.triggerId, e.type, JSON.stringify(e.data), now))
        inserted.push(i);
    });
    return inserted;
  }

  recordFeedback(items: FeedbackItem[], now: number): number[] {
    const fresh = this.insertMessageEvents(items.map(messageEventOf), now).map((i) => items[i]);
    const tally = new CounterTally();
    for (const f of fresh) {
      this.s.message[f.kind].run(f.reason.slice(0, 500), now, f.messageId);
      if (f.subscription) this.changeSubscription(f, now);
      this.events.insertEvents(f.events, now);
      tally.add(f.accountId, f.triggerId, now, FEEDBACK_COUNTERS[f.kind]);
    }
    this.feedback.bump(tally.bumps());
    return fresh.map((f) => f.messageId);
  }

  private changeSubscription(f: FeedbackItem, now: number): void {
    const softLimit = f.softLimit;
    const k = f.subscription;
    if (!k) return;
    const key: [string, number, string, string] = [k.profileId, k.resourceId, k.channel, k.address];
    const reason = f.reason.slice(0, 300);
    if (f.kind === 'soft')
      this.s.subscription.soft.run(softLimit, softLimit, `${softLimit} soft bounces in a row: ${reason}`, now, ...key);
    else if (f.kind === 'delivered') this.s.subscription.delivered.run(...key);
    else this.s.subscription[f.kind].run(reason, now, ...key);
  }

  findFeedbackMessages(ids: number[]): FeedbackMessage[] {
    if (ids.length === 0) return [];
    return (this.s.messages.all(JSON.stringify(ids)) as (ReceiptMessageRow & { account_id: number })[]).map((r) => ({
      ...toReceiptMessage(r),
      accountId: r.account_id,
    }));
  }
}
