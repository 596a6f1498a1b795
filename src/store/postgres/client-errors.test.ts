// A fault of Herald's own making is not an outage: a statement PostgreSQL refuses at the protocol
// level (more than 65,535 bind parameters) stays an internal error, never StoreUnavailable (503,
// "retry later" — which would be retried for ever). Runs when HERALD_TEST_POSTGRES_URL is set.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { ProfileQuery } from '../../core/query/plan.js';
import { PostgresStore } from './store.js';
import { StoreUnavailable } from '../../core/base/errors.js';

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
  'a statement with more bind parameters than the protocol carries is an error, not an outage; the store keeps working',
  async () => {
    const schema = `herald_ce_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE SCHEMA ${schema}`);
    const store = new PostgresStore({ url: url as string, schema, max: 2 });
    try {
      await store.migrate();
      // A plan no custom_request compiles to (the core limits conditions to 1,000): 40,000 leaves, two parameters each.
      const huge: ProfileQuery = {
        kind: 'and',
        of: Array.from(
          { length: 40_000 },
          (_, i) =>
            ({ kind: 'not', of: { kind: 'values', source: 'index', field: `f${i}`, values: ['x'] } }) as ProfileQuery,
        ),
      };
      const err = await store
        .transaction((tx) => tx.queryProfiles(1, huge, 0, 10))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(StoreUnavailable);
      expect(await store.transaction((tx) => tx.queryProfiles(1, { kind: 'all' }, 0, 10))).toEqual([]);
    } finally {
      await store.close();
      await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  },
);
