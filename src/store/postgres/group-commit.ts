// Group commit on PostgreSQL: the write transactions of this process that wait together share one
// BEGIN … COMMIT on one pooled client, each in a savepoint of its own, so a burst of small requests
// costs one synchronous commit and fewer round trips instead of one each. A group starts as soon
// as a runner is free (no concurrency: a transaction runs alone, as BEGIN … COMMIT, with no
// added latency) and takes the transactions that wait, up to a number of members or a time
// budget. A member that fails is rolled back to its savepoint alone; one that fails with a
// deadlock or serialization failure runs again in a later group (3 attempts in all). A group
// whose transaction is lost as a whole (a broken connection, a failed COMMIT) fails every member
// with StoreUnavailable: no member is answered before its COMMIT succeeded.
import type pg from 'pg';
import { StoreUnavailable } from '../../core/base/errors.js';
import { holdConfig } from './config-lock.js';
import type { PgClient, PgPool } from './open.js';
import { GroupLost } from '../shared/errors.js';

/** The configuration a transaction began holding (TransactionOptions.holdCatalog). */
export interface Held {
  accountId: number;
  version: number;
}

export interface GroupLimits {
  /** Groups running at once, each on one pooled client. */
  runners: number;
  /** Transactions in one group at most. */
  members: number;
  /** A group takes no new member once it has run this long (ms). */
  ms: number;
}

/** Attempts of a transaction that keeps failing with a deadlock or serialization failure. */
export const ATTEMPTS = 3;
const RETRYABLE = new Set(['40P01', '40001']);

export function retryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

interface Member {
  fn: (client: PgClient, held: Held | undefined) => Promise<unknown>;
  /** The account whose configuration the member holds (shared) from its start. */
  holdCatalog: number | undefined;
  attempts: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** A member run in the group's transaction: its value, or the error it alone failed with. */
type Settled = { member: Member; ok: true; value: unknown } | { member: Member; ok: false; error: unknown };

const SAVEPOINT = 'SAVEPOINT herald_tx';

export class GroupCommit {
  private readonly pending: Member[] = [];
  private running = 0;
  /** Groups started that have not taken their first transaction yet. */
  private starting = 0;

  constructor(
    private readonly pool: PgPool,
    private readonly limits: GroupLimits,
    /** Tells errors that mean "the database is not reachable" (they end the group). */
    private readonly unreachable: (err: unknown) => boolean,
  ) {}

  run<T>(fn: (client: PgClient, held: Held | undefined) => Promise<T>, holdCatalog?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, holdCatalog, attempts: 0, resolve: resolve as (value: unknown) => void, reject });
      this.start();
    });
  }

  /**
   * Starts a group on a free runner for each waiting transaction that no starting group will take
   * (a group that is connecting has not taken its first one yet).
   */
  private start(): void {
    while (this.running < this.limits.runners && this.starting < this.pending.length) {
      this.running++;
      this.starting++;
      void this.runGroup().finally(() => {
        this.running--;
        this.start();
      });
    }
  }

  private async runGroup(): Promise<void> {
    let client: PgClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      this.starting--;
      // No connection: the first waiting transaction fails, as it would alone; the others try again.
      this.pending.shift()?.reject(new StoreUnavailable(`PostgreSQL is unreachable: ${(err as Error).message}`));
      return;
    }
    let broken = false;
    // A connection that dies while the client is checked out emits 'error' on the client (the
    // pool only listens while it is idle): without a listener that would end the process.
    const onError = () => (broken = true);
    client.on('error', onError);
    const again: Member[] = [];
    try {
      broken = await this.runMembers(client, again, () => broken);
    } finally {
      client.off('error', onError);
      client.release(broken);
      // Deadlock victims and serialization failures run again, first, in a later group.
      this.pending.unshift(...again);
    }
  }

  /**
   * Runs transactions on `client` until the group is full, out of time or nothing waits, then
   * commits and answers them. Returns whether the connection is to be discarded.
   */
  private async runMembers(client: PgClient, again: Member[], isBroken: () => boolean): Promise<boolean> {
    const started = performance.now();
    this.starting--;
    /** The members in the open transaction, each with its outcome (none: no transaction open). */
    const inTx: Settled[] = [];
    let taken = 0;
    /** The savepoint: not opened yet in this transaction, holding a member's work, or empty. */
    let savepoint: 'none' | 'used' | 'empty' = 'none';
    const lostWith = (err: unknown, member?: Member) =>
      new GroupLost<Member>(err, [...inTx.map((s) => s.member), ...(member ? [member] : [])]);
    try {
      while (
        this.pending.length > 0 &&
        taken < this.limits.members &&
        (taken === 0 || performance.now() - started < this.limits.ms)
      ) {
        const member = this.pending.shift() as Member;
        taken++;
        member.attempts++;
        // The first member opens the transaction; the ones after it run in a savepoint, opened in
        // the round trip of their first statement. The first needs none: if it fails, the
        // transaction is rolled back and the next member begins a new one.
        const first = inTx.length === 0;
        const before = first
          ? 'BEGIN'
          : savepoint === 'none'
            ? SAVEPOINT
            : savepoint === 'used'
              ? `RELEASE herald_tx; ${SAVEPOINT}`
              : '';
        let opened = false;
        try {
          let held: Held | undefined;
          if (member.holdCatalog !== undefined)
            held = { accountId: member.holdCatalog, version: await holdConfig(client, member.holdCatalog, { before }) };
          else if (before) await client.query(before);
          opened = true;
          if (!first) savepoint = 'empty';
          const value = await member.fn(client, held);
          if (!first) savepoint = 'used';
          inTx.push({ member, ok: true, value });
        } catch (err) {
          if (isBroken() || this.unreachable(err)) throw lostWith(err, member);
          if (first) {
            // Nothing of the group is stored yet: the transaction ends with this member.
            await client.query('ROLLBACK').catch((e: unknown) => {
              throw lostWith(e, member);
            });
            if (retryable(err) && member.attempts < ATTEMPTS) again.push(member);
            else member.reject(err);
            continue;
          }
          // The round trip that opens its savepoint failed (the RELEASE of the one before, the
          // SAVEPOINT, or the hold after them): which statement did is unknown, so rolling back to a
          // savepoint could undo the member before — the transaction is lost as a whole.
          if (!opened && savepoint !== 'empty') throw lostWith(err, member);
          // What it did is undone; the savepoint stays, empty, for the next member.
          await client.query('ROLLBACK TO herald_tx').catch((e: unknown) => {
            throw lostWith(e, member);
          });
          savepoint = 'empty';
          if (retryable(err) && member.attempts < ATTEMPTS) again.push(member);
          else inTx.push({ member, ok: false, error: err });
        }
      }
      if (inTx.length > 0) {
        const r = (await client.query('COMMIT').catch((e: unknown) => {
          throw lostWith(e);
        })) as pg.QueryResult;
        // COMMIT of a transaction in error rolls it back without an error: never answer success then.
        if (r.command !== 'COMMIT') throw lostWith(new Error(`the transaction ended with ${r.command}`));
      }
    } catch (err) {
      const lost = err instanceof GroupLost ? (err as GroupLost<Member>) : lostWith(err);
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      // Lost as a whole to a deadlock or serialization failure (at COMMIT): every member runs again.
      const retry = retryable(lost.cause);
      for (const member of lost.entries) {
        if (retry && member.attempts < ATTEMPTS) again.push(member);
        else if (retry) member.reject(lost.cause);
        else member.reject(new StoreUnavailable(`PostgreSQL transaction lost: ${(lost.cause as Error).message}`));
      }
      return isBroken() || !rolledBack || this.unreachable(lost.cause);
    }
    for (const s of inTx) {
      if (s.ok) s.member.resolve(s.value);
      else s.member.reject(s.error);
    }
    return false;
  }
}
