// The embedded default store (better-sqlite3 12, WAL). better-sqlite3 is synchronous, so one
// connection serves one owner (the engine thread) and a FIFO lock keeps a transaction's
// statements together: BEGIN IMMEDIATE … COMMIT, never interleaved with another caller. Each
// entity has a module of the same name in both stores (a class with its named statements `s`);
// this facade holds no SQL of its own beyond transaction control.
// Files of this store only: none.
import type { TrackedLink } from '../../core/delivery/tracked-links.js';
import type { CatalogVersion, Draft } from '../../core/catalog/store-port.js';
import type { Catalog, DatabaseDef, ResourceDef, TemplateDef, TriggerDef } from '../../core/catalog/types.js';
import type {
  AccountEvent,
  ClaimedMessage,
  FeedbackItem,
  FeedbackMessage,
  HookResult,
  HookState,
  LaunchData,
  ReceiptMessage,
  RecordedOutcome,
  StoredEvent,
  SubscriptionKey,
} from '../../core/delivery/store-port.js';
import type { MatchKey } from '../../core/matching/modes.js';
import type { Store, StoreTx } from '../../core/ports.js';
import type { ProvisionPlan } from '../../core/provisioning/plan.js';
import { Mutex } from '../shared/mutex.js';
import { StoreUnavailable } from '../../core/base/errors.js';
import type {
  SuppressionEntryFilter,
  SuppressionKind,
  SuppressionValue,
} from '../../core/delivery/suppression-port.js';
import type { TrackingWrite } from '../../core/delivery/store-port.js';
import type { MessageFilter } from '../../core/delivery/report-port.js';
import { SqliteRepos } from './repos.js';
import { migrate, migrationFiles, openSqlite, type SqliteDb, type SqliteOptions } from './open.js';
import { migrationNames } from '../shared/migration-names.js';
import type { HookBacklog, QueueStats, StoreHealth } from '../../core/monitoring/store-port.js';
import type { ProfileQuery } from '../../core/query/plan.js';
import type {
  RecordedResponse,
  RequestClaim,
  RequestClaimInput,
  RequestScope,
} from '../../core/requests/store-port.js';
import type { ClaimedTask, NewTask, StoredTask, TaskProgress } from '../../core/tasks/store-port.js';
import type {
  ClaimedTestSend,
  StoredTestSend,
  TestSendOutcome,
  TestSendWrite,
} from '../../core/delivery/test-send-port.js';
import type { Statement } from 'better-sqlite3';
import type { ImportWrite } from '../../core/imports/store-port.js';
import type { Ownership } from '../../core/provisioning/store-port.js';
import type { StoredProfile, ValueRowWrite } from '../../core/profiles/store-port.js';
import type { TokenListing, TokenRecord, TokenRole } from '../../core/provisioning/tokens.js';
import { GroupLost } from '../shared/errors.js';

interface PendingTx {
  fn: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** SQLITE_BUSY / SQLITE_LOCKED: another process holds the database past busy_timeout. */
function unavailable(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
    ? new StoreUnavailable(`SQLite is busy: ${(err as Error).message}`)
    : err;
}

/** At most this many transactions, or this much work (ms), share one commit. */
const GROUP_MAX = 64;
const GROUP_MS = 10;

export class SqliteStore implements Store {
  readonly capabilities = { singleWriter: true };
  readonly db: SqliteDb;
  private readonly lock = new Mutex();
  private readonly tx: StoreTx;
  /** The entity modules, each made on first use. */
  private readonly repos: SqliteRepos;
  /** Transactions waiting for the next group commit, and whether a group is queued on the lock. */
  private readonly pending: PendingTx[] = [];
  private groupQueued = false;
  /** The transaction control statements, prepared once (preparing parses and plans the SQL). */
  private readonly statements = new Map<string, Statement>();

  /** A connection for reads only (SqliteOptions.readOnly): its transactions are read transactions. */
  readonly readOnly: boolean;

  // long: the transaction view, one delegation per method of the port
  constructor(file: string, opts: SqliteOptions = { synchronous: 'normal' }) {
    this.db = openSqlite(file, opts);
    this.readOnly = opts.readOnly === true;
    this.repos = new SqliteRepos(this.db);
    this.tx = {
      lockMatchKeys: async () => new Set<string>(),
      holdCatalog: async (accountId: number) => this.repos.catalog.configVersion(accountId),
      findMatches: async (dbId: number, keys: MatchKey[]) => this.repos.profiles.findMatches(dbId, keys),
      loadProfiles: async (dbId: number, seqs: number[]) => this.repos.profiles.loadProfiles(dbId, seqs),
      saveImport: async (w: ImportWrite) => this.repos.profiles.saveImport(w),
      deleteProfile: async (p: StoredProfile, rows: ValueRowWrite[]) => this.repos.profiles.deleteProfile(p, rows),
      applyProvisioning: async (plan: ProvisionPlan, now: number) => this.repos.catalog.applyProvisioning(plan, now),
      queryProfiles: async (dbId: number, query: ProfileQuery, after: number, limit: number) =>
        this.repos.profileQueries.queryProfiles(dbId, query, after, limit),
      insertLaunch: async (accountId, launch, now) => this.repos.profiles.insertLaunch(accountId, launch, now),
      insertTask: async (task: NewTask) => this.repos.tasks.insertTask(task),
      saveTaskProgress: async (p: TaskProgress) => this.repos.tasks.saveTaskProgress(p),
      insertTestSend: async (w: TestSendWrite) => this.repos.testSends.insertTestSend(w),
      countTestSends: async (accountId: number, since: number) => this.repos.testSends.countTestSends(accountId, since),
      completeRequestKey: async (scope: RequestScope, token: string, response: RecordedResponse | null) =>
        this.repos.requestKeys.completeRequestKey(scope, token, response),
      saveDatabase: async (
        at: CatalogVersion,
        def: Draft<DatabaseDef>,
        opts: { requireNoProfiles: boolean },
        now: number,
      ) => this.repos.catalogWrites.apply((w) => w.saveDatabase(at, def, opts, now)),
      deleteDatabase: async (at: CatalogVersion, id: number) =>
        this.repos.catalogWrites.apply((w) => w.deleteDatabase(at, id)),
      saveResource: async (at: CatalogVersion, def: Draft<ResourceDef>, now: number) =>
        this.repos.catalogWrites.apply((w) => w.saveResource(at, def, now)),
      deleteResource: async (at: CatalogVersion, id: number) =>
        this.repos.catalogWrites.apply((w) => w.deleteResource(at, id)),
      saveTemplate: async (at: CatalogVersion, def: Draft<TemplateDef>, now: number) =>
        this.repos.catalogWrites.apply((w) => w.saveTemplate(at, def, now)),
      deleteTemplate: async (at: CatalogVersion, id: number) =>
        this.repos.catalogWrites.apply((w) => w.deleteTemplate(at, id)),
      saveTrigger: async (
        at: CatalogVersion,
        def: Draft<TriggerDef>,
        opts: { cancelScheduled?: string },
        now: number,
      ) => this.repos.catalogWrites.apply((w) => w.saveTrigger(at, def, opts, now)),
      deleteTrigger: async (at: CatalogVersion, id: number, now: number) =>
        this.repos.catalogWrites.apply((w) => w.deleteTrigger(at, id, now)),
      listSuppressionLists: async (accountId: number, fromId: number, limit: number) =>
        this.repos.feedback.listSuppressionLists(accountId, fromId, limit),
      getSuppressionList: async (accountId: number, id: number) =>
        this.repos.feedback.getSuppressionList(accountId, id),
      suppressedOnList: async (listId: number, kind: SuppressionKind, values: string[]) =>
        this.repos.feedback.suppressedOnList(listId, kind, values),
      saveSuppressionList: async (accountId: number, list: { id?: number; name: string }, now: number) =>
        this.repos.feedback.saveSuppressionList(accountId, list, now),
      deleteSuppressionList: async (accountId: number, id: number) =>
        this.repos.feedback.deleteSuppressionList(accountId, id),
      addSuppressions: async (
        accountId: number,
        listId: number,
        kind: SuppressionKind,
        values: string[],
        now: number,
      ) => this.repos.feedback.addSuppressions(accountId, listId, kind, values, now),
      removeSuppressions: async (listId: number, kind: SuppressionKind, values: string[] | undefined) =>
        this.repos.feedback.removeSuppressions(listId, kind, values),
    };
  }

  /** Runs `fn` in BEGIN IMMEDIATE … COMMIT under the lock (fn is synchronous). */
  private write<T>(fn: () => T): Promise<T> {
    return this.locked(() => this.db.transaction(fn).immediate());
  }

  /** Runs `fn` under the connection's lock; the database held by another process past busy_timeout is unavailable (503). */
  private locked<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.lock.run(fn).catch((err: unknown) => {
      throw unavailable(err);
    });
  }

  private sql(text: string): Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  private read<T>(fn: () => T): Promise<T> {
    return this.locked(fn);
  }

  claimTestSends(limit: number): Promise<ClaimedTestSend[]> {
    return this.write(() => this.repos.testSends.claimTestSends(limit));
  }

  finishTestSend(id: number, outcome: TestSendOutcome, now: number): Promise<void> {
    return this.write(() => this.repos.testSends.finishTestSend(id, outcome, now));
  }

  listTestSends(accountId: number, opts: { templateId?: number; limit: number }): Promise<StoredTestSend[]> {
    return this.read(() => this.repos.testSends.listTestSends(accountId, opts));
  }

  claimTask(now: number, leaseMs: number): Promise<ClaimedTask | undefined> {
    return this.write(() => this.repos.tasks.claimTask(now, leaseMs));
  }

  releaseTask(id: string, claimToken: string): Promise<void> {
    return this.write(() => this.repos.tasks.releaseTask(id, claimToken));
  }

  findTask(accountId: number, id: string, now: number): Promise<StoredTask | undefined> {
    return this.read(() => this.repos.tasks.findTask(accountId, id, now));
  }

  claimRequestKey(input: RequestClaimInput): Promise<RequestClaim> {
    return this.write(() => this.repos.requestKeys.claimRequestKey(input));
  }

  releaseRequestKey(scope: RequestScope, claimToken: string): Promise<void> {
    return this.write(() => this.repos.requestKeys.releaseRequestKey(scope, claimToken));
  }

  findMatches(dbId: number, keys: MatchKey[]): Promise<Map<string, number[]>> {
    return this.read(() => this.repos.profiles.findMatches(dbId, keys));
  }

  readProfiles(dbId: number, seqs: number[]): Promise<StoredProfile[]> {
    return this.read(() => this.repos.profiles.loadProfiles(dbId, seqs));
  }

  listProfiles(dbId: number, search: string | undefined, offset: number, limit: number) {
    return this.read(() => this.repos.profiles.listProfiles(dbId, search, offset, limit));
  }

  listMessages(filter: MessageFilter) {
    return this.read(() => this.repos.reports.listMessages(filter));
  }

  campaignLog(accountId: number, triggerId: number, fromTime: number, limit: number) {
    return this.read(() => this.repos.reports.campaignLog(accountId, triggerId, fromTime, limit));
  }

  triggerCounts(accountId: number, triggerId: number) {
    return this.read(() => this.repos.reports.triggerCounts(accountId, triggerId));
  }

  counterTotals(accountId: number, triggerId: number) {
    return this.read(() => this.repos.feedback.counterTotals(accountId, triggerId));
  }

  counterDays(accountId: number, triggerId: number, fromDay: number, toDay: number) {
    return this.read(() => this.repos.feedback.counterDays(accountId, triggerId, fromDay, toDay));
  }

  listSuppressionLists(accountId: number, fromId: number, limit: number) {
    return this.read(() => this.repos.feedback.listSuppressionLists(accountId, fromId, limit));
  }

  getSuppressionList(accountId: number, id: number) {
    return this.read(() => this.repos.feedback.getSuppressionList(accountId, id));
  }

  listSuppressions(listId: number, filter: SuppressionEntryFilter) {
    return this.read(() => this.repos.feedback.listSuppressions(listId, filter));
  }

  suppressedOnList(listId: number, kind: SuppressionKind, values: string[]) {
    return this.read(() => this.repos.feedback.suppressedOnList(listId, kind, values));
  }

  suppressedValues(accountId: number, values: SuppressionValue[]) {
    return this.read(() => this.repos.feedback.suppressedValues(accountId, values));
  }

  recordTracking(t: TrackingWrite, now: number) {
    return this.write(() => this.repos.feedback.recordTracking(t, now));
  }

  trackedLinkIds(accountId: number, triggerId: number, links: TrackedLink[]) {
    return this.write(() => this.repos.feedback.trackedLinkIds(accountId, triggerId, links));
  }

  findTrackedLink(accountId: number, triggerId: number, id: number) {
    return this.read(() => this.repos.feedback.findTrackedLink(accountId, triggerId, id));
  }

  findMessage(accountId: number, id: number) {
    return this.read(() => this.repos.delivery.findMessage(accountId, id));
  }

  claimMessages(now: number, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
    return this.write(() => this.repos.delivery.claimMessages(now, limit, leaseMs));
  }

  loadRecipients(profileIds: string[]) {
    return this.read(() => this.repos.delivery.loadRecipients(profileIds));
  }

  loadLaunches(ids: number[]): Promise<Map<number, LaunchData>> {
    return this.read(() => this.repos.delivery.loadLaunches(ids));
  }

  recordOutcomes(outcomes: RecordedOutcome[], now: number): Promise<number[]> {
    return this.write(() => this.repos.delivery.recordOutcomes(outcomes, now));
  }

  recordFeedback(items: FeedbackItem[], now: number): Promise<number[]> {
    return this.write(() => this.repos.bounces.recordFeedback(items, now));
  }

  findFeedbackMessages(ids: number[]): Promise<FeedbackMessage[]> {
    return this.read(() => this.repos.bounces.findFeedbackMessages(ids));
  }

  findReceiptMessage(
    accountId: number,
    senderId: number,
    ref: { providerId: string } | { id: number },
  ): Promise<ReceiptMessage | undefined> {
    return this.read(() => this.repos.delivery.findReceiptMessage(accountId, senderId, ref));
  }

  nextDueAt(): Promise<number | undefined> {
    return this.read(() => this.repos.delivery.nextDueAt());
  }

  unsubscribe(
    key: SubscriptionKey,
    event: AccountEvent | undefined,
    now: number,
    count?: { accountId: number; triggerId: number },
  ): Promise<boolean> {
    return this.write(() => this.repos.delivery.unsubscribe(key, event, now, count));
  }

  leaseHook(hookId: number, now: number, leaseMs: number): Promise<{ state: HookState; token: string } | undefined> {
    return this.write(() => this.repos.delivery.leaseHook(hookId, now, leaseMs));
  }

  listEvents(accountId: number, after: number, limit: number): Promise<StoredEvent[]> {
    return this.read(() => this.repos.delivery.listEvents(accountId, after, limit));
  }

  finishHook(hookId: number, token: string, result: HookResult, now: number): Promise<void> {
    return this.write(() => this.repos.delivery.finishHook(hookId, token, result, now));
  }

  purge(
    before: number,
    now?: number,
  ): Promise<{ messages: number; events: number; tasks?: number; requestKeys?: number; testSends?: number }> {
    return this.write(() => ({
      ...this.repos.delivery.purge(before),
      ...(now !== undefined
        ? {
            tasks: this.repos.tasks.purge(now),
            requestKeys: this.repos.requestKeys.purge(now),
            testSends: this.repos.testSends.purge(before),
          }
        : {}),
    }));
  }

  async migrate(): Promise<string[]> {
    // A reader leaves the schema to the writer that opened the database before it.
    if (this.readOnly) return [];
    const versions = await this.locked(() => migrate(this.db));
    return migrationNames(migrationFiles(), versions);
  }

  health(): Promise<StoreHealth> {
    return this.read(() => this.repos.monitor.health());
  }

  queueStats(now: number): Promise<QueueStats> {
    return this.read(() => this.repos.monitor.queueStats(now));
  }

  hookBacklog(): Promise<HookBacklog[]> {
    return this.read(() => this.repos.monitor.hookBacklog());
  }

  /**
   * Group commit: the transactions waiting for the lock run together in one BEGIN … COMMIT, each
   * in its own savepoint (a failing one is rolled back alone), and every caller is answered after
   * the COMMIT — a request is still applied whole or not at all and durable when answered, while
   * concurrent small requests share the cost of a commit (the WAL write of the pages they touch).
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.readOnly) return this.lock.run(() => this.readTransaction(fn));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleGroup();
    });
  }

  /**
   * A read transaction (reader connection): BEGIN without IMMEDIATE takes no write lock, so it
   * never waits for a writer; its reads see one committed snapshot.
   */
  private async readTransaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.sql('BEGIN').run();
    try {
      const value = await fn(this.tx);
      this.sql('COMMIT').run();
      return value;
    } catch (err) {
      if (this.db.inTransaction) this.sql('ROLLBACK').run();
      throw err;
    }
  }

  private scheduleGroup(): void {
    if (this.groupQueued || this.pending.length === 0) return;
    this.groupQueued = true;
    // Queued on the lock after the requests already received reach it: those that get to their
    // transaction before the group starts join it.
    setImmediate(() => void this.lock.run(() => this.runGroup()));
  }

  private async runGroup(): Promise<void> {
    this.groupQueued = false;
    const started = performance.now();
    const settled: { entry: PendingTx; ok: boolean; value: unknown }[] = [];
    try {
      this.sql('BEGIN IMMEDIATE').run();
    } catch (err) {
      // Not even begun (another process holds the write lock past busy_timeout): the first waiting
      // transaction fails, as it would alone; the others try again.
      this.pending.shift()?.reject(unavailable(err));
      this.scheduleGroup();
      return;
    }
    try {
      // A group takes what waits, up to GROUP_MAX transactions or GROUP_MS of work: a large batch
      // never waits long for the commit of the ones after it.
      while (
        this.pending.length > 0 &&
        settled.length < GROUP_MAX &&
        (settled.length === 0 || performance.now() - started < GROUP_MS)
      ) {
        const entry = this.pending.shift() as PendingTx;
        this.sql('SAVEPOINT herald_tx').run();
        try {
          const value = await entry.fn(this.tx);
          this.sql('RELEASE herald_tx').run();
          settled.push({ entry, ok: true, value });
        } catch (err) {
          // Some errors (I/O, disk full) end the whole transaction: the group is lost, none of it stored.
          if (!this.db.inTransaction) throw new GroupLost(err, [...settled.map((x) => x.entry), entry]);
          this.sql('ROLLBACK TO herald_tx').run();
          this.sql('RELEASE herald_tx').run();
          settled.push({ entry, ok: false, value: err });
        }
      }
      this.sql('COMMIT').run();
    } catch (err) {
      if (this.db.inTransaction) this.sql('ROLLBACK').run();
      const lost: GroupLost<PendingTx> =
        err instanceof GroupLost
          ? (err as GroupLost<PendingTx>)
          : new GroupLost(
              err,
              settled.map((x) => x.entry),
            );
      for (const entry of lost.entries) entry.reject(unavailable(lost.cause));
      this.scheduleGroup();
      return;
    }
    for (const { entry, ok, value } of settled) (ok ? entry.resolve : entry.reject)(value);
    this.scheduleGroup();
  }

  findToken(hash: string): Promise<TokenRecord | undefined> {
    return this.locked(() => this.repos.tokens.findToken(hash));
  }

  loadCatalog(accountId: number): Promise<Catalog> {
    return this.locked(() => this.repos.catalog.loadCatalog(accountId));
  }

  accountVersions(): Promise<Map<number, number>> {
    return this.read(() => this.repos.catalog.accountVersions());
  }

  describeOwnership(): Promise<Ownership> {
    return this.locked(() => this.repos.catalog.describeOwnership());
  }

  ensureSetting(key: string, make: () => string): Promise<string> {
    return this.locked(() => this.repos.settings.ensureSetting(key, make));
  }

  createToken(hash: string, accountId: number, role: TokenRole, now: number): Promise<void> {
    return this.locked(() => this.repos.tokens.createToken(hash, accountId, role, now));
  }

  revokeToken(hash: string, now = Date.now()): Promise<boolean> {
    return this.locked(() => this.repos.tokens.revokeToken(hash, now));
  }

  listTokens(): Promise<TokenListing[]> {
    return this.locked(() => this.repos.tokens.listTokens());
  }

  async close(): Promise<void> {
    await this.locked(() => this.db.close());
  }
}
