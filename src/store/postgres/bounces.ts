// Bounces and complaints on PostgreSQL (see SQLite's feedback.ts): message events inserted once each in
// one statement, then, for the new ones, one statement per kind for the messages and one for the
// subscriptions, and the hook events — all in the caller's transaction.
import {
  messageEventOf,
  type FeedbackItem,
  type FeedbackKind,
  type FeedbackMessage,
  type MessageEvent,
} from '../../core/delivery/store-port.js';
import { FEEDBACK_MESSAGE, toReceiptMessage, type ReceiptMessageRow } from '../shared/rows.js';
import type { PgEvents } from './events.js';
import type { PgFeedback } from './feedback.js';
import { CounterTally, FEEDBACK_COUNTERS } from '../../core/delivery/counters.js';
import type { Queryable } from './open.js';

const MESSAGE_SET: Record<FeedbackKind, { set: string; from: string[] }> = {
  hard: { set: "status = 'bounced', bounce = 'hard'", from: ['sent', 'delivered', 'undelivered', 'failed', 'bounced'] },
  soft: { set: "status = 'bounced', bounce = 'soft'", from: ['sent', 'delivered', 'undelivered', 'failed'] },
  complaint: { set: "status = 'complained'", from: ['sent', 'delivered', 'undelivered', 'bounced'] },
  delivered: { set: "status = 'delivered'", from: ['sent'] },
};

const reasonOf = (r: string) => jsonb("jsonb_build_object('statusReason', " + r + ')');
const jsonb = (obj: string) => `(s.data::jsonb || ${obj})::json`;
/** Subscription statuses: 0 subscribed, 2 complained, 3 hardbounced, 5 suspended. */
const SUBSCRIPTION_SET: Record<FeedbackKind, { set: string; where: string }> = {
  hard: { set: `status = 3, data = ${reasonOf('x.reason')}, updated_at = $2`, where: 's.status IN (0, 5)' },
  complaint: { set: `status = 2, data = ${reasonOf('x.reason')}, updated_at = $2`, where: 's.status <> 2' },
  soft: {
    set: `soft_bounces = s.soft_bounces + 1,
          status = CASE WHEN s.status = 0 AND s.soft_bounces + 1 >= x.soft_limit THEN 5 ELSE s.status END,
          data = CASE WHEN s.status = 0 AND s.soft_bounces + 1 >= x.soft_limit
                 THEN ${reasonOf("x.soft_limit || ' soft bounces in a row: ' || x.reason")} ELSE s.data END,
          updated_at = $2`,
    where: 'TRUE',
  },
  delivered: { set: 'soft_bounces = 0', where: 's.soft_bounces > 0' },
};

const KINDS = Object.keys(MESSAGE_SET) as FeedbackKind[];

const perKind = (sql: (kind: FeedbackKind) => string) =>
  Object.fromEntries(KINDS.map((k) => [k, sql(k)])) as Record<FeedbackKind, string>;

const s = {
  insertMessageEvents: `WITH x AS (SELECT * FROM json_to_recordset($1::json) AS x(n int, message_id bigint, account_id int, trigger_id int, type text, data jsonb)),
   ins AS (INSERT INTO message_events (message_id, account_id, trigger_id, type, data, created_at)
           SELECT message_id, account_id, trigger_id, type, data, $2 FROM x ORDER BY n ON CONFLICT DO NOTHING RETURNING id, message_id, type)
   SELECT MIN(x.n) AS n FROM ins JOIN x ON x.message_id = ins.message_id AND x.type = ins.type GROUP BY ins.id`,
  message: perKind(
    (k) => `UPDATE messages m SET ${MESSAGE_SET[k].set}, feedback_reason = x.reason, feedback_at = $2
     FROM json_to_recordset($1::json) AS x(id bigint, reason text) WHERE m.id = x.id AND m.status = ANY($3::text[])`,
  ),
  subscription: perKind(
    (k) => `UPDATE subscriptions s SET ${SUBSCRIPTION_SET[k].set}
     FROM json_to_recordset($1::json) AS x(profile_id text, resource_id int, channel text, address text, reason text, soft_limit int), profiles p
     WHERE p.id = x.profile_id AND s.profile_seq = p.seq AND s.resource_id = x.resource_id AND s.channel = x.channel AND s.address = x.address AND ${SUBSCRIPTION_SET[k].where}`,
  ),
  messages: `${FEEDBACK_MESSAGE} WHERE m.id = ANY($1::bigint[])`,
} as const;

export class PgBounces {
  /** `feedback` bumps the report counters, `events` takes the hook events, in the same transaction. */
  constructor(
    private readonly feedback: PgFeedback,
    private readonly events: PgEvents,
  ) {}

  /**
   * The one place message events are written: inserts them in one statement and returns the
   * indexes of those that were new (an event a message can have once, already there, is not).
   */
  async insertMessageEvents(db: Queryable, events: MessageEvent[], now: number): Promise<number[]> {
    if (events.length === 0) return [];
    const r = await db.query<{ n: number }>(s.insertMessageEvents, [
      JSON.stringify(
        events.map((e, n) => ({
          n,
          message_id: e.messageId,
          account_id: e.accountId,
          trigger_id: e.triggerId,
          type: e.type,
          data: e.data,
        })),
      ),
      now,
    ]);
    return r.rows.map((row) => row.n).sort((a, b) => a - b);
  }

  async recordFeedback(db: Queryable, items: FeedbackItem[], now: number): Promise<number[]> {
    const fresh = (await this.insertMessageEvents(db, items.map(messageEventOf), now)).map((i) => items[i]);
    for (const kind of KINDS) {
      const these = fresh.filter((f) => f.kind === kind);
      if (these.length === 0) continue;
      await db.query(s.message[kind], [
        JSON.stringify(these.map((f) => ({ id: f.messageId, reason: f.reason.slice(0, 500) }))),
        now,
        MESSAGE_SET[kind].from,
      ]);
      const subs = these.flatMap((f) =>
        f.subscription ? [{ ...f.subscription, reason: f.reason.slice(0, 300), softLimit: f.softLimit }] : [],
      );
      if (subs.length === 0) continue;
      await db.query(s.subscription[kind], [
        JSON.stringify(
          subs.map((k) => ({
            profile_id: k.profileId,
            resource_id: k.resourceId,
            channel: k.channel,
            address: k.address,
            reason: k.reason,
            soft_limit: k.softLimit,
          })),
        ),
        now,
      ]);
    }
    await this.events.insertEvents(
      db,
      fresh.flatMap((f) => f.events),
      now,
    );
    const tally = new CounterTally();
    for (const f of fresh) tally.add(f.accountId, f.triggerId, now, FEEDBACK_COUNTERS[f.kind]);
    await this.feedback.bump(db, tally.bumps());
    return fresh.map((f) => f.messageId);
  }

  async findFeedbackMessages(db: Queryable, ids: number[]): Promise<FeedbackMessage[]> {
    if (ids.length === 0) return [];
    const r = await db.query<ReceiptMessageRow & { account_id: number }>(s.messages, [ids]);
    return r.rows.map((row) => ({ ...toReceiptMessage(row), accountId: row.account_id }));
  }
}
