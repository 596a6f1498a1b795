// Faults injected through the storage itself, on SQLite and PostgreSQL alike: a trigger on a table
// that makes the matching row writes fail (a statement error, as a full disk or a broken
// constraint would give) or silently skips them (as a row another writer changed first). The code
// under test meets a real failing statement; nothing of Herald's is replaced.
import type { Harness } from './harness.js';
import { TEST_STORE } from './harness.js';

export interface FaultSpec {
  table: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  /** A condition on NEW (OLD for DELETE), in SQL both stores read the same way. */
  when: string;
  /**
   * `error`: the statement fails with `message` (only that statement is undone); `skip`: the row
   * is left as it was and the statement reports it unchanged; `rollback` (SQLite only): the whole
   * transaction ends, as an I/O error or a full disk ends it.
   */
  effect?: 'error' | 'skip' | 'rollback';
  message?: string;
}

let seq = 0;

/** Installs the fault; the returned function removes it. */
export function injectFault(h: Pick<Harness, 'exec'>, spec: FaultSpec): () => void {
  const name = `herald_fault_${++seq}`;
  const effect = spec.effect ?? 'error';
  const message = (spec.message ?? 'injected fault').replace(/'/g, "''");
  if (TEST_STORE === 'sqlite') {
    const action =
      effect === 'skip'
        ? 'RAISE(IGNORE)'
        : effect === 'rollback'
          ? `RAISE(ROLLBACK, '${message}')`
          : `RAISE(ABORT, '${message}')`;
    h.exec(`CREATE TRIGGER ${name} BEFORE ${spec.op} ON ${spec.table} WHEN ${spec.when} BEGIN SELECT ${action}; END`);
    return () => h.exec(`DROP TRIGGER IF EXISTS ${name}`);
  }
  if (effect === 'rollback') throw new Error('a fault that ends the whole transaction exists on SQLite only');
  const body = effect === 'skip' ? 'RETURN NULL;' : `RAISE EXCEPTION '${message}';`;
  h.exec(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} END $$`);
  h.exec(
    `CREATE TRIGGER ${name} BEFORE ${spec.op} ON ${spec.table} FOR EACH ROW WHEN (${spec.when}) EXECUTE FUNCTION ${name}()`,
  );
  return () => {
    h.exec(`DROP TRIGGER IF EXISTS ${name} ON ${spec.table}`);
    h.exec(`DROP FUNCTION IF EXISTS ${name}()`);
  };
}

/**
 * A fault that applies to the next `times` matching row writes only (then the writes go through),
 * counted in a table of its own: `skip` only, since an error undoes the count with its statement.
 */
export function skipNextWrites(
  h: Pick<Harness, 'exec'>,
  spec: Omit<FaultSpec, 'effect' | 'message'>,
  times: number,
): () => void {
  const counter = `herald_fault_left_${++seq}`;
  h.exec(`CREATE TABLE ${counter} (n INTEGER NOT NULL)`);
  h.exec(`INSERT INTO ${counter} (n) VALUES (${times})`);
  const left = `(SELECT n FROM ${counter}) > 0`;
  let remove: () => void;
  if (TEST_STORE === 'sqlite') {
    const name = `herald_fault_${++seq}`;
    h.exec(
      `CREATE TRIGGER ${name} BEFORE ${spec.op} ON ${spec.table} WHEN ${left} AND (${spec.when}) BEGIN UPDATE ${counter} SET n = n - 1; SELECT RAISE(IGNORE); END`,
    );
    remove = () => h.exec(`DROP TRIGGER IF EXISTS ${name}`);
  } else {
    const name = `herald_fault_${++seq}`;
    h.exec(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF ${left} THEN UPDATE ${counter} SET n = n - 1; RETURN NULL; END IF; RETURN NEW; END $$`,
    );
    h.exec(
      `CREATE TRIGGER ${name} BEFORE ${spec.op} ON ${spec.table} FOR EACH ROW WHEN (${spec.when}) EXECUTE FUNCTION ${name}()`,
    );
    remove = () => {
      h.exec(`DROP TRIGGER IF EXISTS ${name} ON ${spec.table}`);
      h.exec(`DROP FUNCTION IF EXISTS ${name}()`);
    };
  }
  return () => {
    remove();
    h.exec(`DROP TABLE IF EXISTS ${counter}`);
  };
}

/**
 * Runs `statement` (SQL both stores read the same way) in the writing transaction each time a row
 * matching `when` has been written: a change that commits together with the write that set it off.
 */
export function onRowWrite(
  h: Pick<Harness, 'exec'>,
  spec: Omit<FaultSpec, 'effect' | 'message'>,
  statement: string,
): () => void {
  const name = `herald_hook_${++seq}`;
  if (TEST_STORE === 'sqlite') {
    h.exec(`CREATE TRIGGER ${name} AFTER ${spec.op} ON ${spec.table} WHEN ${spec.when} BEGIN ${statement}; END`);
    return () => h.exec(`DROP TRIGGER IF EXISTS ${name}`);
  }
  h.exec(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${statement}; RETURN NULL; END $$`);
  h.exec(
    `CREATE TRIGGER ${name} AFTER ${spec.op} ON ${spec.table} FOR EACH ROW WHEN (${spec.when}) EXECUTE FUNCTION ${name}()`,
  );
  return () => {
    h.exec(`DROP TRIGGER IF EXISTS ${name} ON ${spec.table}`);
    h.exec(`DROP FUNCTION IF EXISTS ${name}()`);
  };
}
