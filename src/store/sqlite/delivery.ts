// Delivery on SQLite: leased claims (the engine thread is the only writer of this connection,
// and claims run inside BEGIN IMMEDIATE, so several processes never claim one message), send
// context, outcomes with their hook events, hook cursors, and retention.
import { randomBytes } from 'node:crypto';
import type {
  AccountEvent,
  ClaimedMessage,
  HookResult,
  HookState,
  LaunchData,
  ReceiptMessage,
  RecordedOutcome,
  StoredEvent,
  SubscriptionChange,
  SubscriptionKey,
} from '../../core/delivery/store-port.js';
import {
  RECEIPT_MESSAGE,
  toClaimedMessage,
  toReceiptMessage,
  type ClaimedMessageRow,
  type ReceiptMessageRow,
} from '../shared/rows.js';
import type { StoredProfile } from '../../core/profiles/store-port.js';
import type { SqliteDb } from './open.js';
import type { SqliteProfiles } from './profiles.js';
import type { SqliteFeedback } from './feedback.js';
import { CounterTally, dayOf, outcomeCounters } from '../../core/delivery/counters.js';
import type { SqliteBounces } from './bounces.js';
import type { SqliteEvents } from './events.js';

type MessageRow = ClaimedMessageRow<string | null>;

type Applied = { account_id: number; trigger_id: number } | undefined;

interface HookStateRow {
  hook_id: number;
  cursor: number;
  attempts: number;
  next_attempt_at: number;
  first_failure_at: number | null;
  delivered: number;
  dead_lettered: number;
}

export class SqliteDelivery {
  private readonly s;

  // long: the table of named statements of the delivery tables, prepared once
  constructor(
    db: SqliteDb,
    private readonly profiles: SqliteProfiles,
    private readonly feedback: SqliteFeedback,
    private readonly bounces: SqliteBounces,
    private readonly events: SqliteEvents,
  ) {
    this.s = {
      dueScheduled: db.prepare(
        "SELECT id, due_at FROM messages WHERE status = 'scheduled' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
      ),
      expiredLeases: db.prepare(
        "SELECT id, due_at FROM messages WHERE status = 'sending' AND lease_until < ? ORDER BY due_at, id LIMIT ?",
      ),
      // One statement per claim: the chosen ids, and among them the reclaimed ones, as JSON arrays.
      claim: db.prepare(
        `UPDATE messages SET status = 'sending', attempts = attempts + 1,
           reclaims = reclaims + (id IN (SELECT value FROM json_each(?))), lease_until = ?, claim_token = ?
         WHERE id IN (SELECT value FROM json_each(?))
         RETURNING id, account_id, trigger_id, launch_id, profile_id, channel, resource_id, address, attempts, variant, custom_data, claim_token`,
      ),
      profilesById: db.prepare('SELECT seq FROM profiles WHERE id IN (SELECT value FROM json_each(?))'),
      launches: db.prepare(
        'SELECT id, content, custom_data FROM launches WHERE id IN (SELECT value FROM json_each(?))',
      ),
      attachments: db.prepare(
        'SELECT launch_id, name, mime, data FROM attachments WHERE launch_id IN (SELECT value FROM json_each(?)) ORDER BY launch_id, position',
      ),
      // Every sent outcome of a group in one statement: [id, claim token, sender id, provider id] rows as JSON.
      sent: db.prepare(
        `UPDATE messages SET status = 'sent', sent_at = ?, finished_at = ?, lease_until = NULL, last_error = NULL,
           sender_id = x.value ->> 2, provider_id = x.value ->> 3
         FROM json_each(?) AS x
         WHERE messages.id = x.value ->> 0 AND messages.claim_token = x.value ->> 1 AND messages.status = 'sending'
         RETURNING messages.id, messages.account_id, messages.trigger_id`,
      ),
      receipt: db.prepare(
        "UPDATE messages SET status = ?, receipt_status = ?, receipt_reason = ?, receipt_at = ? WHERE id = ? AND status = 'sent' RETURNING account_id, trigger_id",
      ),
      changeSubscription: db.prepare(
        `UPDATE subscriptions SET status = ?, data = json_set(data, '$.statusReason', ?), updated_at = ?
         WHERE profile_seq = (SELECT seq FROM profiles WHERE id = ?) AND resource_id = ? AND channel = ? AND address = ? AND status <> ?`,
      ),
      receiptByProvider: db.prepare(
        `${RECEIPT_MESSAGE} WHERE m.sender_id = ? AND m.provider_id = ? AND m.account_id = ? ORDER BY m.id DESC LIMIT 1`,
      ),
      messageById: db.prepare(`${RECEIPT_MESSAGE} WHERE m.id = ? AND m.account_id = ?`),
      receiptById: db.prepare(`${RECEIPT_MESSAGE} WHERE m.sender_id = ? AND m.id = ? AND m.account_id = ?`),
      retry: db.prepare(
        "UPDATE messages SET status = 'scheduled', due_at = ?, lease_until = NULL, last_error = ? WHERE id = ? AND claim_token = ? AND status = 'sending' RETURNING account_id, trigger_id",
      ),
      failed: db.prepare(
        "UPDATE messages SET status = 'failed', finished_at = ?, lease_until = NULL, last_error = ? WHERE id = ? AND claim_token = ? AND status = 'sending' RETURNING account_id, trigger_id",
      ),
      skipped: db.prepare(
        "UPDATE messages SET status = 'skipped', finished_at = ?, lease_until = NULL, skip_reason = ? WHERE id = ? AND claim_token = ? AND status = 'sending' RETURNING account_id, trigger_id",
      ),
      released: db.prepare(
        "UPDATE messages SET status = 'scheduled', attempts = attempts - 1, lease_until = NULL WHERE id = ? AND claim_token = ? AND status = 'sending' RETURNING account_id, trigger_id",
      ),
      nextDue: db.prepare("SELECT MIN(due_at) AS due FROM messages WHERE status = 'scheduled'"),
      nextLease: db.prepare("SELECT MIN(lease_until) AS due FROM messages WHERE status = 'sending'"),
      unsubscribe: db.prepare(
        `UPDATE subscriptions SET status = 1, updated_at = ?
         WHERE profile_seq = (SELECT seq FROM profiles WHERE id = ?) AND resource_id = ? AND channel = ? AND address = ? AND status <> 1`,
      ),
      ensureHook: db.prepare('INSERT INTO hook_states (hook_id) VALUES (?) ON CONFLICT (hook_id) DO NOTHING'),
      leaseHook: db.prepare(
        `UPDATE hook_states SET lease_until = ?, lease_token = ?
         WHERE hook_id = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) RETURNING *`,
      ),
      events: db.prepare('SELECT * FROM events WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?'),
      hookDelivered: db.prepare(
        `UPDATE hook_states SET cursor = ?, attempts = 0, next_attempt_at = 0, first_failure_at = NULL, last_error = NULL,
           delivered = delivered + ?, lease_until = NULL, lease_token = NULL WHERE hook_id = ? AND lease_token = ?`,
      ),
      hookFailed: db.prepare(
        `UPDATE hook_states SET attempts = attempts + 1, next_attempt_at = ?, first_failure_at = ?, last_error = ?,
           lease_until = NULL, lease_token = NULL WHERE hook_id = ? AND lease_token = ?`,
      ),
      hookDead: db.prepare(
        `UPDATE hook_states SET cursor = ?, attempts = 0, next_attempt_at = 0, first_failure_at = NULL, last_error = ?,
           dead_lettered = dead_lettered + ?, lease_until = NULL, lease_token = NULL WHERE hook_id = ? AND lease_token = ?`,
      ),
      deadLetter: db.prepare(
        'INSERT INTO hook_dead_letters (hook_id, event_id, error, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      purgeMessages: db.prepare('DELETE FROM messages WHERE finished_at IS NOT NULL AND finished_at < ?'),
      purgeMessageEvents: db.prepare('DELETE FROM message_events WHERE created_at < ?'),
      oldLaunches: db.prepare('SELECT id, first_message_id, last_message_id FROM launches WHERE created_at < ?'),
      launchHasMessages: db.prepare('SELECT 1 FROM messages WHERE id BETWEEN ? AND ? AND launch_id = ? LIMIT 1'),
      deleteLaunch: db.prepare('DELETE FROM launches WHERE id = ?'),
      deleteAttachments: db.prepare('DELETE FROM attachments WHERE launch_id = ?'),
      purgeEvents: db.prepare(
        `DELETE FROM events WHERE created_at < ? AND id <= COALESCE(
           (SELECT MIN(COALESCE(s.cursor, 0)) FROM action_hooks h LEFT JOIN hook_states s ON s.hook_id = h.id WHERE h.account_id = events.account_id),
           events.id)`,
      ),
    };
  }

  claimMessages(now: number, limit: number, leaseMs: number): ClaimedMessage[] {
    const due = this.s.dueScheduled.all(now, limit) as { id: number; due_at: number }[];
    const expired = this.s.expiredLeases.all(now, limit) as { id: number; due_at: number }[];
    const reclaim = new Set(expired.map((r) => r.id));
    const chosen = [...due, ...expired].sort((a, b) => a.due_at - b.due_at || a.id - b.id).slice(0, limit);
    if (chosen.length === 0) return [];
    const token = randomBytes(9).toString('base64url');
    const ids = JSON.stringify(chosen.map((c) => c.id));
    const rows = this.s.claim.all(JSON.stringify([...reclaim]), now + leaseMs, token, ids) as MessageRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: ClaimedMessage[] = [];
    for (const c of chosen) {
      const r = byId.get(c.id);
      if (!r) continue;
      out.push(toClaimedMessage(r, r.custom_data ? JSON.parse(r.custom_data) : null, reclaim.has(c.id)));
    }
    return out;
  }

  /** The profiles messages name, by id, whatever their database. */
  loadRecipients(profileIds: string[]): Map<string, StoredProfile> {
    const out = new Map<string, StoredProfile>();
    if (profileIds.length === 0) return out;
    const seqs = (this.s.profilesById.all(JSON.stringify(profileIds)) as { seq: number }[]).map((r) => r.seq);
    for (const p of this.profiles.loadProfilesAnyDb(seqs)) out.set(p.id, p);
    return out;
  }

  loadLaunches(ids: number[]): Map<number, LaunchData> {
    const out = new Map<number, LaunchData>();
    if (ids.length === 0) return out;
    const json = JSON.stringify(ids);
    for (const r of this.s.launches.all(json) as { id: number; content: string | null; custom_data: string | null }[]) {
      out.set(r.id, {
        id: r.id,
        content: r.content ? JSON.parse(r.content) : null,
        customData: r.custom_data ? JSON.parse(r.custom_data) : null,
        attachments: [],
      });
    }
    for (const a of this.s.attachments.all(json) as { launch_id: number; name: string; mime: string; data: Buffer }[]) {
      out.get(a.launch_id)?.attachments.push({ name: a.name, mime: a.mime, data: a.data });
    }
    return out;
  }

  recordOutcomes(outcomes: RecordedOutcome[], now: number): number[] {
    const applied: number[] = [];
    const tally = new CounterTally();
    const sent = this.applySent(outcomes, now);
    for (const o of outcomes) {
      const row = o.kind === 'sent' ? sent.get(o.id) : this.applyOutcome(o, now);
      if (!row) continue;
      applied.push(o.id);
      tally.add(
        row.account_id,
        row.trigger_id,
        now,
        outcomeCounters(o.kind, o.kind === 'skipped' ? o.reason : null, o.counters),
      );
      if (o.event) this.events.insertEvents([o.event], now);
      if (o.subscription) this.changeSubscription(o.subscription, now);
      if (o.feedback) this.bounces.recordFeedback([o.feedback], now);
    }
    this.feedback.bump(tally.bumps());
    return applied;
  }

  /** The sent outcomes of a group, written by one statement: the account and trigger of each applied one. */
  private applySent(outcomes: RecordedOutcome[], now: number): Map<number, Applied> {
    const rows: [number, string, number | null, string | null][] = [];
    for (const o of outcomes)
      if (o.kind === 'sent') rows.push([o.id, o.claimToken, o.senderId ?? null, o.providerId ?? null]);
    if (rows.length === 0) return new Map();
    const changed = this.s.sent.all(now, now, JSON.stringify(rows)) as {
      id: number;
      account_id: number;
      trigger_id: number;
    }[];
    return new Map(changed.map((r) => [r.id, r]));
  }

  /** The message's account and trigger when the outcome (other than sent) was applied, else undefined. */
  private applyOutcome(o: RecordedOutcome, now: number): { account_id: number; trigger_id: number } | undefined {
    const s = this.s;
    switch (o.kind) {
      case 'sent':
        return this.applySent([o], now).get(o.id);
      case 'delivered':
      case 'undelivered':
        return s.receipt.get(o.kind, o.providerStatus, o.reason, now, o.id) as Applied;
      case 'retry':
        return s.retry.get(o.dueAt, o.error, o.id, o.claimToken) as Applied;
      case 'failed':
        return s.failed.get(now, o.error, o.id, o.claimToken) as Applied;
      case 'skipped':
        return s.skipped.get(now, o.reason, o.id, o.claimToken) as Applied;
      case 'released':
        return s.released.get(o.id, o.claimToken) as Applied;
    }
  }

  private changeSubscription(c: SubscriptionChange, now: number): void {
    const k = c.key;
    const changed =
      this.s.changeSubscription.run(c.status, c.reason, now, k.profileId, k.resourceId, k.channel, k.address, c.status)
        .changes > 0;
    if (changed && c.event) this.events.insertEvents([c.event], now);
  }

  findReceiptMessage(
    accountId: number,
    senderId: number,
    ref: { providerId: string } | { id: number },
  ): ReceiptMessage | undefined {
    const r = (
      'providerId' in ref
        ? this.s.receiptByProvider.get(senderId, ref.providerId, accountId)
        : this.s.receiptById.get(senderId, ref.id, accountId)
    ) as ReceiptMessageRow | undefined;
    return r ? toReceiptMessage(r) : undefined;
  }

  findMessage(accountId: number, id: number): ReceiptMessage | undefined {
    const r = this.s.messageById.get(id, accountId) as ReceiptMessageRow | undefined;
    return r ? toReceiptMessage(r) : undefined;
  }

  nextDueAt(): number | undefined {
    const due = (this.s.nextDue.get() as { due: number | null }).due;
    const lease = (this.s.nextLease.get() as { due: number | null }).due;
    const all = [due, lease].filter((v): v is number => v !== null);
    return all.length > 0 ? Math.min(...all) : undefined;
  }

  unsubscribe(
    key: SubscriptionKey,
    event: AccountEvent | undefined,
    now: number,
    count?: { accountId: number; triggerId: number },
  ): boolean {
    const changed = this.s.unsubscribe.run(now, key.profileId, key.resourceId, key.channel, key.address).changes > 0;
    if (changed && event) this.events.insertEvents([event], now);
    if (changed && count) this.feedback.bump([{ ...count, day: dayOf(now), name: 'unsubscribed', n: 1 }]);
    return changed;
  }

  leaseHook(hookId: number, now: number, leaseMs: number): { state: HookState; token: string } | undefined {
    this.s.ensureHook.run(hookId);
    const token = randomBytes(9).toString('base64url');
    const r = this.s.leaseHook.get(now + leaseMs, token, hookId, now, now) as HookStateRow | undefined;
    if (!r) return undefined;
    return {
      token,
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

  listEvents(accountId: number, after: number, limit: number): StoredEvent[] {
    return (
      this.s.events.all(accountId, after, limit) as {
        id: number;
        type: string;
        db_id: number | null;
        resource_id: number | null;
        trigger_id: number | null;
        profile_id: string | null;
        payload: string;
        created_at: number;
      }[]
    ).map((r) => ({
      id: r.id,
      type: r.type,
      dbId: r.db_id,
      resourceId: r.resource_id,
      triggerId: r.trigger_id,
      profileId: r.profile_id,
      payload: JSON.parse(r.payload),
      createdAt: r.created_at,
    }));
  }

  finishHook(hookId: number, token: string, result: HookResult, now: number): void {
    if (result.kind === 'delivered') this.s.hookDelivered.run(result.cursor, result.count, hookId, token);
    else if (result.kind === 'failed')
      this.s.hookFailed.run(result.nextAttemptAt, result.firstFailureAt, result.error, hookId, token);
    else {
      for (const id of result.eventIds) this.s.deadLetter.run(hookId, id, result.error, now);
      this.s.hookDead.run(result.cursor, result.error, result.eventIds.length, hookId, token);
    }
  }

  purge(before: number): { messages: number; events: number } {
    const messages = this.s.purgeMessages.run(before).changes;
    // What happened to messages after their send is kept as long as the messages are.
    this.s.purgeMessageEvents.run(before);
    for (const l of this.s.oldLaunches.all(before) as {
      id: number;
      first_message_id: number | null;
      last_message_id: number | null;
    }[]) {
      const used =
        l.first_message_id !== null && this.s.launchHasMessages.get(l.first_message_id, l.last_message_id, l.id);
      if (used) continue;
      this.s.deleteAttachments.run(l.id);
      this.s.deleteLaunch.run(l.id);
    }
    const events = this.s.purgeEvents.run(before).changes;
    this.feedback.purge(before);
    return { messages, events };
  }
}
