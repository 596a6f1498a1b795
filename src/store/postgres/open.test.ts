// Statements run with parameters are prepared once per connection (the server parses and plans
// them once), texts with `*` are not, a statement that fails leaves its connection usable, and
// `prepare: false` (for poolers in transaction mode) prepares nothing. Runs when
// HERALD_TEST_POSTGRES_URL is set.
import { afterEach, describe, expect, it } from 'vitest';
import { openPool, type PgPool } from './open.js';

const url = process.env.HERALD_TEST_POSTGRES_URL;
let pool: PgPool | undefined;
afterEach(async () => {
  await pool?.end();
  pool = undefined;
});

/** The statements prepared on the one connection of `p`. */
async function prepared(p: PgPool): Promise<string[]> {
  const r = await p.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY statement');
  return r.rows.map((row) => row.statement);
}

describe.skipIf(!url)('prepared statements on PostgreSQL', () => {
  it('prepares a statement with parameters once and runs it again by name', async () => {
    pool = openPool({ url: url as string, max: 1 });
    for (let i = 0; i < 3; i++)
      expect((await pool.query<{ x: number }>('SELECT $1::int + 1 AS x', [i])).rows).toEqual([{ x: i + 1 }]);
    // Not prepared: a text with `*`, and a long one (a compiled query is new each time).
    await pool.query('SELECT count(*) AS n FROM pg_class WHERE relpages > $1', [0]);
    await pool.query(`SELECT $1::int AS x${' '.repeat(5000)}`, [1]);
    expect(await prepared(pool)).toEqual(['SELECT $1::int + 1 AS x']);
  });

  it('keeps the connection usable after a prepared statement fails, and runs it again', async () => {
    pool = openPool({ url: url as string, max: 1 });
    await expect(pool.query('SELECT 1 / $1::int AS x', [0])).rejects.toThrow(/division by zero/);
    expect((await pool.query<{ x: number }>('SELECT 1 / $1::int AS x', [1])).rows).toEqual([{ x: 1 }]);
    await expect(pool.query('SELECT nope FROM $1', [1])).rejects.toThrow();
    expect((await pool.query<{ x: number }>('SELECT 1 / $1::int AS x', [1])).rows).toEqual([{ x: 1 }]);
  });

  it('prepares nothing with prepare: false', async () => {
    pool = openPool({ url: url as string, max: 1, prepare: false });
    await pool.query('SELECT $1::int AS x', [1]);
    expect(await prepared(pool)).toEqual([]);
  });
});
