// The store a keyed request's handler sees (spec 01: the request key's record is committed in
// the same transaction as the request's effects). The handler's transaction is kept open after
// its callback returned, until the dispatcher has encoded the response: then the record with
// that response is written in it and both commit together — or, on a 5xx, it rolls back.
// Should the handler ask the store for anything else meanwhile (a second transaction, another
// store call), the held transaction commits first with a record saying "applied, response
// pending", and the response is recorded by its own write afterwards.
import { StoreUnavailable, type Store, type StoreTx, type TransactionOptions } from '../core/ports.js';

export type RecordWrite = (tx: StoreTx) => Promise<void>;

class RolledBack extends Error {}

interface Held {
  end: (ending: RecordWrite | 'rollback') => void;
  committed: Promise<unknown>;
}

export class DeferredCommit {
  /** The store to hand to the handler. */
  readonly store: Store;
  private held: Held | undefined;
  /** The handler's store calls run one after another, so none waits on a transaction held for it. */
  private queue: Promise<unknown> = Promise.resolve();

  /** `applied` writes the record of effects committed before the response is known. */
  constructor(
    private readonly real: Store,
    private readonly applied: RecordWrite,
  ) {
    this.store = new Proxy(real, {
      get: (target, prop) => {
        if (prop === 'transaction') return <T>(fn: (tx: StoreTx) => Promise<T>, opts?: TransactionOptions) => this.serial(() => this.open(fn, opts));
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => this.serial(async () => (value as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await this.settle(this.applied);
      return op();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs `fn` in a transaction and resolves with its result while the transaction stays open (held). */
  private open<T>(fn: (tx: StoreTx) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let handedOut = false;
      let end!: Held['end'];
      const ending = new Promise<RecordWrite | 'rollback'>((r) => (end = r));
      let settled!: { ok: (v: unknown) => void; fail: (e: unknown) => void };
      const committed = new Promise<unknown>((ok, fail) => (settled = { ok, fail }));
      committed.catch(() => undefined);
      this.real
        .transaction(async (tx) => {
          // A store that retries a transaction (PostgreSQL, on a serialization failure) must not
          // run it twice: the handler already holds the first attempt's result.
          if (handedOut) throw new StoreUnavailable('the request conflicted with another one; retry it');
          const value = await fn(tx);
          this.held = { end, committed };
          handedOut = true;
          resolve(value);
          const e = await ending;
          if (e === 'rollback') throw new RolledBack();
          await e(tx);
        }, opts)
        .then(settled.ok, (err: unknown) => {
          if (!handedOut) reject(err);
          settled.fail(err);
        });
    });
  }

  /** Ends the held transaction (if any) with `ending`; resolves once it committed or rolled back. */
  private async settle(ending: RecordWrite | 'rollback'): Promise<boolean> {
    const held = this.held;
    if (!held) return false;
    this.held = undefined;
    held.end(ending);
    try {
      await held.committed;
    } catch (err) {
      if (!(err instanceof RolledBack)) throw err;
    }
    return true;
  }

  /** Writes the record: in the held transaction (committing the effects with it), or on its own. */
  async commit(write: RecordWrite): Promise<void> {
    await this.queue;
    if (!(await this.settle(write))) await this.real.transaction(write);
  }

  /** Rolls the held transaction back (the request failed with a 5xx: nothing of it is written). */
  async rollback(): Promise<void> {
    await this.queue;
    await this.settle('rollback');
  }
}
