// Migration 005 re-keys the long values stored before the index held them by key: after it, the
// rows hold exactly what core/profiles/index-key.ts computes, on SQLite (herald_index_key) and on
// PostgreSQL (the same rule in SQL). The older migrations are applied first, rows written in
// their schema, then the store migrates as it does at start.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationFiles as pgMigrations } from '../postgres/open.js';
import { PostgresStore } from '../postgres/store.js';
import { migrationFiles as sqliteMigrations } from '../sqlite/open.js';
import { SqliteStore } from '../sqlite/store.js';
import { DIGEST_MARK, indexKey } from '../../core/values/index-key.js';

/** Values around every edge of the rule: short, at the limit, multi-byte, holding the mark, long. */
const VALUES = [
  'short',
  'a'.repeat(1_000),
  'a'.repeat(1_001),
  'é'.repeat(500),
  'é'.repeat(501),
  `x${DIGEST_MARK}y`,
  `${'🦔'.repeat(300)}${'z'.repeat(100)}`,
];
/** Too long for a PostgreSQL B-tree entry: it could only ever be stored on SQLite. */
const INCOMPRESSIBLE = randomBytes(3_000).toString('base64');

const SQL = {
  value: 'INSERT INTO profile_values (db_id, field, value, profile_seq) VALUES ($1, $2, $3, $4)',
  subscription:
    'INSERT INTO subscriptions (profile_seq, resource_id, channel, address, db_id, status, priority, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
  message:
    'INSERT INTO messages (account_id, trigger_id, launch_id, profile_id, channel, resource_id, address, status, due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
};

/** The statements and parameters writing `values` as the schema before 005 held them. */
function oldRows(values: string[]): [string, unknown[]][] {
  return values.flatMap((v, i): [string, unknown[]][] => [
    [SQL.value, [1, 'Custom_ID', v, i + 1]],
    [SQL.subscription, [i + 1, 21, 'push', `fcm|${v}`, 1, 0, 0, '{}', 1, 1]],
    [SQL.message, [1, 96, 1, `p${i}`, 'push', 21, `fcm|${v}`, 'scheduled', 1, 1]],
  ]);
}

function expectRekeyed(values: string[], got: { values: string[]; subscriptions: string[]; messages: string[] }): void {
  const sorted = (list: string[]) => [...list].sort();
  expect(sorted(got.values)).toEqual(sorted(values.map(indexKey)));
  expect(sorted(got.subscriptions)).toEqual(sorted(values.map((v) => indexKey(`fcm|${v}`))));
  expect(sorted(got.messages)).toEqual(sorted(values.map((v) => indexKey(`fcm|${v}`))));
}

describe('migration 005 (index keys): sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-m005-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('re-keys the value rows, subscription and message addresses written before it', async () => {
    const file = join(dir, 'herald.db');
    const values = [...VALUES, INCOMPRESSIBLE];
    const db = new Database(file);
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    for (const m of sqliteMigrations().filter((m) => m.version < 5)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    for (const [text, params] of oldRows(values)) db.prepare(text.replace(/\$\d+/g, '?')).run(...params);
    db.close();

    const store = new SqliteStore(file);
    await store.migrate();
    const column = (text: string) => store.db.prepare(text).pluck().all() as string[];
    expectRekeyed(values, {
      values: column('SELECT value FROM profile_values'),
      subscriptions: column('SELECT address FROM subscriptions'),
      messages: column('SELECT address FROM messages'),
    });
    await store.close();
  });
});

const url = process.env.HERALD_TEST_POSTGRES_URL;

describe.skipIf(!url)('migration 005 (index keys): postgres', () => {
  const schema = `herald_m005_${randomBytes(6).toString('hex')}`;
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('re-keys the value rows, subscription and message addresses written before it', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.query(`SET search_path TO ${schema}`);
    await c.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    for (const m of pgMigrations().filter((m) => m.version < 5)) {
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    }
    for (const [text, params] of oldRows(VALUES)) await c.query(text, params);
    await c.end();

    const store = new PostgresStore({ url: url as string, schema, max: 2 });
    try {
      await store.migrate();
      const column = async (text: string) => (await store.pool.query<{ v: string }>(text)).rows.map((r) => r.v);
      expectRekeyed(VALUES, {
        values: await column('SELECT value AS v FROM profile_values'),
        subscriptions: await column('SELECT address AS v FROM subscriptions'),
        messages: await column('SELECT address AS v FROM messages'),
      });
    } finally {
      await store.close();
    }
  });
});
