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
