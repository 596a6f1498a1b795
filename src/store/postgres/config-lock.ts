// The account configuration lock on PostgreSQL: an advisory transaction lock per account, taken
// shared by every transaction that applies a request checked against the account's catalog and
// exclusively by every change to that configuration. Advisory locks live in the lock manager's
// memory: many concurrent requests share one without writing anything (a FOR SHARE row lock
// would stamp the account row with a new multixact per locker, on every request).
import type pg from 'pg';
import type { Queryable } from './open.js';

/** The first key of the two-key advisory lock space (the second is the account id). */
const CONFIG_LOCK = 72_656_982;

function accountKey(accountId: number): number {
  if (!Number.isInteger(accountId) || accountId < -2_147_483_648 || accountId > 2_147_483_647)
    throw new RangeError(`not an account id: ${accountId}`);
  return accountId;
}

/**
 * Holds the account's configuration (shared by default; exclusive for a change) and returns its
 * version, read after the lock is held: the lock and the read are two statements (sent together,
 * after the transaction control of `before` — BEGIN, a SAVEPOINT — in the same round trip), so the
 * read's snapshot is taken once a change that held the lock has committed.
 */
export async function holdConfig(
  client: pg.ClientBase,
  accountId: number,
  opts: { before?: string; mode?: 'shared' | 'exclusive' } = {},
): Promise<number> {
  const id = accountKey(accountId);
  const lock = opts.mode === 'exclusive' ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
  const results = (await client.query(
    `${opts.before ? `${opts.before}; ` : ''}SELECT ${lock}(${CONFIG_LOCK}, ${id}); SELECT config_version FROM accounts WHERE id = ${id}`,
  )) as unknown as pg.QueryResult<{ config_version: number }>[];
  return results[results.length - 1].rows[0]?.config_version ?? 0;
}

/** Takes the account's configuration exclusively (waits for the requests holding it to commit). */
export async function lockConfig(db: Queryable, accountId: number): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1, $2)', [CONFIG_LOCK, accountKey(accountId)]);
}
