// Storage for end-to-end tests: a fresh PostgreSQL database next to the one
// HERALD_TEST_POSTGRES_URL names, or a SQLite file; both read back with plain SQL.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.HERALD_TEST_POSTGRES_URL;

export interface TestDatabase {
  /** HERALD_DATABASE_URL for the processes under test. */
  url: string;
  /** Rows of a query (BIGINT columns as numbers). */
  query<T>(text: string): Promise<T[]>;
  drop(): Promise<void>;
}

/**
 * Runs one statement on its own connection: by default as the administrator (CREATE/DROP/ALTER
 * DATABASE, pg_terminate_backend), or on the database `url` names.
 */
export async function pgAdmin(text: string, url = PG_ADMIN_URL): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

export async function postgresDatabase(label: string): Promise<TestDatabase & { name: string }> {
  const name = `herald_${label}_${randomBytes(4).toString('hex')}`;
  await pgAdmin(`CREATE DATABASE ${name}`);
  const u = new URL(PG_ADMIN_URL as string);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    name,
    url,
    async query<T>(text: string) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const rows = (await c.query(text)).rows as Record<string, unknown>[];
        return rows.map((r) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]),
          ),
        ) as T[];
      } finally {
        await c.end();
      }
    },
    drop: () => pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Rows of a query on a SQLite file written by a process under test (a connection of its own, closed at once). */
export function readSqlite<T>(path: string, text: string, ...params: unknown[]): T[] {
  const db = new Database(path, { fileMustExist: true });
  try {
    return db.prepare(text).all(...params) as T[];
  } finally {
    db.close();
  }
}

export function sqliteDatabase(dir: string, file = 'herald.db'): TestDatabase {
  const path = join(dir, file);
  return {
    url: `sqlite:${path}`,
    query: async <T>(text: string) => readSqlite<T>(path, text),
    drop: async () => {},
  };
}

/** The stores an end-to-end test runs on: SQLite always, PostgreSQL when it is configured. */
export const backends: [string, (dir: string) => Promise<TestDatabase>][] = [
  ['SQLite', async (dir) => sqliteDatabase(dir)],
  ...(PG_ADMIN_URL
    ? [['PostgreSQL', () => postgresDatabase('e2e')] as [string, (dir: string) => Promise<TestDatabase>]]
    : []),
];
