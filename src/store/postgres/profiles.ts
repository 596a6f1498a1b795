// Profiles on PostgreSQL: set-wise lookups (`= ANY($n)`), creation claims, rows locked in
// creation order when loaded for an update, and the batch write of an import in a handful of
// statements, a table at a time through the bulk insert (COPY for many new rows, json_to_recordset
// otherwise: one parameter per table, whatever the batch size).
import { CounterTally, insertedCounters } from '../../core/delivery/counters.js';
import type { PgEvents } from './events.js';
import type { PgFeedback } from './feedback.js';
import type { Channel } from '../../core/catalog/types.js';
import type { MatchKey } from '../../core/matching/modes.js';
import { bulkInsert, COPY_MIN, insertSql, recordsJson, renumbered, type BulkTable } from './bulk.js';
import { bumpSql, bumpsJson } from './feedback.js';
import type { PgClient, Queryable } from './open.js';
import type { ImportWrite } from '../../core/imports/store-port.js';
import type { LaunchWrite } from '../../core/triggers/store-port.js';
import type { StoredProfile, ValueRowWrite } from '../../core/profiles/store-port.js';
import { fieldKey, idKey, subscriptionKey } from '../../core/matching/keys.js';
import { likeEscape } from '../shared/like.js';

interface ProfileRow {
  seq: number;
  id: string;
  account_id: number;
  db_id: number;
  fields: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}
interface SubscriptionRow {
  profile_seq: number;
  resource_id: number;
  channel: string;
  address: string;
  status: number;
  priority: number;
  data: StoredProfile['subscriptions'][number]['data'];
  created_at: number;
  updated_at: number;
}

function pushHit(hits: Map<string, number[]>, key: string, seq: number): void {
  const list = hits.get(key);
  if (list) list.push(seq);
  else hits.set(key, [seq]);
}

/** The keys of a batch as the arrays of its one query, and the channels looked up per resource or on any. */
interface Lookup {
  fieldNames: string[];
  fieldValues: string[];
  channels: string[];
  addresses: string[];
  starChannels: Set<Channel>;
  resourceChannels: Set<Channel>;
  ids: string[];
}

type MatchRow = { kind: 'f' | 's' | 'i'; name: string | null; value: string; resource_id: number | null; seq: number };

function lookupOf(keys: MatchKey[]): Lookup {
  const l: Lookup = {
    fieldNames: [],
    fieldValues: [],
    channels: [],
    addresses: [],
    starChannels: new Set(),
    resourceChannels: new Set(),
    ids: [],
  };
  const seenSub = new Set<string>();
  for (const k of keys) {
    if (k.kind === 'field') {
      l.fieldNames.push(k.field);
      l.fieldValues.push(k.value);
    } else if (k.kind === 'sub') {
      (k.resourceId === '*' ? l.starChannels : l.resourceChannels).add(k.channel);
      const id = `${k.channel}\u001f${k.address}`;
      if (seenSub.has(id)) continue;
      seenSub.add(id);
      l.channels.push(k.channel);
      l.addresses.push(k.address);
    } else l.ids.push(k.id);
  }
  return l;
}

/** The profiles found per match key (a subscription row answers its resource's key and the any-resource one). */
function hitsOf(rows: MatchRow[], l: Lookup): Map<string, number[]> {
  const hits = new Map<string, number[]>();
  for (const row of rows) {
    if (row.kind === 'f') pushHit(hits, fieldKey(row.name as string, row.value), row.seq);
    else if (row.kind === 'i') pushHit(hits, idKey(row.value), row.seq);
    else {
      const channel = row.name as Channel;
      if (l.resourceChannels.has(channel))
        pushHit(hits, subscriptionKey(channel, row.resource_id as number, row.value), row.seq);
      if (l.starChannels.has(channel)) pushHit(hits, subscriptionKey(channel, '*', row.value), row.seq);
    }
  }
  return hits;
}

// The tables an import writes, as the bulk insert writes them.
const PROFILES: BulkTable = {
  table: 'profiles',
  key: 'seq',
  columns: [
    ['id', 'text'],
    ['account_id', 'int'],
    ['db_id', 'int'],
    ['fields', 'json'],
    ['created_at', 'bigint'],
    ['updated_at', 'bigint'],
  ],
};
const VALUE_COLUMNS = [
  ['db_id', 'int'],
  ['field', 'text'],
  ['value', 'text'],
  ['profile_seq', 'bigint'],
  ['num', 'double precision'],
] as const;
const NEW_VALUES: BulkTable = { table: 'profile_values', columns: VALUE_COLUMNS };
const VALUES: BulkTable = {
  ...NEW_VALUES,
  onConflict: 'ON CONFLICT (db_id, field, value, profile_seq) DO UPDATE SET num = EXCLUDED.num',
};
const SUBSCRIPTION_COLUMNS = [
  ['profile_seq', 'bigint'],
  ['resource_id', 'int'],
  ['channel', 'text'],
  ['address', 'text'],
  ['db_id', 'int'],
  ['status', 'int'],
  ['priority', 'int'],
  ['data', 'json'],
  ['created_at', 'bigint'],
  ['updated_at', 'bigint'],
] as const;
const NEW_SUBSCRIPTIONS: BulkTable = { table: 'subscriptions', columns: SUBSCRIPTION_COLUMNS };
const SUBSCRIPTIONS: BulkTable = {
  ...NEW_SUBSCRIPTIONS,
  onConflict: `ON CONFLICT (profile_seq, resource_id, channel, address) DO UPDATE SET
    status = EXCLUDED.status, priority = EXCLUDED.priority, data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
};
const MESSAGES: BulkTable = {
  table: 'messages',
  key: 'id',
  returns: ['launch_id'],
  columns: [
    ['account_id', 'int'],
    ['trigger_id', 'int'],
    ['launch_id', 'bigint'],
    ['profile_id', 'text'],
    ['channel', 'text'],
    ['resource_id', 'int'],
    ['address', 'text'],
    ['status', 'text'],
    ['due_at', 'bigint'],
    ['variant', 'int'],
    ['custom_data', 'json'],
    ['skip_reason', 'text'],
    ['created_at', 'bigint'],
    ['finished_at', 'bigint'],
  ],
};
/** Stored profiles' documents updated: `$1` the profiles (seq, fields, updated_at). */
const UPDATE_PROFILES = `UPDATE profiles p SET fields = x.fields, updated_at = x.updated_at
    FROM json_to_recordset($1::json) AS x(seq bigint, fields json, updated_at bigint) WHERE p.seq = x.seq`;
/** Value rows removed: `$1` the database, `$2` the rows (field, value, seq). */
const REMOVE_VALUES = `DELETE FROM profile_values v USING json_to_recordset($2::json) AS x(field text, value text, seq bigint)
    WHERE v.db_id = $1 AND v.field = x.field AND v.value = x.value AND v.profile_seq = x.seq`;

/** The statements of an import's write other than its inserts. */
const importSql = {
  /**
   * A few messages (under COPY_MIN), the counters they start and the message range of their
   * launches, in one statement: one round trip, not three (a joined group of single requests
   * writes this way). `$1` the messages as `recordsJson` gives them, `$2` the counter bumps.
   */
  messagesCountersAndRanges: `WITH m AS (${insertSql(MESSAGES)}), c AS (${renumbered(bumpSql, 2)})
    UPDATE launches l SET first_message_id = LEAST(l.first_message_id, r.first), last_message_id = GREATEST(l.last_message_id, r.last)
    FROM (SELECT launch_id, min(key) AS first, max(key) AS last FROM m GROUP BY launch_id) r WHERE l.id = r.launch_id`,
  /**
   * A small write's profiles, value rows and subscriptions in one statement (one round trip, not up
   * to five): `$1` new profiles, `$2` updated ones, `$3` value rows removed, `$4` value rows and
   * `$5` subscriptions written — each row of these two names its profile by `seq` when it is
   * stored, else by the `id` of the new profile —, `$6` the database. (The removed and written value rows never share a
   * key, so the statement's parts touch disjoint rows.)
   */
  smallProfileWrite: `WITH p AS (
      INSERT INTO profiles (id, account_id, db_id, fields, created_at, updated_at)
      SELECT x.id, x.account_id, x.db_id, x.fields, x.created_at, x.updated_at
      FROM json_to_recordset($1::json) AS x(n int, id text, account_id int, db_id int, fields json, created_at bigint, updated_at bigint)
      ORDER BY x.n RETURNING seq, id
    ), u AS (${renumbered(UPDATE_PROFILES, 2)}
    ), d AS (${renumbered(REMOVE_VALUES, 6, 3)}
    ), v AS (
      INSERT INTO profile_values (db_id, field, value, profile_seq, num)
      SELECT x.db_id, x.field, x.value, coalesce(x.seq, p.seq), x.num
      FROM json_to_recordset($4::json) AS x(n int, db_id int, field text, value text, seq bigint, id text, num double precision)
      LEFT JOIN p ON p.id = x.id ORDER BY x.n
      ON CONFLICT (db_id, field, value, profile_seq) DO UPDATE SET num = EXCLUDED.num
    )
    INSERT INTO subscriptions (profile_seq, resource_id, channel, address, db_id, status, priority, data, created_at, updated_at)
    SELECT coalesce(x.seq, p.seq), x.resource_id, x.channel, x.address, x.db_id, x.status, x.priority, x.data, x.created_at, x.updated_at
    FROM json_to_recordset($5::json) AS x(n int, seq bigint, id text, resource_id int, channel text, address text, db_id int, status int, priority int, data json, created_at bigint, updated_at bigint)
    LEFT JOIN p ON p.id = x.id ORDER BY x.n
    ${SUBSCRIPTIONS.onConflict ?? ''}`,
  updateProfiles: UPDATE_PROFILES,
  removeValues: REMOVE_VALUES,
  // A launch may get its messages over several writes: the range only widens.
  widenLaunch:
    'UPDATE launches SET first_message_id = LEAST(first_message_id, $1), last_message_id = GREATEST(last_message_id, $2) WHERE id = $3',
};

/** Every lookup of a batch in one round trip: value rows, subscription addresses, profile ids. */
const MATCHES = `SELECT 'f' AS kind, q.field AS name, q.value, NULL::int AS resource_id, v.profile_seq AS seq
   FROM unnest($2::text[], $3::text[]) AS q(field, value)
   CROSS JOIN LATERAL (SELECT profile_seq FROM profile_values v WHERE v.db_id = $1 AND v.field = q.field AND v.value = q.value OFFSET 0) v
 UNION ALL
 SELECT 's', q.channel, q.address, s.resource_id, s.profile_seq
   FROM unnest($4::text[], $5::text[]) AS q(channel, address)
   CROSS JOIN LATERAL (SELECT resource_id, profile_seq FROM subscriptions s WHERE s.db_id = $1 AND s.channel = q.channel AND s.address = q.address OFFSET 0) s
 UNION ALL
 SELECT 'i', NULL, p.id, NULL, p.seq FROM profiles p WHERE p.db_id = $1 AND p.id = ANY($6::text[])`;

const SEARCHED = `SELECT seq FROM profiles WHERE db_id = $1 AND id = $2
  UNION SELECT profile_seq FROM profile_values WHERE db_id = $1 AND value ILIKE $3`;

/** Profiles by seq, in any database or in one, locked or not (locked in creation order: concurrent imports of the same profiles queue instead of losing updates). */
const loadSql = (inDb: boolean, lock: boolean) =>
  `SELECT * FROM profiles WHERE seq = ANY($1::bigint[])${inDb ? ' AND db_id = $2' : ''} ORDER BY seq${lock ? ' FOR UPDATE' : ''}`;

const s = {
  // One index probe per key (LATERAL … OFFSET 0 keeps the planner from hashing the whole table:
  // the cost follows the batch, not the number of stored profiles).
  matches: MATCHES,
  claimKeys: `WITH c AS (
     INSERT INTO match_claims (db_id, key, claimed_at)
     SELECT $1, k, $3 FROM unnest($2::text[]) AS k ORDER BY k
     ON CONFLICT (db_id, key) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
     RETURNING key, xmax = 0 AS inserted)
   SELECT key FROM c WHERE NOT inserted`,
  page: 'SELECT seq FROM profiles WHERE db_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3',
  count: 'SELECT COUNT(*)::int AS n FROM profiles WHERE db_id = $1',
  searchPage: `SELECT seq FROM (${SEARCHED}) m ORDER BY seq DESC LIMIT $4 OFFSET $5`,
  searchCount: `SELECT COUNT(*)::int AS n FROM (${SEARCHED}) m`,
  load: loadSql(false, false),
  loadLocked: loadSql(false, true),
  loadInDb: loadSql(true, false),
  loadInDbLocked: loadSql(true, true),
  subscriptions: 'SELECT * FROM subscriptions WHERE profile_seq = ANY($1::bigint[])',
  ...importSql,
  insertLaunch:
    'INSERT INTO launches (account_id, trigger_id, kind, content, custom_data, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
  insertAttachment: 'INSERT INTO attachments (launch_id, position, name, mime, data) VALUES ($1, $2, $3, $4, $5)',
  deleteValues:
    'DELETE FROM profile_values v USING json_to_recordset($2::json) AS x(field text, value text) WHERE v.db_id = $1 AND v.field = x.field AND v.value = x.value AND v.profile_seq = $3',
  deleteSubscriptions: 'DELETE FROM subscriptions WHERE profile_seq = $1',
  deleteProfile: 'DELETE FROM profiles WHERE seq = $1',
  cancelMessages:
    "UPDATE messages SET status = 'cancelled', skip_reason = 'profile deleted', lease_until = NULL WHERE profile_id = $1 AND status = 'scheduled'",
} as const;

type ImportProfile = ImportWrite['profiles'][number];

export class PgProfiles {
  /** `feedback` bumps the counters of an import's messages, `events` takes its hook events. */
  constructor(
    private readonly feedback: PgFeedback,
    private readonly events: PgEvents,
  ) {}

  async findMatches(db: Queryable, dbId: number, keys: MatchKey[]): Promise<Map<string, number[]>> {
    const l = lookupOf(keys);
    const r = await db.query<MatchRow>(s.matches, [dbId, l.fieldNames, l.fieldValues, l.channels, l.addresses, l.ids]);
    const hits = hitsOf(r.rows, l);
    for (const list of hits.values()) {
      if (list.length < 2) continue;
      list.sort((a, b) => a - b);
      for (let i = list.length - 1; i > 0; i--) if (list[i] === list[i - 1]) list.splice(i, 1);
    }
    return hits;
  }

  /**
   * Claims creation of these keys: waits for any other transaction claiming one of them. Returns
   * the keys claimed before (by a transaction now committed, which may have created a profile for
   * it): only those need looking up again. A claim row inserted now was never taken by anyone.
   */
  async claimKeys(db: Queryable, dbId: number, keys: string[], now: number): Promise<Set<string>> {
    // Sorted, so two transactions claiming overlapping sets take the row locks in the same order.
    const sorted = [...new Set(keys)].sort();
    const r = await db.query<{ key: string }>(s.claimKeys, [dbId, sorted, now]);
    return new Set(r.rows.map((row) => row.key));
  }

  /** See ProfileReader.listProfiles; ILIKE ignores case beyond ASCII too. */
  async listProfiles(
    db: Queryable,
    dbId: number,
    search: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ seqs: number[]; total: number }> {
    if (search === undefined) {
      const page = await db.query<{ seq: string }>(s.page, [dbId, limit, offset]);
      const total = await db.query<{ n: number }>(s.count, [dbId]);
      return { seqs: page.rows.map((r) => Number(r.seq)), total: total.rows[0].n };
    }
    const params = [dbId, search.toLowerCase(), `${likeEscape(search)}%`];
    const page = await db.query<{ seq: string }>(s.searchPage, [...params, limit, offset]);
    const total = await db.query<{ n: number }>(s.searchCount, params);
    return { seqs: page.rows.map((r) => Number(r.seq)), total: total.rows[0].n };
  }

  async loadProfiles(db: Queryable, seqs: number[], opts: { dbId?: number; lock: boolean }): Promise<StoredProfile[]> {
    if (seqs.length === 0) return [];
    const rows = (
      opts.dbId === undefined
        ? await db.query<ProfileRow>(opts.lock ? s.loadLocked : s.load, [seqs])
        : await db.query<ProfileRow>(opts.lock ? s.loadInDbLocked : s.loadInDb, [seqs, opts.dbId])
    ).rows;
    const profiles = new Map<number, StoredProfile>();
    for (const r of rows) {
      profiles.set(r.seq, {
        seq: r.seq,
        id: r.id,
        accountId: r.account_id,
        dbId: r.db_id,
        fields: r.fields,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        subscriptions: [],
      });
    }
    if (profiles.size === 0) return [];
    const subs = await db.query<SubscriptionRow>(s.subscriptions, [[...profiles.keys()]]);
    for (const r of subs.rows) {
      profiles.get(r.profile_seq)?.subscriptions.push({
        resourceId: r.resource_id,
        channel: r.channel as Channel,
        address: r.address,
        status: r.status,
        priority: r.priority,
        data: r.data,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      });
    }
    return [...profiles.values()];
  }

  /**
   * The write of an import, a table at a time. Rows that are new by construction — new profiles
   * (their seq drawn from the sequence first) with their values and subscriptions, and every
   * message — are loaded with COPY when there are many of them; changes to stored profiles, and
   * small writes, are set-wise INSERT/UPDATE/upserts over json_to_recordset.
   */
  async saveImport(db: PgClient, w: ImportWrite): Promise<void> {
    // No profile changed (items that matched nothing or changed nothing): no statement.
    if (w.profiles.length > 0) await this.writeProfileRows(db, w);
    await this.writeMessages(db, w);
    await this.events.insertAccountEvents(db, w.accountId, w.events, w.now);
  }

  /** The profiles with their value rows and subscriptions: one statement when small, else a table at a time. */
  private async writeProfileRows(db: PgClient, w: ImportWrite): Promise<void> {
    if (isSmall(w)) {
      await db.query(s.smallProfileWrite, smallProfileParams(w));
      return;
    }
    const seqOf = await this.writeProfiles(db, w);
    await this.writeValues(db, w, seqOf);
    await this.writeSubscriptions(db, w, seqOf);
  }

  /** New profiles inserted, stored ones updated: the seq of every profile of the write, by id. */
  private async writeProfiles(db: PgClient, w: ImportWrite): Promise<Map<string, number>> {
    const seqOf = new Map<string, number>();
    const fresh = w.profiles.filter((p) => p.seq === undefined);
    const seqs = await bulkInsert(
      db,
      PROFILES,
      fresh.map((p) => [p.id, w.accountId, w.dbId, p.fields, p.createdAt, p.updatedAt]),
    );
    fresh.forEach((p, i) => seqOf.set(p.id, seqs[i]));
    const updated = w.profiles.filter((p) => p.seq !== undefined);
    if (updated.length > 0) {
      await db.query(s.updateProfiles, [
        JSON.stringify(updated.map((p) => ({ seq: p.seq, fields: p.fields, updated_at: p.updatedAt }))),
      ]);
      for (const p of updated) seqOf.set(p.id, p.seq as number);
    }
    return seqOf;
  }

  private async writeValues(db: PgClient, w: ImportWrite, seqOf: Map<string, number>): Promise<void> {
    const removes: { field: string; value: string; seq: number }[] = [];
    const values: OfProfile<ValueRowWrite>[] = [];
    for (const p of w.profiles) {
      const seq = seqOf.get(p.id) as number;
      for (const v of p.removeValues) removes.push({ field: v.field, value: v.value, seq });
      for (const row of p.addValues) values.push({ seq, fresh: p.seq === undefined, row });
    }
    if (removes.length > 0) await db.query(s.removeValues, [w.dbId, JSON.stringify(removes)]);
    const rowOf = ({ seq, row: v }: OfProfile<ValueRowWrite>) => [w.dbId, v.field, v.value, seq, v.num];
    const [copied, upserted] = split(values);
    await bulkInsert(db, NEW_VALUES, copied.map(rowOf));
    await bulkInsert(db, VALUES, upserted.map(rowOf));
  }

  private async writeSubscriptions(db: PgClient, w: ImportWrite, seqOf: Map<string, number>): Promise<void> {
    const subs: OfProfile<ImportProfile['subscriptions'][number]>[] = [];
    for (const p of w.profiles) {
      const seq = seqOf.get(p.id) as number;
      for (const row of p.subscriptions) subs.push({ seq, fresh: p.seq === undefined, row });
    }
    const rowOf = ({ seq, row: sub }: (typeof subs)[number]) => [
      seq,
      sub.resourceId,
      sub.channel,
      sub.address,
      w.dbId,
      sub.status,
      sub.priority,
      sub.data,
      sub.createdAt,
      sub.updatedAt,
    ];
    const [copied, upserted] = split(subs);
    await bulkInsert(db, NEW_SUBSCRIPTIONS, copied.map(rowOf));
    await bulkInsert(db, SUBSCRIPTIONS, upserted.map(rowOf));
  }

  /** The messages, the counters they start, and the message-id range of each launch. */
  private async writeMessages(db: PgClient, w: ImportWrite): Promise<void> {
    if (w.messages.length === 0) return;
    const rows = w.messages.map((m) => [
      w.accountId,
      m.triggerId,
      m.launchId,
      m.profileId,
      m.channel,
      m.resourceId,
      m.address,
      m.status,
      m.dueAt,
      m.variant,
      m.customData,
      m.skipReason,
      w.now,
      m.status === 'skipped' ? w.now : null,
    ]);
    const tally = new CounterTally();
    for (const m of w.messages) tally.add(w.accountId, m.triggerId, w.now, insertedCounters(m.status, m.skipReason));
    if (rows.length < COPY_MIN) {
      await db.query(s.messagesCountersAndRanges, [recordsJson(MESSAGES, rows), bumpsJson(tally.bumps())]);
      return;
    }
    const ids = await bulkInsert(db, MESSAGES, rows);
    await this.feedback.bump(db, tally.bumps());
    const ranges = new Map<number, [number, number]>();
    w.messages.forEach((m, n) => {
      const range = ranges.get(m.launchId);
      if (range) {
        range[0] = Math.min(range[0], ids[n]);
        range[1] = Math.max(range[1], ids[n]);
      } else ranges.set(m.launchId, [ids[n], ids[n]]);
    });
    for (const [launchId, [first, last]] of ranges) await db.query(s.widenLaunch, [first, last, launchId]);
  }

  /** Stores a launch with its attachments (once per launch, whatever the number of its messages). */
  async insertLaunch(db: Queryable, accountId: number, l: LaunchWrite, now: number): Promise<number> {
    const { id } = (
      await db.query<{ id: number }>(s.insertLaunch, [
        accountId,
        l.triggerId,
        l.kind,
        l.content === null ? null : JSON.stringify(l.content),
        l.customData === null ? null : JSON.stringify(l.customData),
        now,
      ])
    ).rows[0];
    for (const [i, a] of l.attachments.entries())
      await db.query(s.insertAttachment, [id, i, a.name, a.mime, Buffer.from(a.data)]);
    return id;
  }

  async deleteProfile(db: Queryable, profile: StoredProfile, rows: ValueRowWrite[]): Promise<void> {
    if (rows.length > 0)
      await db.query(s.deleteValues, [
        profile.dbId,
        JSON.stringify(rows.map((r) => ({ field: r.field, value: r.value }))),
        profile.seq,
      ]);
    await db.query(s.deleteSubscriptions, [profile.seq]);
    await db.query(s.deleteProfile, [profile.seq]);
    await db.query(s.cancelMessages, [profile.id]);
  }
}

/** A value row or subscription to write, with its profile's seq. */
interface OfProfile<T> {
  seq: number;
  /** The profile is created by this write. */
  fresh: boolean;
  row: T;
}

/** [rows to COPY, rows to upsert]: new profiles' rows are copied when there are enough of them. */
function split<T extends { fresh: boolean }>(rows: T[]): [T[], T[]] {
  const fresh = rows.filter((r) => r.fresh);
  if (fresh.length < COPY_MIN) return [[], rows];
  return [fresh, rows.filter((r) => !r.fresh)];
}

/** A write whose rows all go by INSERT (none by COPY): its profile part is one statement. */
function isSmall(w: ImportWrite): boolean {
  let fresh = 0;
  let values = 0;
  let subscriptions = 0;
  for (const p of w.profiles) {
    if (p.seq === undefined) fresh++;
    values += p.addValues.length;
    subscriptions += p.subscriptions.length;
  }
  return fresh < COPY_MIN && values < COPY_MIN && subscriptions < COPY_MIN;
}

/** The six parameters of `smallProfileWrite`. */
function smallProfileParams(w: ImportWrite): (string | number)[] {
  const fresh: object[] = [];
  const updated: object[] = [];
  const removes: object[] = [];
  const values: object[] = [];
  const subs: object[] = [];
  for (const p of w.profiles) {
    // A row names its profile by seq when it is stored, else by the new profile's id.
    const owner = p.seq === undefined ? { id: p.id } : { seq: p.seq };
    if (p.seq === undefined)
      fresh.push({
        n: fresh.length,
        id: p.id,
        account_id: w.accountId,
        db_id: w.dbId,
        fields: p.fields,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
      });
    else {
      updated.push({ seq: p.seq, fields: p.fields, updated_at: p.updatedAt });
      for (const v of p.removeValues) removes.push({ field: v.field, value: v.value, seq: p.seq });
    }
    for (const v of p.addValues)
      values.push({ n: values.length, ...owner, db_id: w.dbId, field: v.field, value: v.value, num: v.num });
    for (const sub of p.subscriptions)
      subs.push({
        n: subs.length,
        ...owner,
        resource_id: sub.resourceId,
        channel: sub.channel,
        address: sub.address,
        db_id: w.dbId,
        status: sub.status,
        priority: sub.priority,
        data: sub.data,
        created_at: sub.createdAt,
        updated_at: sub.updatedAt,
      });
  }
  return [...[fresh, updated, removes, values, subs].map((rows) => JSON.stringify(rows)), w.dbId];
}
