// COPY's text format: every value a profile may hold comes back from PostgreSQL exactly as it was
// sent (tabs, line breaks, backslashes, the text "\N", JSON holding them, NULL), also across the
// pieces a long load is sent in. Runs when HERALD_TEST_POSTGRES_URL is set.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { copyField, copyRows, nextIds } from './copy.js';
import { openPool } from './open.js';

const url = process.env.HERALD_TEST_POSTGRES_URL;

it('escapes the text format', () => {
  expect(copyField(null)).toBe('\\N');
  expect(copyField(undefined)).toBe('\\N');
  expect(copyField('\\N')).toBe('\\\\N');
  expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
  expect(copyField(12.5)).toBe('12.5');
  expect(copyField({ k: 'x\ty' })).toBe('{"k":"x\\\\ty"}');
});

it.skipIf(!url)('loads rows that read back unchanged, in several pieces, with ids drawn first', async () => {
  const schema = `herald_c_${randomBytes(6).toString('hex')}`;
  const pool = openPool({ url: url as string, max: 1 });
  await pool.query(`CREATE SCHEMA ${schema}`);
  const client = await pool.connect();
  try {
    await client.query(`SET search_path = ${schema}`);
    await client.query('CREATE TABLE t (id BIGSERIAL PRIMARY KEY, s TEXT, n DOUBLE PRECISION, j JSON)');
    const tricky = ['plain', 'tab\there', 'line\nbreak', 'cr\rhere', 'back\\slash', '\\N', '\\', 'кириллица ✓', ''];
    const rows = Array.from({ length: 30_000 }, (_, i) => ({
      s: tricky[i % tricky.length],
      n: i % 7 === 0 ? null : i / 4,
      j: i % 5 === 0 ? null : { v: tricky[i % tricky.length], i },
    }));
    await client.query('BEGIN');
    const ids = await nextIds(client, 't', 'id', rows.length);
    expect(new Set(ids).size).toBe(rows.length);
    await copyRows(
      client,
      't',
      ['id', 's', 'n', 'j'],
      rows.map((r, i) => [ids[i], r.s, r.n, r.j]),
    );
    await client.query('COMMIT');
    const back = (
      await client.query<{ id: number; s: string; n: number | null; j: unknown }>(
        'SELECT id, s, n, j FROM t ORDER BY id',
      )
    ).rows;
    expect(back.map((r) => r.id)).toEqual([...ids].sort((a, b) => a - b));
    const byId = new Map(back.map((r) => [r.id, r]));
    rows.forEach((r, i) => expect(byId.get(ids[i])).toEqual({ id: ids[i], s: r.s, n: r.n, j: r.j }));
  } finally {
    client.release();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  }
});
