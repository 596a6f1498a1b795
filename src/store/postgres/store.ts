// The scale-out store: several API and worker processes over one PostgreSQL. Transactions run
// in group commits (group-commit.ts: the concurrent ones of a process share one transaction, each
// in a savepoint); claims and configuration changes each on a pooled client of their own (retried
// on a deadlock or serialization failure, 3 attempts in all). Claims use
// FOR UPDATE SKIP LOCKED, profile creation is serialised per matching value with claim rows,
// and NOTIFY/LISTEN wakes the workers of every process when new work is due. Each entity has a
// module of the same name in both stores (a class with its named statements `s`); this facade
// holds no SQL of its own beyond transaction control.
// Files of this store only: bulk.ts (the bulk insert: COPY or one INSERT over json_to_recordset),
// copy.ts (COPY … FROM STDIN), config-lock.ts (the advisory lock of an account's configuration),
// group-commit.ts (transactions run together), notify.ts (LISTEN/NOTIFY wake-ups).
import type { TrackedLink } from '../../core/delivery/tracked-links.js';
import type { CatalogVersion, Draft } from '../../core/catalog/store-port.js';
import type { Catalog, DatabaseDef, ResourceDef, TemplateDef, TriggerDef } from '../../core/catalog/types.js';
import type { MessageFilter } from '../../core/delivery/report-port.js';
import type {
  AccountEvent,
  FeedbackItem,
  FeedbackMessage,
  HookResult,
  ReceiptMessage,
  RecordedOutcome,
  SubscriptionKey,
} from '../../core/delivery/store-port.js';
import type { MatchKey } from '../../core/matching/modes.js';
import { type TransactionOptions, type Store, type StoreTx } from '../../core/ports.js';
import type { ProvisionPlan } from '../../core/provisioning/plan.js';
import { Joiner, type JoinLimits } from '../../core/base/joiner.js';
import { holdConfig } from './config-lock.js';
import { ATTEMPTS, GroupCommit, retryable, type GroupLimits, type Held } from './group-commit.js';
import type {
  SuppressionEntryFilter,
  SuppressionKind,
  SuppressionValue,
} from '../../core/delivery/suppression-port.js';
import type { TrackingWrite } from '../../core/delivery/store-port.js';
import type { TestSendOutcome } from '../../core/delivery/test-send-port.js';
import { WorkChannel } from './notify.js';
import { PgRepos } from './repos.js';
import {
  migrate,
  migrationFiles,
  openPool,
  type PgClient,
  type PgOptions,
  type PgPool,
  type Queryable,
} from './open.js';
import { migrationNames } from '../shared/migration-names.js';
import type { RequestClaimInput, RequestScope } from '../../core/requests/store-port.js';
import { StoreUnavailable } from '../../core/base/errors.js';
import type { ImportWrite } from '../../core/imports/store-port.js';
import type { Ownership } from '../../core/provisioning/store-port.js';
import type { StoredProfile, ValueRowWrite } from '../../core/profiles/store-port.js';
import type { TokenListing, TokenRecord, TokenRole } from '../../core/provisioning/tokens.js';

/**
 * Errors that mean "the database is not reachable now" (SQLSTATE classes 08 and 57P0x). A
 * protocol violation (08P01) is this client's own fault — a message the server could not take,
 * such as more than 65,535 bind parameters — not an outage: it stays an internal error (500).
 */
function unreachable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  // Herald's own errors (ApiError) carry numeric codes: only driver and socket codes are strings.
  const code = typeof e?.code === 'string' ? e.code : '';
  if (!code && typeof e?.code === 'number') return false;
  if (code === '08P01') return false;
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|not currently accepting connections|the database system is (starting up|shutting down)/i.test(
    typeof e?.message === 'string' ? e.message : '',
  );
}

/** A group commit takes up to GROUP_MAX transactions, and none after GROUP_MS of work. */
const GROUP_MAX = 64;
const GROUP_MS = 10;

/** Token lookups joined: one query at a time, of at most this many hashes. */
const TOKEN_LOOKUPS: JoinLimits = { runners: 1, members: 500 };

export class PostgresStore implements Store {
  readonly capabilities = { singleWriter: false };
  readonly pool: PgPool;
  private readonly work: WorkChannel;
  /** The entity modules. */
  private readonly repos = new PgRepos();
  /** The transactions of `transaction`, run in groups. */
  private readonly groups: GroupCommit;
  private readonly tokenLookups = new Joiner<string, TokenRecord | undefined>(TOKEN_LOOKUPS);

  constructor(opts: PgOptions & { group?: Partial<GroupLimits> }) {
    this.pool = openPool(opts);
    this.work = new WorkChannel(opts);
    // Two connections of the pool stay free of groups, for claims and reads.
    this.groups = new GroupCommit(
      this.pool,
      { runners: Math.max(1, (opts.max ?? 10) - 2), members: GROUP_MAX, ms: GROUP_MS, ...opts.group },
      unreachable,
    );
  }

  /** Runs `fn` with the pool, turning unreachable-database errors into StoreUnavailable. */
  private async run<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    try {
      return await fn(this.pool);
    } catch (err) {
      if (unreachable(err)) throw new StoreUnavailable(`PostgreSQL is unreachable: ${(err as Error).message}`);
      throw err;
    }
  }

  /** The transaction's operations; `held`: the configuration this transaction began holding. */
  private txFor(client: PgClient, held?: Held): StoreTx {
    return {
      lockMatchKeys: (dbId, keys) => this.repos.profiles.claimKeys(client, dbId, keys, Date.now()),
      holdCatalog: async (accountId) => (held?.accountId === accountId ? held.version : holdConfig(client, accountId)),
      findMatches: (dbId: number, keys: MatchKey[]) => this.repos.profiles.findMatches(client, dbId, keys),
      loadProfiles: (dbId: number, seqs: number[]) =>
        this.repos.profiles.loadProfiles(client, seqs, { dbId, lock: true }),
      saveImport: (w: ImportWrite) => this.repos.profiles.saveImport(client, w),
      deleteProfile: (p: StoredProfile, rows: ValueRowWrite[]) => this.repos.profiles.deleteProfile(client, p, rows),
      applyProvisioning: (plan: ProvisionPlan, now: number) => this.repos.catalog.applyProvisioning(client, plan, now),
      queryProfiles: (dbId, query, after, limit) =>
        this.repos.profileQueries.queryProfiles(client, dbId, query, after, limit),
      insertLaunch: (accountId, launch, now) => this.repos.profiles.insertLaunch(client, accountId, launch, now),
      insertTask: (task) => this.repos.tasks.insertTask(client, task),
      saveTaskProgress: (p) => this.repos.tasks.saveTaskProgress(client, p),
      insertTestSend: (w) => this.repos.testSends.insertTestSend(client, w),
      countTestSends: (accountId, since) => this.repos.testSends.countTestSends(client, accountId, since),
      completeRequestKey: (scope, token, response) =>
        this.repos.requestKeys.completeRequestKey(client, scope, token, response),
      saveDatabase: (at: CatalogVersion, def: Draft<DatabaseDef>, opts: { requireNoProfiles: boolean }, now: number) =>
        this.repos.catalogWrites.apply(client, (w) => w.saveDatabase(client, at, def, opts, now)),
      deleteDatabase: (at: CatalogVersion, id: number) =>
        this.repos.catalogWrites.apply(client, (w) => w.deleteDatabase(client, at, id)),
      saveResource: (at: CatalogVersion, def: Draft<ResourceDef>, now: number) =>
        this.repos.catalogWrites.apply(client, (w) => w.saveResource(client, at, def, now)),
      deleteResource: (at: CatalogVersion, id: number) =>
        this.repos.catalogWrites.apply(client, (w) => w.deleteResource(client, at, id)),
      saveTemplate: (at: CatalogVersion, def: Draft<TemplateDef>, now: number) =>
        this.repos.catalogWrites.apply(client, (w) => w.saveTemplate(client, at, def, now)),
      deleteTemplate: (at: CatalogVersion, id: number) =>
        this.repos.catalogWrites.apply(client, (w) => w.deleteTemplate(client, at, id)),
      saveTrigger: (at: CatalogVersion, def: Draft<TriggerDef>, opts: { cancelScheduled?: string }, now: number) =>
        this.repos.catalogWrites.apply(client, (w) => w.saveTrigger(client, at, def, opts, now)),
      deleteTrigger: (at: CatalogVersion, id: number, now: number) =>
        this.repos.catalogWrites.apply(client, (w) => w.deleteTrigger(client, at, id, now)),
      listSuppressionLists: (accountId: number, fromId: number, limit: number) =>
        this.repos.feedback.listSuppressionLists(client, accountId, fromId, limit),
      getSuppressionList: (accountId: number, id: number) =>
        this.repos.feedback.getSuppressionList(client, accountId, id),
      suppressedOnList: (listId: number, kind: SuppressionKind, values: string[]) =>
        this.repos.feedback.suppressedOnList(client, listId, kind, values),
      saveSuppressionList: (accountId: number, list: { id?: number; name: string }, now: number) =>
        this.repos.feedback.saveSuppressionList(client, accountId, list, now),
      deleteSuppressionList: (accountId: number, id: number) =>
        this.repos.feedback.deleteSuppressionList(client, accountId, id),
      addSuppressions: (accountId: number, listId: number, kind: SuppressionKind, values: string[], now: number) =>
        this.repos.feedback.addSuppressions(client, accountId, listId, kind, values, now),
      removeSuppressions: (listId: number, kind: SuppressionKind, values: string[] | undefined) =>
        this.repos.feedback.removeSuppressions(client, listId, kind, values),
    };
  }

  /** A transaction on one client: BEGIN … COMMIT, retried on deadlock or serialization failure. */
  private async withTransaction<T>(
    fn: (client: PgClient) => Promise<T>,
    begin: (client: PgClient) => Promise<unknown> = (c) => c.query('BEGIN'),
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: PgClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw new StoreUnavailable(`PostgreSQL is unreachable: ${(err as Error).message}`);
      }
      let broken = false;
      // A connection that dies while the client is checked out emits 'error' on the client (the
      // pool only listens while it is idle): without a listener that would end the process.
      const onError = () => (broken = true);
      client.on('error', onError);
      try {
        await begin(client);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        if (retryable(err) && attempt < ATTEMPTS) continue;
        if (unreachable(err)) {
          broken = true;
          throw new StoreUnavailable(`PostgreSQL is unreachable: ${(err as Error).message}`);
        }
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    }
  }

  claimTestSends(limit: number) {
    return this.run((db) => this.repos.testSends.claimTestSends(db, limit));
  }

  finishTestSend(id: number, outcome: TestSendOutcome, now: number) {
    return this.run((db) => this.repos.testSends.finishTestSend(db, id, outcome, now));
  }

  listTestSends(accountId: number, opts: { templateId?: number; limit: number }) {
    return this.run((db) => this.repos.testSends.listTestSends(db, accountId, opts));
  }

  claimTask(now: number, leaseMs: number) {
    return this.withTransaction((c) => this.repos.tasks.claimTask(c, now, leaseMs));
  }

  releaseTask(id: string, claimToken: string) {
    return this.run((db) => this.repos.tasks.releaseTask(db, id, claimToken));
  }

  findTask(accountId: number, id: string, now: number) {
    return this.run((db) => this.repos.tasks.findTask(db, accountId, id, now));
  }

  claimRequestKey(input: RequestClaimInput) {
    return this.withTransaction((c) => this.repos.requestKeys.claimRequestKey(c, input));
  }

  releaseRequestKey(scope: RequestScope, claimToken: string) {
    return this.run((db) => this.repos.requestKeys.releaseRequestKey(db, scope, claimToken));
  }

  findMatches(dbId: number, keys: MatchKey[]) {
    return this.run((db) => this.repos.profiles.findMatches(db, dbId, keys));
  }

  readProfiles(dbId: number, seqs: number[]) {
    return this.run((db) => this.repos.profiles.loadProfiles(db, seqs, { dbId, lock: false }));
  }

  listProfiles(dbId: number, search: string | undefined, offset: number, limit: number) {
    return this.run((db) => this.repos.profiles.listProfiles(db, dbId, search, offset, limit));
  }

  listMessages(filter: MessageFilter) {
    return this.run((db) => this.repos.reports.listMessages(db, filter));
  }

  campaignLog(accountId: number, triggerId: number, fromTime: number, limit: number) {
    return this.run((db) => this.repos.reports.campaignLog(db, accountId, triggerId, fromTime, limit));
  }

  triggerCounts(accountId: number, triggerId: number) {
    return this.run((db) => this.repos.reports.triggerCounts(db, accountId, triggerId));
  }

  counterTotals(accountId: number, triggerId: number) {
    return this.run((db) => this.repos.feedback.counterTotals(db, accountId, triggerId));
  }

  counterDays(accountId: number, triggerId: number, fromDay: number, toDay: number) {
    return this.run((db) => this.repos.feedback.counterDays(db, accountId, triggerId, fromDay, toDay));
  }

  listSuppressionLists(accountId: number, fromId: number, limit: number) {
    return this.run((db) => this.repos.feedback.listSuppressionLists(db, accountId, fromId, limit));
  }

  getSuppressionList(accountId: number, id: number) {
    return this.run((db) => this.repos.feedback.getSuppressionList(db, accountId, id));
  }

  listSuppressions(listId: number, filter: SuppressionEntryFilter) {
    return this.run((db) => this.repos.feedback.listSuppressions(db, listId, filter));
  }

  suppressedOnList(listId: number, kind: SuppressionKind, values: string[]) {
    return this.run((db) => this.repos.feedback.suppressedOnList(db, listId, kind, values));
  }

  suppressedValues(accountId: number, values: SuppressionValue[]) {
    return this.run((db) => this.repos.feedback.suppressedValues(db, accountId, values));
  }

  recordTracking(t: TrackingWrite, now: number) {
    return this.withTransaction((c) => this.repos.feedback.recordTracking(c, t, now));
  }

  trackedLinkIds(accountId: number, triggerId: number, links: TrackedLink[]) {
    return this.run((db) => this.repos.feedback.trackedLinkIds(db, accountId, triggerId, links));
  }

  findTrackedLink(accountId: number, triggerId: number, id: number) {
    return this.run((db) => this.repos.feedback.findTrackedLink(db, accountId, triggerId, id));
  }

  findMessage(accountId: number, id: number) {
    return this.run((db) => this.repos.delivery.findMessage(db, accountId, id));
  }

  claimMessages(now: number, limit: number, leaseMs: number) {
    return this.withTransaction((c) => this.repos.delivery.claimMessages(c, now, limit, leaseMs));
  }

  loadRecipients(profileIds: string[]) {
    return this.run((db) => this.repos.delivery.loadRecipients(db, profileIds));
  }

  loadLaunches(ids: number[]) {
    return this.run((db) => this.repos.delivery.loadLaunches(db, ids));
  }

  recordOutcomes(outcomes: RecordedOutcome[], now: number): Promise<number[]> {
    return this.withTransaction((c) => this.repos.delivery.recordOutcomes(c, outcomes, now));
  }

  recordFeedback(items: FeedbackItem[], now: number): Promise<number[]> {
    return this.withTransaction((c) => this.repos.bounces.recordFeedback(c, items, now));
  }

  findFeedbackMessages(ids: number[]): Promise<FeedbackMessage[]> {
    return this.run((db) => this.repos.bounces.findFeedbackMessages(db, ids));
  }

  findReceiptMessage(
    accountId: number,
    senderId: number,
    ref: { providerId: string } | { id: number },
  ): Promise<ReceiptMessage | undefined> {
    return this.run((db) => this.repos.delivery.findReceiptMessage(db, accountId, senderId, ref));
  }

  nextDueAt(): Promise<number | undefined> {
    return this.run((db) => this.repos.delivery.nextDueAt(db));
  }

  unsubscribe(
    key: SubscriptionKey,
    event: AccountEvent | undefined,
    now: number,
    count?: { accountId: number; triggerId: number },
  ): Promise<boolean> {
    return this.withTransaction((c) => this.repos.delivery.unsubscribe(c, key, event, now, count));
  }

  leaseHook(hookId: number, now: number, leaseMs: number) {
    return this.withTransaction((c) => this.repos.delivery.leaseHook(c, hookId, now, leaseMs));
  }

  listEvents(accountId: number, after: number, limit: number) {
    return this.run((db) => this.repos.delivery.listEvents(db, accountId, after, limit));
  }

  finishHook(hookId: number, token: string, result: HookResult, now: number): Promise<void> {
    return this.withTransaction((c) => this.repos.delivery.finishHook(c, hookId, token, result, now));
  }

  purge(before: number, now?: number) {
    return this.withTransaction(async (c) => ({
      ...(await this.repos.delivery.purge(c, before)),
      ...(now !== undefined
        ? {
            tasks: await this.repos.tasks.purge(c, now),
            requestKeys: await this.repos.requestKeys.purge(c, now),
            testSends: await this.repos.testSends.purge(c, before),
          }
        : {}),
    }));
  }

  async migrate(): Promise<string[]> {
    const versions = await this.run(() => migrate(this.pool));
    return migrationNames(migrationFiles(), versions);
  }

  health() {
    return this.run((db) => this.repos.monitor.health(db));
  }

  queueStats(now: number) {
    return this.run((db) => this.repos.monitor.queueStats(db, now));
  }

  hookBacklog() {
    return this.run((db) => this.repos.monitor.hookBacklog(db));
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const accountId = opts.holdCatalog;
    // Concurrent transactions share one (group commit); a configuration change runs alone.
    if (!opts.exclusive) return this.groups.run((client, held) => fn(this.txFor(client, held)), accountId);
    if (accountId === undefined) return this.withTransaction((client) => fn(this.txFor(client)));
    // BEGIN and the exclusive configuration hold in one round trip.
    let held: Held | undefined;
    return this.withTransaction(
      (client) => fn(this.txFor(client, held)),
      async (client) =>
        (held = { accountId, version: await holdConfig(client, accountId, { before: 'BEGIN', mode: 'exclusive' }) }),
    );
  }

  /**
   * Concurrent lookups share one query: one runs at a time and takes every hash that waited
   * meanwhile, so each lookup is still a read begun after it was asked (a revocation committed
   * before it is seen), at one round trip per group instead of per request.
   */
  findToken(hash: string): Promise<TokenRecord | undefined> {
    return this.tokenLookups.submit('', hash, async (hashes) => {
      const found = await this.run((db) => this.repos.tokens.findTokens(db, hashes));
      return hashes.map((h) => ({ ok: true, value: found.get(h) }));
    });
  }

  loadCatalog(accountId: number): Promise<Catalog> {
    return this.run((db) => this.repos.catalog.loadCatalog(db, accountId));
  }

  accountVersions(): Promise<Map<number, number>> {
    return this.run((db) => this.repos.catalog.accountVersions(db));
  }

  describeOwnership(): Promise<Ownership> {
    return this.run((db) => this.repos.catalog.describeOwnership(db));
  }

  ensureSetting(key: string, make: () => string): Promise<string> {
    return this.run((db) => this.repos.settings.ensureSetting(db, key, make));
  }

  createToken(hash: string, accountId: number, role: TokenRole, now: number): Promise<void> {
    return this.run((db) => this.repos.tokens.createToken(db, hash, accountId, role, now));
  }

  revokeToken(hash: string, now = Date.now()): Promise<boolean> {
    return this.run((db) => this.repos.tokens.revokeToken(db, hash, now));
  }

  listTokens(): Promise<TokenListing[]> {
    return this.run((db) => this.repos.tokens.listTokens(db));
  }

  notifyWork(): Promise<void> {
    return this.work.notify(this.pool);
  }

  onWork(fn: () => void): () => void {
    return this.work.listen(fn);
  }

  async close(): Promise<void> {
    await this.work.close();
    await this.pool.end();
  }
}
