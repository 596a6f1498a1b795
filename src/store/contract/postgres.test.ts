// The store contract on PostgreSQL, each test in a schema of its own. Runs when
// HERALD_TEST_POSTGRES_URL is set (CI sets it); otherwise it is skipped.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { PostgresStore } from '../postgres/store.js';
import { defineStoreContract } from './store-contract.js';

const url = process.env.HERALD_TEST_POSTGRES_URL;

if (url) {
  let schema = '';
  defineStoreContract('postgres', {
    async open() {
      schema = `herald_t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      return new PostgresStore({ url, schema, max: 4 });
    },
    // A session of this test's schema waiting for an advisory lock (the configuration hold).
    async waitsForHold() {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const r = await admin.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock%'",
        );
        return (r.rows[0] as { n: number }).n > 0;
      } finally {
        await admin.end();
      }
    },
    async cleanup() {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  });
} else {
  describe('Store contract: postgres', () => {
    it.skip('needs HERALD_TEST_POSTGRES_URL', () => {});
  });
}
