// The embedded default store (better-sqlite3 12, WAL). better-sqlite3 is synchronous, so one
// connection serves one owner (the engine thread) and a FIFO lock keeps a transaction's
// statements together: BEGIN IMMEDIATE … COMMIT, never interleaved with another caller.
import type { Catalog, Channel } from '../../core/catalog/types.js';
import type { AccountEvent, ClaimedMessage, HookResult, HookState, LaunchData, RecordedOutcome, StoredEvent } from '../../core/delivery/store-port.js';
import type { MatchKey } from '../../core/matching/modes.js';
import type { ImportWrite, Ownership, Store, StoredProfile, StoreTx, TokenRecord, TokenRole, ValueRowWrite } from '../../core/ports.js';
import type { ProvisionPlan } from '../../core/provisioning/plan.js';
import { Mutex } from '../shared/mutex.js';
import { applyProvisioning, describeOwnership, loadCatalog } from './catalog.js';
import { SqliteDelivery } from './delivery.js';
import { SqliteReports } from './reports.js';
import type { MessageFilter } from '../../core/delivery/report-port.js';
import { migrate, openSqlite, type SqliteDb, type SqliteOptions } from './open.js';
import { SqliteProfiles } from './profiles.js';

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: SqliteDb;
  private readonly lock = new Mutex();
  private profilesRepo: SqliteProfiles | undefined;
  private deliveryRepo: SqliteDelivery | undefined;
  private reportsRepo: SqliteReports | undefined;
  private readonly tx: StoreTx;

  constructor(file: string, opts: SqliteOptions = { synchronous: 'normal' }) {
    this.db = openSqlite(file, opts);
    const profiles = () => (this.profilesRepo ??= new SqliteProfiles(this.db));
    const db = this.db;
    this.tx = {
      lockMatchKeys: async () => {},
      findMatches: async (dbId: number, keys: MatchKey[]) => profiles().findMatches(dbId, keys),
      loadProfiles: async (dbId: number, seqs: number[]) => profiles().loadProfiles(dbId, seqs),
      saveImport: async (w: ImportWrite) => profiles().saveImport(w),
      deleteProfile: async (p: StoredProfile, rows: ValueRowWrite[]) => profiles().deleteProfile(p, rows),
      applyProvisioning: async (plan: ProvisionPlan, now: number) => applyProvisioning(db, plan, now),
    };
  }

  private get delivery(): SqliteDelivery {
    this.profilesRepo ??= new SqliteProfiles(this.db);
    return (this.deliveryRepo ??= new SqliteDelivery(this.db, this.profilesRepo));
  }

  /** Runs `fn` in BEGIN IMMEDIATE … COMMIT under the lock (fn is synchronous). */
  private write<T>(fn: () => T): Promise<T> {
    return this.lock.run(() => this.db.transaction(fn).immediate());
  }

  private read<T>(fn: () => T): Promise<T> {
    return this.lock.run(fn);
  }

  private get reports(): SqliteReports {
    return (this.reportsRepo ??= new SqliteReports(this.db));
  }

  listMessages(filter: MessageFilter) {
    return this.read(() => this.reports.listMessages(filter));
  }

  campaignLog(accountId: number, triggerId: number, fromTime: number, limit: number) {
    return this.read(() => this.reports.campaignLog(accountId, triggerId, fromTime, limit));
  }

  triggerCounts(accountId: number, triggerId: number) {
    return this.read(() => this.reports.triggerCounts(accountId, triggerId));
  }

  claimMessages(now: number, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
    return this.write(() => this.delivery.claimMessages(now, limit, leaseMs));
  }

  loadRecipients(profileIds: string[]) {
    return this.read(() => this.delivery.loadRecipients(profileIds));
  }

  loadLaunches(ids: number[]): Promise<Map<number, LaunchData>> {
    return this.read(() => this.delivery.loadLaunches(ids));
  }

  recordOutcomes(outcomes: RecordedOutcome[], now: number): Promise<void> {
    return this.write(() => this.delivery.recordOutcomes(outcomes, now));
  }

  nextDueAt(): Promise<number | undefined> {
    return this.read(() => this.delivery.nextDueAt());
  }

  unsubscribe(key: { profileId: string; resourceId: number; channel: Channel; address: string }, event: AccountEvent | undefined, now: number): Promise<boolean> {
    return this.write(() => this.delivery.unsubscribe(key, event, now));
  }

  leaseHook(hookId: number, now: number, leaseMs: number): Promise<{ state: HookState; token: string } | undefined> {
    return this.write(() => this.delivery.leaseHook(hookId, now, leaseMs));
  }

  listEvents(accountId: number, after: number, limit: number): Promise<StoredEvent[]> {
    return this.read(() => this.delivery.listEvents(accountId, after, limit));
  }

  finishHook(hookId: number, token: string, result: HookResult, now: number): Promise<void> {
    return this.write(() => this.delivery.finishHook(hookId, token, result, now));
  }

  purge(before: number): Promise<{ messages: number; events: number }> {
    return this.write(() => this.delivery.purge(before));
  }

  async migrate(): Promise<void> {
    await this.lock.run(() => migrate(this.db));
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.tx);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  findToken(hash: string): Promise<TokenRecord | undefined> {
    return this.lock.run(() => {
      const r = this.db
        .prepare('SELECT t.account_id, t.role, t.revoked, a.config_version FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = ?')
        .get(hash) as { account_id: number; role: TokenRole; revoked: number; config_version: number } | undefined;
      return r ? { accountId: r.account_id, role: r.role, revoked: r.revoked === 1, configVersion: r.config_version } : undefined;
    });
  }

  loadCatalog(accountId: number): Promise<Catalog> {
    return this.lock.run(() => loadCatalog(this.db, accountId));
  }

  accountVersions(): Promise<Map<number, number>> {
    return this.read(
      () => new Map((this.db.prepare('SELECT id, config_version FROM accounts').all() as { id: number; config_version: number }[]).map((r) => [r.id, r.config_version])),
    );
  }

  describeOwnership(): Promise<Ownership> {
    return this.lock.run(() => describeOwnership(this.db));
  }

  ensureSetting(key: string, make: () => string): Promise<string> {
    return this.lock.run(() => {
      this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, make());
      return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string }).value;
    });
  }

  createToken(hash: string, accountId: number, role: TokenRole, now: number): Promise<void> {
    return this.lock.run(() => {
      this.db.prepare('INSERT INTO tokens (hash, account_id, role, revoked, created_at) VALUES (?, ?, ?, 0, ?)').run(hash, accountId, role, now);
    });
  }

  revokeToken(hash: string): Promise<boolean> {
    return this.lock.run(() => this.db.prepare('UPDATE tokens SET revoked = 1 WHERE hash = ?').run(hash).changes > 0);
  }

  async close(): Promise<void> {
    await this.lock.run(() => this.db.close());
  }
}
