// Delivery on PostgreSQL: claims with FOR UPDATE SKIP LOCKED (workers in many processes never
// wait for each other nor take one message twice), outcomes with their hook events, hook
// cursors with leases, retention. Each function runs inside a transaction given by the store.
import { randomBytes } from 'node:crypto';
import type {
  AccountEvent,
  ClaimOutcome,
  ClaimedMessage,
  HookResult,
  HookState,
  LaunchData,
  ReceiptMessage,
  ReceiptOutcome,
  RecordedOutcome,
  StoredEvent,
  SubscriptionChange,
  SubscriptionKey,
} from '../../core/delivery/store-port.js';
import { isReceiptOutcome } from '../../core/delivery/store-port.js';
import {
  RECEIPT_MESSAGE,
  toClaimedMessage,
  toReceiptMessage,
  type ClaimedMessageRow,
  type ReceiptMessageRow,
} from '../shared/rows.js';
import type { StoredProfile } from '../../core/profiles/store-port.js';
import type { Queryable } from './open.js';
import { CounterTally, dayOf, outcomeCounters } from '../../core/delivery/counters.js';
import type { PgBounces } from './bounces.js';
import type { PgEvents } from './events.js';
import type { PgFeedback } from './feedback.js';
import type { PgProfiles } from './profiles.js';

interface MessageRow extends ClaimedMessageRow<Record<string, unknown> | null> {
  reclaimed: boolean;
}

const token = (): string => randomBytes(9).toString('base64url');

const CLAIM_RETURNING =
  'RETURNING m.id, m.account_id, m.trigger_id, m.launch_id, m.profile_id, m.channel, m.resource_id, m.address, m.attempts, m.variant, m.custom_data, m.claim_token';

interface AppliedRow {
  id: number;
  account_id: number;
  trigger_id: number;
}

interface HookStateRow {
  hook_id: number;
  cursor: number;
  attempts: number;
  next_attempt_at: number;
  first_failure_at: number | null;
  delivered: number;
  dead_lettered: number;
}

interface EventRow {
  id: number;
  type: string;
  db_id: number | null;
  resource_id: number | null;
  trigger_id: number | null;
  profile_id: string | null;
  payload: Record<string, unknown>;
  created_at: number;
}

const s = {
  // Messages of dead workers (lease expired) first: they are the oldest due work.
  claimExpired: `WITH picked AS (SELECT id FROM messages WHERE status = 'sending' AND lease_until < $1 ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
   UPDATE messages m SET attempts = m.attempts + 1, reclaims = m.reclaims + 1, lease_until = $3, claim_token = $4
   FROM picked WHERE m.id = picked.id ${CLAIM_RETURNING}, true AS reclaimed`,
  claimDue: `WITH picked AS (SELECT id FROM messages WHERE status = 'scheduled' AND due_at <= $1 ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
   UPDATE messages m SET status = 'sending', attempts = m.attempts + 1, lease_until = $3, claim_token = $4
   FROM picked WHERE m.id = picked.id ${CLAIM_RETURNING}, false AS reclaimed`,
  profilesById: 'SELECT seq FROM profiles WHERE id = ANY($1::text[])',
  launches: 'SELECT id, content, custom_data FROM launches WHERE id = ANY($1::bigint[])',
  attachments:
    'SELECT launch_id, name, mime, data FROM attachments WHERE launch_id = ANY($1::bigint[]) ORDER BY launch_id, position',
  // The outcomes of claimed messages in one statement; only claims still held change (the token must match).
  claimOutcomes: `UPDATE messages m SET
     status = CASE x.kind WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed' WHEN 'skipped' THEN 'skipped' ELSE 'scheduled' END,
     sent_at = CASE WHEN x.kind = 'sent' THEN $2 ELSE m.sent_at END,
     finished_at = CASE WHEN x.kind IN ('sent', 'failed', 'skipped') THEN $2 ELSE m.finished_at END,
     due_at = COALESCE(x.due_at, m.due_at),
     attempts = CASE WHEN x.kind = 'released' THEN m.attempts - 1 ELSE m.attempts END,
     last_error = CASE WHEN x.kind = 'sent' THEN NULL ELSE COALESCE(x.error, m.last_error) END,
     skip_reason = COALESCE(x.reason, m.skip_reason),
     sender_id = COALESCE(x.sender_id, m.sender_id),
     provider_id = COALESCE(x.provider_id, m.provider_id),
     lease_until = NULL
   FROM json_to_recordset($1::json) AS x(n int, id bigint, token text, kind text, due_at bigint, error text, reason text, sender_id int, provider_id text)
   WHERE m.id = x.id AND m.claim_token = x.token AND m.status = 'sending'
   RETURNING m.id, m.account_id, m.trigger_id`,
  // A receipt moves a message that is still `sent` (the same one twice changes nothing).
  receipts: `UPDATE messages m SET status = x.kind, receipt_status = x.provider_status, receipt_reason = x.reason, receipt_at = $2
   FROM json_to_recordset($1::json) AS x(id bigint, kind text, provider_status text, reason text)
   WHERE m.id = x.id AND m.status = 'sent'
   RETURNING m.id, m.account_id, m.trigger_id`,
  changeSubscriptions: `UPDATE subscriptions s SET status = x.status, data = (s.data::jsonb || jsonb_build_object('statusReason', x.reason))::json, updated_at = $2
   FROM json_to_recordset($1::json) AS x(n int, profile_id text, resource_id int, channel text, address text, status int, reason text), profiles p
   WHERE p.id = x.profile_id AND s.profile_seq = p.seq AND s.resource_id = x.resource_id AND s.channel = x.channel AND s.address = x.address AND s.status <> x.status
   RETURNING x.n`,
  receiptByProvider: `${RECEIPT_MESSAGE} WHERE m.sender_id = $1 AND m.provider_id = $2 AND m.account_id = $3 ORDER BY m.id DESC LIMIT 1`,
  receiptById: `${RECEIPT_MESSAGE} WHERE m.sender_id = $1 AND m.id = $2 AND m.account_id = $3`,
  messageById: `${RECEIPT_MESSAGE} WHERE m.id = $1 AND m.account_id = $2`,
  nextDue:
    "SELECT (SELECT MIN(due_at) FROM messages WHERE status = 'scheduled') AS due, (SELECT MIN(lease_until) FROM messages WHERE status = 'sending') AS lease",
  unsubscribe: `UPDATE subscriptions SET status = 1, updated_at = $1
   WHERE profile_seq = (SELECT seq FROM profiles WHERE id = $2) AND resource_id = $3 AND channel = $4 AND address = $5 AND status <> 1`,
  ensureHook: 'INSERT INTO hook_states (hook_id) VALUES ($1) ON CONFLICT (hook_id) DO NOTHING',
  leaseHook: `UPDATE hook_states SET lease_until = $1, lease_token = $2
   WHERE hook_id = (SELECT hook_id FROM hook_states WHERE hook_id = $3 AND next_attempt_at <= $4 AND (lease_until IS NULL OR lease_until < $4)
                    FOR UPDATE SKIP LOCKED)
   RETURNING *`,
  events: 'SELECT * FROM events WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3',
  hookDelivered: `UPDATE hook_states SET cursor = $1, attempts = 0, next_attempt_at = 0, first_failure_at = NULL, last_error = NULL,
     delivered = delivered + $2, lease_until = NULL, lease_token = NULL WHERE hook_id = $3 AND lease_token = $4`,
  hookFailed: `UPDATE hook_states SET attempts = attempts + 1, next_attempt_at = $1, first_failure_at = $2, last_error = $3,
     lease_until = NULL, lease_token = NULL WHERE hook_id = $4 AND lease_token = $5`,
  deadLetters:
    'INSERT INTO hook_dead_letters (hook_id, event_id, error, created_at) SELECT $1, e, $3, $4 FROM unnest($2::bigint[]) AS e ON CONFLICT DO NOTHING',
  hookDead: `UPDATE hook_states SET cursor = $1, attempts = 0, next_attempt_at = 0, first_failure_at = NULL, last_error = $2,
     dead_lettered = dead_lettered + $3, lease_until = NULL, lease_token = NULL WHERE hook_id = $4 AND lease_token = $5`,
  purgeMessages: 'DELETE FROM messages WHERE finished_at IS NOT NULL AND finished_at < $1',
  purgeMessageEvents: 'DELETE FROM message_events WHERE created_at < $1',
  purgeLaunches: `WITH unused AS (
     SELECT l.id FROM launches l WHERE l.created_at < $1
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id BETWEEN l.first_message_id AND l.last_message_id AND m.launch_id = l.id)),
   gone AS (DELETE FROM attachments WHERE launch_id IN (SELECT id FROM unused))
   DELETE FROM launches WHERE id IN (SELECT id FROM unused)`,
  purgeClaims: 'DELETE FROM match_claims WHERE claimed_at < $1',
  purgeEvents: `DELETE FROM events e WHERE e.created_at < $1 AND e.id <= COALESCE(
   (SELECT MIN(COALESCE(s.cursor, 0)) FROM action_hooks h LEFT JOIN hook_states s ON s.hook_id = h.id WHERE h.account_id = e.account_id),
   e.id)`,
} as const;

export class PgDelivery {
  constructor(
    private readonly profiles: PgProfiles,
    private readonly feedback: PgFeedback,
    private readonly bounces: PgBounces,
    private readonly events: PgEvents,
  ) {}

  async claimMessages(db: Queryable, now: number, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
    const claim = token();
    const expired = await db.query<MessageRow>(s.claimExpired, [now, limit, now + leaseMs, claim]);
    const due =
      expired.rows.length >= limit
        ? { rows: [] as MessageRow[] }
        : await db.query<MessageRow>(s.claimDue, [now, limit - expired.rows.length, now + leaseMs, claim]);
    return [...expired.rows, ...due.rows]
      .sort((a, b) => a.id - b.id)
      .map((r) => toClaimedMessage(r, r.custom_data, r.reclaimed));
  }

  /** The profiles messages name, by id, whatever their database. */
  async loadRecipients(db: Queryable, profileIds: string[]): Promise<Map<string, StoredProfile>> {
    const out = new Map<string, StoredProfile>();
    if (profileIds.length === 0) return out;
    const seqs = (await db.query<{ seq: number }>(s.profilesById, [profileIds])).rows.map((r) => r.seq);
    for (const p of await this.profiles.loadProfiles(db, seqs, { lock: false })) out.set(p.id, p);
    return out;
  }

  async loadLaunches(db: Queryable, ids: number[]): Promise<Map<number, LaunchData>> {
    const out = new Map<number, LaunchData>();
    if (ids.length === 0) return out;
    const launches = await db.query<{
      id: number;
      content: Record<string, unknown> | null;
      custom_data: Record<string, unknown> | null;
    }>(s.launches, [ids]);
    for (const r of launches.rows)
      out.set(r.id, { id: r.id, content: r.content, customData: r.custom_data, attachments: [] });
    const attachments = await db.query<{ launch_id: number; name: string; mime: string; data: Buffer }>(s.attachments, [
      ids,
    ]);
    for (const a of attachments.rows)
      out.get(a.launch_id)?.attachments.push({ name: a.name, mime: a.mime, data: a.data });
    return out;
  }

  async recordOutcomes(db: Queryable, outcomes: RecordedOutcome[], now: number): Promise<number[]> {
    const claims: { n: number; o: ClaimOutcome }[] = [];
    const receipts: ReceiptOutcome[] = [];
    outcomes.forEach((o, n) => (isReceiptOutcome(o) ? receipts.push(o) : claims.push({ n, o })));
    const done = new Map<number, AppliedRow>();
    if (claims.length > 0) await this.applyClaims(db, claims, now, done);
    if (receipts.length > 0) await this.applyReceipts(db, receipts, now, done);
    const applied = outcomes.filter((o) => done.has(o.id));
    await this.countApplied(db, applied, done, now);
    await this.applyEffects(db, applied, now);
    return [...done.keys()];
  }

  /** The outcomes of claimed messages, in one statement; only claims still held change (the token must match). */
  private async applyClaims(
    db: Queryable,
    claims: { n: number; o: ClaimOutcome }[],
    now: number,
    done: Map<number, AppliedRow>,
  ): Promise<void> {
    const rows = claims.map(({ n, o }) => ({
      n,
      id: o.id,
      token: o.claimToken,
      kind: o.kind,
      due_at: o.kind === 'retry' ? o.dueAt : null,
      error: o.kind === 'retry' || o.kind === 'failed' ? o.error : null,
      reason: o.kind === 'skipped' ? o.reason : null,
      sender_id: o.kind === 'sent' ? (o.senderId ?? null) : null,
      provider_id: o.kind === 'sent' ? (o.providerId ?? null) : null,
    }));
    const changed = await db.query<AppliedRow>(s.claimOutcomes, [JSON.stringify(rows), now]);
    for (const r of changed.rows) done.set(r.id, r);
  }

  /** Delivery receipts, in one statement: a receipt moves a message that is still `sent` (the same one twice changes nothing). */
  private async applyReceipts(
    db: Queryable,
    receipts: ReceiptOutcome[],
    now: number,
    done: Map<number, AppliedRow>,
  ): Promise<void> {
    const changed = await db.query<AppliedRow>(s.receipts, [
      JSON.stringify(
        receipts.map((o) => ({ id: o.id, kind: o.kind, provider_status: o.providerStatus, reason: o.reason })),
      ),
      now,
    ]);
    for (const r of changed.rows) done.set(r.id, r);
  }

  /** The counters of the applied outcomes, per account and trigger. */
  private async countApplied(
    db: Queryable,
    applied: RecordedOutcome[],
    done: Map<number, AppliedRow>,
    now: number,
  ): Promise<void> {
    const tally = new CounterTally();
    for (const o of applied) {
      const row = done.get(o.id) as AppliedRow;
      tally.add(
        row.account_id,
        row.trigger_id,
        now,
        outcomeCounters(o.kind, o.kind === 'skipped' ? o.reason : null, o.counters),
      );
    }
    await this.feedback.bump(db, tally.bumps());
  }

  /** What the applied outcomes bring along: their events, subscription changes (and the events of those) and feedback. */
  private async applyEffects(db: Queryable, applied: RecordedOutcome[], now: number): Promise<void> {
    const events = applied.flatMap((o) => (o.event ? [o.event] : []));
    const changes = applied.flatMap((o) => (o.subscription ? [o.subscription] : []));
    if (changes.length > 0) events.push(...(await this.changeSubscriptions(db, changes, now)));
    await this.events.insertEvents(db, events, now);
    const feedback = applied.flatMap((o) => (o.feedback ? [o.feedback] : []));
    if (feedback.length > 0) await this.bounces.recordFeedback(db, feedback, now);
  }

  /** Applies subscription changes; returns the events of those whose status changed. */
  private async changeSubscriptions(
    db: Queryable,
    changes: SubscriptionChange[],
    now: number,
  ): Promise<AccountEvent[]> {
    const changed = await db.query<{ n: number }>(s.changeSubscriptions, [
      JSON.stringify(
        changes.map((c, n) => ({
          n,
          profile_id: c.key.profileId,
          resource_id: c.key.resourceId,
          channel: c.key.channel,
          address: c.key.address,
          status: c.status,
          reason: c.reason,
        })),
      ),
      now,
    ]);
    return changed.rows.flatMap((r) => (changes[r.n].event ? [changes[r.n].event as AccountEvent] : []));
  }

  async findReceiptMessage(
    db: Queryable,
    accountId: number,
    senderId: number,
    ref: { providerId: string } | { id: number },
  ): Promise<ReceiptMessage | undefined> {
    const r =
      'providerId' in ref
        ? await db.query<ReceiptMessageRow>(s.receiptByProvider, [senderId, ref.providerId, accountId])
        : await db.query<ReceiptMessageRow>(s.receiptById, [senderId, ref.id, accountId]);
    return r.rows[0] ? toReceiptMessage(r.rows[0]) : undefined;
  }

  async findMessage(db: Queryable, accountId: number, id: number): Promise<ReceiptMessage | undefined> {
    const r = await db.query<ReceiptMessageRow>(s.messageById, [id, accountId]);
    return r.rows[0] ? toReceiptMessage(r.rows[0]) : undefined;
  }

  async nextDueAt(db: Queryable): Promise<number | undefined> {
    const r = await db.query<{ due: number | null; lease: number | null }>(s.nextDue);
    const all = [r.rows[0].due, r.rows[0].lease].filter((v): v is number => v !== null);
    return all.length > 0 ? Math.min(...all) : undefined;
  }

  async unsubscribe(
    db: Queryable,
    key: SubscriptionKey,
    event: AccountEvent | undefined,
    now: number,
    count?: { accountId: number; triggerId: number },
  ): Promise<boolean> {
    const r = await db.query(s.unsubscribe, [now, key.profileId, key.resourceId, key.channel, key.address]);
    const changed = (r.rowCount ?? 0) > 0;
    if (changed && event) await this.events.insertEvents(db, [event], now);
    if (changed && count) await this.feedback.bump(db, [{ ...count, day: dayOf(now), name: 'unsubscribed', n: 1 }]);
    return changed;
  }

  async leaseHook(
    db: Queryable,
    hookId: number,
    now: number,
    leaseMs: number,
  ): Promise<{ state: HookState; token: string } | undefined> {
    await db.query(s.ensureHook, [hookId]);
    const t = token();
    const r = (await db.query<HookStateRow>(s.leaseHook, [now + leaseMs, t, hookId, now])).rows[0];
    if (!r) return undefined;
    return {
      token: t,
      state: {
        hookId: r.hook_id,
        cursor: r.cursor,
        attempts: r.attempts,
        nextAttemptAt: r.next_attempt_at,
        firstFailureAt: r.first_failure_at,
        delivered: r.delivered,
        deadLettered: r.dead_lettered,
      },
    };
  }

  async listEvents(db: Queryable, accountId: number, after: number, limit: number): Promise<StoredEvent[]> {
    const r = await db.query<EventRow>(s.events, [accountId, after, limit]);
    return r.rows.map((e) => ({
      id: e.id,
      type: e.type,
      dbId: e.db_id,
      resourceId: e.resource_id,
      triggerId: e.trigger_id,
      profileId: e.profile_id,
      payload: e.payload,
      createdAt: e.created_at,
    }));
  }

  async finishHook(db: Queryable, hookId: number, t: string, result: HookResult, now: number): Promise<void> {
    if (result.kind === 'delivered') await db.query(s.hookDelivered, [result.cursor, result.count, hookId, t]);
    else if (result.kind === 'failed')
      await db.query(s.hookFailed, [result.nextAttemptAt, result.firstFailureAt, result.error, hookId, t]);
    else {
      await db.query(s.deadLetters, [hookId, result.eventIds, result.error, now]);
      await db.query(s.hookDead, [result.cursor, result.error, result.eventIds.length, hookId, t]);
    }
  }

  async purge(db: Queryable, before: number): Promise<{ messages: number; events: number }> {
    const messages = (await db.query(s.purgeMessages, [before])).rowCount ?? 0;
    // What happened to messages after their send is kept as long as the messages are.
    await db.query(s.purgeMessageEvents, [before]);
    await db.query(s.purgeLaunches, [before]);
    await db.query(s.purgeClaims, [before]);
    await this.feedback.purge(db, before);
    const events = (await db.query(s.purgeEvents, [before])).rowCount ?? 0;
    return { messages, events };
  }
}
