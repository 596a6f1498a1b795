// PostgreSQL's group commit: transactions that wait together share one BEGIN … COMMIT, each in a
// savepoint. A transaction that fails is rolled back alone; one failing with a serialization
// failure runs again; a group whose transaction is lost (its connection terminated, its COMMIT
// refused) fails every member with StoreUnavailable and stores none of it; a configuration change
// never runs in a group. Faults come from PostgreSQL itself: triggers raising SQLSTATEs,
// pg_terminate_backend. Runs when HERALD_TEST_POSTGRES_URL is set.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../core/base/errors.js';
import type { StoreTx } from '../../core/ports.js';
import type { NewTask } from '../../core/tasks/store-port.js';
import { PostgresStore } from './store.js';

const url = process.env.HERALD_TEST_POSTGRES_URL;

let schema = '';
let store: PostgresStore;

async function admin<R extends pg.QueryResultRow>(sql: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

// Every inserted task records the transaction it was written in. By kind: 'constraint' fails its
// statement; 'retry' fails with a serialization failure while a sequence is at most 1 (it counts the
// attempts: it is not rolled back); 'pid' publishes its backend's pid (setval is not transactional
// either); 'commit' makes the COMMIT fail, 'commit-retry' makes the first COMMIT fail with 40001.
const FAULTS = `
CREATE TABLE seen (id TEXT PRIMARY KEY, xid BIGINT NOT NULL);
CREATE SEQUENCE retry_seq;
CREATE SEQUENCE commit_seq;
CREATE SEQUENCE group_pid;
CREATE FUNCTION task_faults() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO seen VALUES (NEW.id, txid_current());
  IF NEW.kind = 'constraint' THEN RAISE EXCEPTION 'constraint failed' USING ERRCODE = '23514'; END IF;
  IF NEW.kind = 'retry' AND nextval('retry_seq') <= 1 THEN
    RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001';
  END IF;
  IF NEW.kind = 'pid' THEN PERFORM setval('group_pid', pg_backend_pid()); END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER task_faults BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION task_faults();
CREATE FUNCTION commit_faults() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'commit' THEN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END IF;
  IF NEW.kind = 'commit-retry' AND nextval('commit_seq') = 1 THEN
    RAISE EXCEPTION 'could not serialize access at commit' USING ERRCODE = '40001';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER commit_faults AFTER INSERT ON tasks DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION commit_faults();
`;

beforeEach(async () => {
  if (!url) return;
  schema = `herald_gc_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  // One runner, and a time budget no test reaches: what waits when the group starts is one group.
  store = new PostgresStore({ url, schema, max: 3, group: { runners: 1, ms: 60_000 } });
  await store.migrate();
  await admin(`SET search_path = ${schema}; ${FAULTS}`);
});
afterEach(async () => {
  if (!url) return;
  await store.close();
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

const task = (id: string, kind = 'ok'): NewTask => ({ id, accountId: 1, kind, request: '{}', total: 1, createdAt: 0 });
const stored = async () => (await admin<{ id: string }>(`SELECT id FROM ${schema}.tasks ORDER BY id`)).map((r) => r.id);
/** The transaction each stored task was written in. */
const xids = async () =>
  new Map(
    (await admin<{ id: string; xid: string }>(`SELECT id, xid FROM ${schema}.seen`)).map((r) => [r.id, Number(r.xid)]),
  );

type Outcome = { status: 'fulfilled'; value: unknown } | { status: 'rejected'; reason: unknown };

/**
 * Starts the transactions in one go (one turn of the event loop): they all wait when the group
 * starts. A failing one writes a row of its own first: its savepoint must take that back too.
 */
function group(
  kinds: [string, string][],
  extra: Partial<Record<string, (tx: StoreTx) => Promise<void>>> = {},
): Promise<Outcome[]> {
  return Promise.allSettled(
    kinds.map(([id, kind]) =>
      store.transaction(async (tx) => {
        if (kind !== 'ok') await tx.insertTask(task(`${id}-first`));
        await tx.insertTask(task(id, kind));
        await extra[id]?.(tx);
        return id;
      }),
    ),
  ) as Promise<Outcome[]>;
}

const reason = (o: Outcome) => (o.status === 'rejected' ? o.reason : undefined);

describe.skipIf(!url)('PostgreSQL group commit', () => {
  it('runs transactions that wait together in one PostgreSQL transaction; one alone in its own', async () => {
    const results = await group([
      ['a', 'ok'],
      ['b', 'ok'],
      ['c', 'ok'],
    ]);
    expect(results).toEqual(['a', 'b', 'c'].map((value) => ({ status: 'fulfilled', value })));
    await store.transaction((tx) => tx.insertTask(task('d')));
    const x = await xids();
    expect(x.get('b')).toBe(x.get('a'));
    expect(x.get('c')).toBe(x.get('a'));
    expect(x.get('d')).not.toBe(x.get('a'));
    expect(await stored()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rolls a failing transaction back to its savepoint: the others of its group commit', async () => {
    const results = await group([
      ['a', 'ok'],
      ['b', 'constraint'],
      ['c', 'ok'],
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(reason(results[1])).toMatchObject({ code: '23514', message: 'constraint failed' });
    expect(await stored()).toEqual(['a', 'c']);
    const x = await xids();
    expect(x.get('c')).toBe(x.get('a'));
  });

  it('rolls a failing first transaction back alone: the next ones begin a transaction of their own', async () => {
    const results = await group([
      ['a', 'constraint'],
      ['b', 'ok'],
      ['c', 'ok'],
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(await stored()).toEqual(['b', 'c']);
  });

  it('runs a transaction that failed with a serialization failure again, in a later transaction', async () => {
    const results = await group([
      ['a', 'ok'],
      ['r', 'retry'],
      ['c', 'ok'],
    ]);
    expect(results).toEqual(['a', 'r', 'c'].map((value) => ({ status: 'fulfilled', value })));
    expect(await stored()).toEqual(['a', 'c', 'r', 'r-first']);
    const x = await xids();
    expect(x.get('c')).toBe(x.get('a'));
    expect(x.get('r')).not.toBe(x.get('a'));
    expect(x.get('r-first')).toBe(x.get('r'));
    expect((await admin<{ n: string }>(`SELECT last_value AS n FROM ${schema}.retry_seq`))[0].n).toBe('2');
  });

  it('gives up on a transaction after three serialization failures, with the failure', async () => {
    await admin(`ALTER SEQUENCE ${schema}.retry_seq MINVALUE -10 RESTART WITH -1`);
    const results = await group([
      ['a', 'ok'],
      ['r', 'retry'],
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'a' });
    expect(reason(results[1])).toMatchObject({ code: '40001' });
    expect(reason(results[1])).not.toBeInstanceOf(StoreUnavailable);
    expect(await stored()).toEqual(['a']);
  });

  it('runs the whole group again when its COMMIT fails with a serialization failure', async () => {
    const results = await group([
      ['a', 'ok'],
      ['x', 'commit-retry'],
      ['c', 'ok'],
    ]);
    expect(results).toEqual(['a', 'x', 'c'].map((value) => ({ status: 'fulfilled', value })));
    expect(await stored()).toEqual(['a', 'c', 'x', 'x-first']);
  });

  it('fails every transaction of the group when its COMMIT fails, and stores none of it', async () => {
    const results = await group([
      ['a', 'ok'],
      ['b', 'commit'],
      ['c', 'ok'],
    ]);
    for (const r of results) expect(reason(r)).toBeInstanceOf(StoreUnavailable);
    expect(await stored()).toEqual([]);
    // The store goes on.
    expect(await group([['d', 'ok']])).toEqual([{ status: 'fulfilled', value: 'd' }]);
    expect(await stored()).toEqual(['d']);
  });

  it('fails every transaction of the group when its connection is lost, and stores none of it', async () => {
    let open = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const pending = group(
      [
        ['a', 'ok'],
        ['b', 'pid'],
        ['c', 'ok'],
      ],
      // b waits inside the group while the test terminates the group's backend, then writes again.
      { b: async (tx) => (await gate, tx.insertTask(task('b-after'))) },
    );
    let pid = 0;
    for (let i = 0; i < 500 && !pid; i++) {
      const [row] = await admin<{ pid: string; called: boolean }>(
        `SELECT last_value AS pid, is_called AS called FROM ${schema}.group_pid`,
      );
      if (row.called) pid = Number(row.pid);
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(pid).toBeGreaterThan(0);
    await admin(`SELECT pg_terminate_backend(${pid})`);
    open();
    const results = await pending;
    expect(reason(results[0])).toBeInstanceOf(StoreUnavailable);
    expect(reason(results[1])).toBeInstanceOf(StoreUnavailable);
    // c had not run when the group was lost: it runs in the next group, on another connection.
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'c' });
    expect(await stored()).toEqual(['c']);
  });

  it('runs a configuration change alone, never in a group; the others of the group share their hold', async () => {
    const run = (id: string, exclusive: boolean) =>
      store.transaction(
        async (tx) => {
          await tx.insertTask(task(id));
          return tx.holdCatalog(1);
        },
        { holdCatalog: 1, ...(exclusive ? { exclusive: true } : {}) },
      );
    const results = await Promise.all([run('a', false), run('e', true), run('c', false)]);
    expect(results).toEqual([0, 0, 0]);
    const x = await xids();
    expect(x.get('c')).toBe(x.get('a'));
    expect(x.get('e')).not.toBe(x.get('a'));
    expect(await stored()).toEqual(['a', 'c', 'e']);
  });
});
