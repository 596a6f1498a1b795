// Profiles on SQLite: set-wise lookups through the value table and the subscription index
// (`IN (SELECT value FROM json_each(?))`: one statement per field or channel, whatever the
// batch size), and the batch write of an import in prepared statements.
import type { Channel } from '../../core/catalog/types.js';
import type { MatchKey } from '../../core/matching/modes.js';
import type { SqliteDb } from './open.js';
import type { ImportWrite } from '../../core/imports/store-port.js';
import type { LaunchWrite } from '../../core/triggers/store-port.js';
import type { StoredProfile, StoredSubscription, ValueRowWrite } from '../../core/profiles/store-port.js';
import { idKey, fieldKey, subscriptionKey } from '../../core/matching/keys.js';
import { likeEscape } from '../shared/like.js';
import { CounterTally, insertedCounters } from '../../core/delivery/counters.js';
import type { SqliteEvents } from './events.js';
import type { SqliteFeedback } from './feedback.js';

/** Raw rows (arrays, `.all()`): a batch reads thousands of them, objects and iterators per row are garbage. */
type ProfileRow = [
  seq: number,
  id: string,
  accountId: number,
  dbId: number,
  fields: string,
  createdAt: number,
  updatedAt: number,
];
type SubscriptionRow = [
  profileSeq: number,
  resourceId: number,
  channel: string,
  address: string,
  status: number,
  priority: number,
  data: string,
  createdAt: number,
  updatedAt: number,
];
const PROFILE_COLUMNS = 'seq, id, account_id, db_id, fields, created_at, updated_at';
const SUBSCRIPTION_COLUMNS =
  'profile_seq, resource_id, channel, address, status, priority, data, created_at, updated_at';

/** The profiles a search of the profile list finds: by id, or by the prefix of an indexed value. */
const SEARCHED = `SELECT seq FROM profiles WHERE db_id = @db AND id = @id
  UNION SELECT profile_seq FROM profile_values WHERE db_id = @db AND value LIKE @prefix ESCAPE '\\'`;

function pushHit(hits: Map<string, number[]>, key: string, seq: number): void {
  const list = hits.get(key);
  if (list) list.push(seq);
  else hits.set(key, [seq]);
}

export class SqliteProfiles {
  private readonly s;

  // long: the table of named statements of the profile tables, prepared once
  /** `feedback` bumps the counters of an import's messages, `events` takes its hook events. */
  constructor(
    db: SqliteDb,
    private readonly feedback: SqliteFeedback,
    private readonly events: SqliteEvents,
  ) {
    this.s = {
      valuesByField: db
        .prepare(
          'SELECT value, profile_seq FROM profile_values WHERE db_id = ? AND field = ? AND value IN (SELECT value FROM json_each(?))',
        )
        .raw(true),
      subsByChannel: db
        .prepare(
          'SELECT address, resource_id, profile_seq FROM subscriptions WHERE db_id = ? AND channel = ? AND address IN (SELECT value FROM json_each(?))',
        )
        .raw(true),
      profilesById: db
        .prepare('SELECT id, seq FROM profiles WHERE db_id = ? AND id IN (SELECT value FROM json_each(?))')
        .raw(true),
      profilesBySeq: db
        .prepare(`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE db_id = ? AND seq IN (SELECT value FROM json_each(?))`)
        .raw(true),
      profilesBySeqAnyDb: db
        .prepare(`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE seq IN (SELECT value FROM json_each(?))`)
        .raw(true),
      subsBySeq: db
        .prepare(
          `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE profile_seq IN (SELECT value FROM json_each(?))`,
        )
        .raw(true),
      insertProfile: db.prepare(
        'INSERT INTO profiles (id, account_id, db_id, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      updateProfile: db.prepare('UPDATE profiles SET fields = ?, updated_at = ? WHERE seq = ?'),
      insertValue: db.prepare(
        'INSERT INTO profile_values (db_id, field, value, profile_seq, num) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET num = excluded.num',
      ),
      deleteValue: db.prepare(
        'DELETE FROM profile_values WHERE db_id = ? AND field = ? AND value = ? AND profile_seq = ?',
      ),
      upsertSubscription: db.prepare(
        `INSERT INTO subscriptions (profile_seq, resource_id, channel, address, db_id, status, priority, data, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (profile_seq, resource_id, channel, address) DO UPDATE SET
           status = excluded.status, priority = excluded.priority, data = excluded.data, updated_at = excluded.updated_at`,
      ),
      insertLaunch: db.prepare(
        'INSERT INTO launches (account_id, trigger_id, kind, content, custom_data, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertAttachment: db.prepare(
        'INSERT INTO attachments (launch_id, position, name, mime, data) VALUES (?, ?, ?, ?, ?)',
      ),
      insertMessage: db.prepare(
        `INSERT INTO messages (account_id, trigger_id, launch_id, profile_id, channel, resource_id, address, status, due_at, variant, custom_data, skip_reason, created_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // A launch may get its messages over several writes: the range only widens.
      setLaunchRange: db.prepare(
        'UPDATE launches SET first_message_id = coalesce(min(first_message_id, @first), @first), last_message_id = coalesce(max(last_message_id, @last), @last) WHERE id = @id',
      ),
      page: db.prepare('SELECT seq FROM profiles WHERE db_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?').pluck(),
      count: db.prepare('SELECT COUNT(*) FROM profiles WHERE db_id = ?').pluck(),
      searchPage: db.prepare(`SELECT seq FROM (${SEARCHED}) ORDER BY seq DESC LIMIT @limit OFFSET @offset`).pluck(),
      searchCount: db.prepare(`SELECT COUNT(*) FROM (${SEARCHED})`).pluck(),
      deleteProfile: db.prepare('DELETE FROM profiles WHERE seq = ?'),
      deleteSubscriptions: db.prepare('DELETE FROM subscriptions WHERE profile_seq = ?'),
      cancelMessages: db.prepare(
        "UPDATE messages SET status = 'cancelled', skip_reason = 'profile deleted', lease_until = NULL WHERE profile_id = ? AND status = 'scheduled'",
      ),
    };
  }

  findMatches(dbId: number, keys: MatchKey[]): Map<string, number[]> {
    const byField = new Map<string, string[]>();
    const byChannel = new Map<Channel, string[]>();
    // Hits are reported only under the key variants asked for: any resource ('*') or a given one.
    const starChannels = new Set<Channel>();
    const resourceChannels = new Set<Channel>();
    const ids: string[] = [];
    for (const k of keys) {
      if (k.kind === 'field') {
        const list = byField.get(k.field);
        if (list) list.push(k.value);
        else byField.set(k.field, [k.value]);
      } else if (k.kind === 'sub') {
        const list = byChannel.get(k.channel);
        if (list) list.push(k.address);
        else byChannel.set(k.channel, [k.address]);
        (k.resourceId === '*' ? starChannels : resourceChannels).add(k.channel);
      } else ids.push(k.id);
    }
    const hits = new Map<string, number[]>();
    for (const [field, values] of byField) {
      for (const r of this.s.valuesByField.all(dbId, field, JSON.stringify(values)) as [string, number][])
        pushHit(hits, fieldKey(field, r[0]), r[1]);
    }
    for (const [channel, addresses] of byChannel) {
      for (const r of this.s.subsByChannel.all(dbId, channel, JSON.stringify([...new Set(addresses)])) as [
        string,
        number,
        number,
      ][]) {
        if (resourceChannels.has(channel)) pushHit(hits, subscriptionKey(channel, r[1], r[0]), r[2]);
        if (starChannels.has(channel)) pushHit(hits, subscriptionKey(channel, '*', r[0]), r[2]);
      }
    }
    if (ids.length > 0) {
      for (const r of this.s.profilesById.all(dbId, JSON.stringify(ids)) as [string, number][])
        pushHit(hits, idKey(r[0]), r[1]);
    }
    for (const list of hits.values()) {
      if (list.length < 2) continue;
      list.sort((a, b) => a - b);
      // A profile with two subscriptions on one address shows up twice under the '*' key.
      for (let i = list.length - 1; i > 0; i--) if (list[i] === list[i - 1]) list.splice(i, 1);
    }
    return hits;
  }

  listProfiles(
    dbId: number,
    search: string | undefined,
    offset: number,
    limit: number,
  ): { seqs: number[]; total: number } {
    if (search === undefined)
      return {
        seqs: this.s.page.all(dbId, limit, offset) as number[],
        total: this.s.count.get(dbId) as number,
      };
    const params = { db: dbId, id: search.toLowerCase(), prefix: `${likeEscape(search)}%`, limit, offset };
    return { seqs: this.s.searchPage.all(params) as number[], total: this.s.searchCount.get(params) as number };
  }

  loadProfiles(dbId: number, seqs: number[]): StoredProfile[] {
    return this.load(seqs, dbId);
  }

  /** Profiles by row number whatever their database (delivery: messages name their profile). */
  loadProfilesAnyDb(seqs: number[]): StoredProfile[] {
    return this.load(seqs);
  }

  private load(seqs: number[], dbId?: number): StoredProfile[] {
    if (seqs.length === 0) return [];
    const json = JSON.stringify(seqs);
    const profiles = new Map<number, StoredProfile>();
    const rows = (
      dbId === undefined ? this.s.profilesBySeqAnyDb.all(json) : this.s.profilesBySeq.all(dbId, json)
    ) as ProfileRow[];
    // Rows are read by index: destructuring an array goes through the iterator protocol (garbage per row).
    for (const r of rows)
      profiles.set(r[0], {
        seq: r[0],
        id: r[1],
        accountId: r[2],
        dbId: r[3],
        fields: JSON.parse(r[4]),
        createdAt: r[5],
        updatedAt: r[6],
        subscriptions: [],
      });
    for (const r of this.s.subsBySeq.all(json) as SubscriptionRow[])
      profiles.get(r[0])?.subscriptions.push(toSubscription(r));
    return [...profiles.values()];
  }

  saveImport(w: ImportWrite): void {
    this.writeProfiles(w);
    this.writeMessages(w);
    this.events.insertAccountEvents(w.accountId, w.events, w.now);
  }

  /** The import's profiles (new or updated), their index values and subscriptions. */
  private writeProfiles(w: ImportWrite): void {
    const s = this.s;
    for (const p of w.profiles) {
      let seq = p.seq;
      const fields = JSON.stringify(p.fields);
      if (seq === undefined)
        seq = Number(s.insertProfile.run(p.id, w.accountId, w.dbId, fields, p.createdAt, p.updatedAt).lastInsertRowid);
      else s.updateProfile.run(fields, p.updatedAt, seq);
      for (const v of p.removeValues) s.deleteValue.run(w.dbId, v.field, v.value, seq);
      for (const v of p.addValues) s.insertValue.run(w.dbId, v.field, v.value, seq, v.num);
      for (const sub of p.subscriptions) {
        s.upsertSubscription.run(
          seq,
          sub.resourceId,
          sub.channel,
          sub.address,
          w.dbId,
          sub.status,
          sub.priority,
          JSON.stringify(sub.data),
          sub.createdAt,
          sub.updatedAt,
        );
      }
    }
  }

  /** The import's messages, the message range of each launch and their counters. */
  private writeMessages(w: ImportWrite): void {
    const s = this.s;
    const ranges = new Map<number, [number, number]>();
    const tally = new CounterTally();
    for (const m of w.messages) {
      tally.add(w.accountId, m.triggerId, w.now, insertedCounters(m.status, m.skipReason));
      const launchId = m.launchId;
      const id = Number(
        s.insertMessage.run(
          w.accountId,
          m.triggerId,
          launchId,
          m.profileId,
          m.channel,
          m.resourceId,
          m.address,
          m.status,
          m.dueAt,
          m.variant,
          m.customData ? JSON.stringify(m.customData) : null,
          m.skipReason,
          w.now,
          m.status === 'skipped' ? w.now : null,
        ).lastInsertRowid,
      );
      const range = ranges.get(launchId);
      if (range) range[1] = id;
      else ranges.set(launchId, [id, id]);
    }
    for (const [id, [first, last]] of ranges) s.setLaunchRange.run({ first, last, id });
    this.feedback.bump(tally.bumps());
  }

  /** Stores a launch with its attachments (once per launch, whatever the number of its messages). */
  insertLaunch(accountId: number, l: LaunchWrite, now: number): number {
    const id = Number(
      this.s.insertLaunch.run(
        accountId,
        l.triggerId,
        l.kind,
        l.content ? JSON.stringify(l.content) : null,
        l.customData ? JSON.stringify(l.customData) : null,
        now,
      ).lastInsertRowid,
    );
    l.attachments.forEach((a, i) => this.s.insertAttachment.run(id, i, a.name, a.mime, a.data));
    return id;
  }

  deleteProfile(profile: StoredProfile, rows: ValueRowWrite[]): void {
    for (const v of rows) this.s.deleteValue.run(profile.dbId, v.field, v.value, profile.seq);
    this.s.deleteSubscriptions.run(profile.seq);
    this.s.deleteProfile.run(profile.seq);
    this.s.cancelMessages.run(profile.id);
  }
}

function toSubscription(r: SubscriptionRow): StoredSubscription {
  return {
    resourceId: r[1],
    channel: r[2] as Channel,
    address: r[3],
    status: r[4],
    priority: r[5],
    data: JSON.parse(r[6]),
    createdAt: r[7],
    updatedAt: r[8],
  };
}
