// Migration 012 (templates of several channels): a template row written before it (its parts alone
// in the body, its one channel in the column) becomes `{"channels": {<channel>: parts}}`, and the
// store reads it back as a template of that one channel; a row already in the new form is left
// as it is. The older migrations are applied first, rows written in their schema, then the store
// migrates as it does at start.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../core/catalog/types.js';
import { migrationFiles as pgMigrations } from '../postgres/open.js';
import { PostgresStore } from '../postgres/store.js';
import { migrationFiles as sqliteMigrations } from '../sqlite/open.js';
import { SqliteStore } from '../sqlite/store.js';

const INSERT =
  'INSERT INTO templates (id, account_id, name, channel, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, 1)';
const OLD_ROWS: unknown[][] = [
  [5, 1, 'Mail', 'email', JSON.stringify({ subject: 'Hi {lead._fname}', html: '<p>x</p>' })],
  [6, 1, 'Sms', 'sms', JSON.stringify({ text: 'Code' })],
  // Already of the new form (written by a newer Herald before the migration ran): kept.
  [
    7,
    1,
    'Both',
    'email,sms',
    JSON.stringify({ description: 'd', channels: { email: { subject: 'S', text: 'T' }, sms: { text: 'X' } } }),
  ],
];
const BODIES = {
  5: { channels: { email: { subject: 'Hi {lead._fname}', html: '<p>x</p>' } } },
  6: { channels: { sms: { text: 'Code' } } },
  7: { description: 'd', channels: { email: { subject: 'S', text: 'T' }, sms: { text: 'X' } } },
};

function expectTemplates(catalog: Catalog, bodies: string[]): void {
  expect(bodies.map((b) => JSON.parse(b))).toEqual([BODIES[5], BODIES[6], BODIES[7]]);
  expect(catalog.templates.get(5)).toEqual({ id: 5, accountId: 1, name: 'Mail', channels: BODIES[5].channels });
  expect(catalog.templates.get(6)).toEqual({ id: 6, accountId: 1, name: 'Sms', channels: BODIES[6].channels });
  expect(catalog.templates.get(7)).toEqual({
    id: 7,
    accountId: 1,
    name: 'Both',
    description: 'd',
    channels: BODIES[7].channels,
  });
}

describe('migration 012 (template channels): sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-m012-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rewrites the templates written before it as templates of their one channel', async () => {
    // Migrated by the store itself (005 needs the store's SQL functions), 012 marked not applied, then the rows.
    const store = new SqliteStore(join(dir, 'herald.db'));
    await store.migrate();
    const m012 = sqliteMigrations().find((m) => m.version === 12);
    expect(m012?.name).toBe('012_template_channels.sql');
    store.db.prepare('DELETE FROM schema_migrations WHERE version = 12').run();
    for (const row of OLD_ROWS) store.db.prepare(INSERT.replace(/\$\d+/g, '?')).run(...row);
    await store.migrate();
    const bodies = store.db.prepare('SELECT body FROM templates ORDER BY id').pluck().all() as string[];
    expectTemplates(await store.loadCatalog(1), bodies);
    await store.close();
  });
});

const url = process.env.HERALD_TEST_POSTGRES_URL;

describe.skipIf(!url)('migration 012 (template channels): postgres', () => {
  const schema = `herald_m012_${randomBytes(6).toString('hex')}`;
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('rewrites the templates written before it as templates of their one channel', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.query(`SET search_path TO ${schema}`);
    await c.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    for (const m of pgMigrations().filter((m) => m.version < 12)) {
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    }
    for (const row of OLD_ROWS) await c.query(INSERT, row);
    await c.end();

    const store = new PostgresStore({ url: url as string, schema, max: 2 });
    try {
      await store.migrate();
      const bodies = (await store.pool.query<{ body: string }>('SELECT body FROM templates ORDER BY id')).rows.map(
        (r) => r.body,
      );
      expectTemplates(await store.loadCatalog(1), bodies);
    } finally {
      await store.close();
    }
  });
});
