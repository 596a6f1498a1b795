// health() on PostgreSQL before and after migrating, and once the pool is closed (what /readyz
// reports). Runs when HERALD_TEST_POSTGRES_URL is set.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import { migrationFiles } from './open.js';
import { PostgresStore } from './store.js';

const url = process.env.HERALD_TEST_POSTGRES_URL;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

it.skipIf(!url)(
  'reports every migration pending on an empty schema, none once migrated, and fails once closed',
  async () => {
    const schema = `herald_m_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE SCHEMA ${schema}`);
    const store = new PostgresStore({ url: url as string, schema, max: 2 });
    try {
      expect(await store.health()).toEqual({ pendingMigrations: migrationFiles().length });
      await store.migrate();
      expect(await store.health()).toEqual({ pendingMigrations: 0 });
      await store.pool.query(
        'DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)',
      );
      expect(await store.health()).toEqual({ pendingMigrations: 1 });
    } finally {
      await store.close();
      await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
    await expect(store.health()).rejects.toThrow();
  },
);
