// Connecting to PostgreSQL (pg 8): a pool with statement timeouts, BIGINT read as numbers (every
// value Herald stores there is below 2^53), statements prepared once per connection, and the
// numbered migrations of migrations/, applied in a transaction under an advisory lock so
// concurrent processes migrate once.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;
/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PgOptions {
  url: string;
  /** Connections in the pool. */
  max?: number;
  /** A schema to use instead of `public` (tests run each suite in its own). */
  schema?: string;
  /** Prepare the statements run with parameters, once per connection (default true). */
  prepare?: boolean;
}

/**
 * Statement names by text. At most this many texts are prepared, none longer than MAX_TEXT: the
 * store's own statements are a few dozen short texts, while a compiled custom_request query can
 * be long and new each time — kept unprepared, it cannot fill each connection's plan cache.
 */
const MAX_PREPARED = 300;
const MAX_TEXT = 4096;
const names = new Map<string, string>();

/**
 * A client that prepares the statements Herald runs with parameters, once per connection: the
 * server parses and plans a named statement once, not on every execution. Texts with `*` stay
 * unnamed: a column added by a newer version's migration would change the result type of a
 * prepared `SELECT *` under a process still running (PostgreSQL then refuses it, 0A000).
 */
class PreparingClient extends pg.Client {
  override query(config: unknown, values?: unknown, callback?: unknown): never {
    if (typeof config === 'string' && Array.isArray(values) && config.length <= MAX_TEXT && !config.includes('*')) {
      let name = names.get(config);
      if (name === undefined && names.size < MAX_PREPARED) {
        name = `herald_${names.size}`;
        names.set(config, name);
      }
      if (name !== undefined) return super.query({ name, text: config, values } as never, callback as never) as never;
    }
    return super.query(config as never, values as never, callback as never) as never;
  }
}

export function openPool(opts: PgOptions): PgPool {
  const pool = new pg.Pool({
    ...(opts.prepare !== false ? { Client: PreparingClient } : {}),
    connectionString: opts.url,
    max: opts.max ?? 10,
    types,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // No statement runs for ever, no transaction idles holding locks.
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 60_000,
    application_name: 'herald',
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // An idle client that loses its connection (a PostgreSQL restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_LOCK = 7_281_337;

export function migrationFiles(): { version: number; name: string; sql: string }[] {
  return readdirSync(migrationsDir)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort()
    .map((name) => ({
      version: Number.parseInt(name, 10),
      name,
      sql: readFileSync(join(migrationsDir, name), 'utf8'),
    }));
}

export async function migrate(pool: PgPool): Promise<number[]> {
  const client = await pool.connect();
  const done: number[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    for (const m of migrationFiles()) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      done.push(m.version);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  return done;
}
