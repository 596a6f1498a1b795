// SQLite's group commit: transactions that wait together share one BEGIN … COMMIT, each in a
// savepoint. A transaction that fails alone is rolled back alone; an error that ends the whole
// SQLite transaction (an I/O error, a full disk — here a trigger's RAISE(ROLLBACK), which ends it
// the same way) fails every transaction of the group, none of it stored, and the store goes on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreTx } from '../../core/ports.js';
import type { NewTask } from '../../core/tasks/store-port.js';
import { SqliteStore } from './store.js';

let dir: string;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-group-'));
  store = new SqliteStore(join(dir, 'herald.db'));
  await store.migrate();
  store.db.exec(
    "CREATE TRIGGER fails_alone BEFORE INSERT ON tasks WHEN NEW.kind = 'constraint' BEGIN SELECT RAISE(ABORT, 'constraint failed'); END",
  );
  store.db.exec(
    "CREATE TRIGGER ends_transaction BEFORE INSERT ON tasks WHEN NEW.kind = 'io' BEGIN SELECT RAISE(ROLLBACK, 'disk I/O error'); END",
  );
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const task = (id: string, kind = 'ok'): NewTask => ({ id, accountId: 1, kind, request: '{}', total: 1, createdAt: 0 });
const stored = () => (store.db.prepare('SELECT id FROM tasks ORDER BY id').all() as { id: string }[]).map((r) => r.id);

type Outcome = { status: 'fulfilled' } | { status: 'rejected'; reason: unknown } | { status: 'unanswered' };

/**
 * Starts the transactions in one go, so they wait for the lock together and run as one group;
 * then one more transaction, which runs after every group before it ended: by the time it is
 * answered, each of the first ones must have been answered too.
 */
async function group(kinds: [string, string][]): Promise<Outcome[]> {
  const outcomes: Outcome[] = kinds.map(() => ({ status: 'unanswered' }));
  kinds.forEach(([id, kind], i) => {
    // A failing transaction writes a row of its own first: its savepoint must take that back too.
    const run = async (tx: StoreTx) => {
      if (kind !== 'ok') await tx.insertTask(task(`${id}-first`));
      await tx.insertTask(task(id, kind));
    };
    store.transaction(run).then(
      () => (outcomes[i] = { status: 'fulfilled' }),
      (reason: unknown) => (outcomes[i] = { status: 'rejected', reason }),
    );
  });
  await store.transaction(async () => undefined);
  return outcomes;
}

describe('SQLite group commit', () => {
  it('rolls a failing transaction back to its savepoint: the others of its group commit', async () => {
    const results = await group([
      ['a', 'ok'],
      ['b', 'constraint'],
      ['c', 'ok'],
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as { reason: unknown }).reason)).toMatch(/constraint failed/);
    expect(stored()).toEqual(['a', 'c']);
  });

  it('fails the whole group when one transaction ends the SQLite transaction, and stores none of it', async () => {
    const results = await group([
      ['a', 'ok'],
      ['b', 'io'],
      ['c', 'ok'],
    ]);
    // The first committed nothing (its savepoint went with the transaction): it fails with the cause.
    expect(results[0]).toMatchObject({ status: 'rejected' });
    expect(String((results[0] as { reason: unknown }).reason)).toMatch(/disk I\/O error/);
    expect(results[1]).toMatchObject({ status: 'rejected' });
    expect(String((results[1] as { reason: unknown }).reason)).toMatch(/disk I\/O error/);
    // The third had not run when the group was lost: it runs in the next group, alone.
    expect(results[2]).toMatchObject({ status: 'fulfilled' });
    expect(stored()).toEqual(['c']);
  });

  it('goes on after a lost group: the next transactions commit', async () => {
    await group([['a', 'io']]);
    const results = await group([
      ['d', 'ok'],
      ['e', 'ok'],
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(stored()).toEqual(['d', 'e']);
    expect(store.db.inTransaction).toBe(false);
  });
});
