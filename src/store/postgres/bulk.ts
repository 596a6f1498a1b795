// The one way rows are inserted in bulk: COPY for many rows that are new by construction, one
// INSERT … SELECT over json_to_recordset (one parameter, whatever the number of rows) otherwise.
import { copyRows, nextIds, type CopyValue } from './copy.js';
import type { PgClient } from './open.js';

/** Below this many rows a table is written with one INSERT (one round trip, not two: keys, then COPY). */
export const COPY_MIN = 100;

/** A table as the bulk insert writes it. */
export interface BulkTable {
  table: string;
  /** Its serial key: drawn from the sequence before a COPY, returned by the INSERT; the keys come back in row order. */
  key?: string;
  /** The columns written, with their types as json_to_recordset reads them. */
  columns: readonly (readonly [name: string, type: string])[];
  /** The ON CONFLICT clause of rows that may exist already: such rows are never copied. */
  onConflict?: string;
  /** Columns the INSERT returns beside the key (for a statement that uses it as a WITH item). */
  returns?: readonly string[];
}

/** Inserts `rows` (values in the order of `t.columns`) into `t`; the new keys in row order when `t` has a key. */
export async function bulkInsert(db: PgClient, t: BulkTable, rows: CopyValue[][]): Promise<number[]> {
  if (rows.length === 0) return [];
  const names = t.columns.map(([name]) => name);
  if (t.onConflict === undefined && rows.length >= COPY_MIN) {
    if (t.key === undefined) {
      await copyRows(db, t.table, names, rows);
      return [];
    }
    const keys = await nextIds(db, t.table, t.key, rows.length);
    await copyRows(db, t.table, [t.key, ...names], keyed(keys, rows));
    return keys;
  }
  const r = await db.query<{ key: number }>(insertSql(t), [recordsJson(t, rows)]);
  // The keys are drawn in row order (ORDER BY x.n), whatever order RETURNING gives them in.
  return t.key === undefined ? [] : r.rows.map((row) => row.key).sort((a, b) => a - b);
}

function* keyed(keys: number[], rows: CopyValue[][]): Generator<CopyValue[]> {
  for (let i = 0; i < rows.length; i++) yield [keys[i], ...rows[i]];
}

/** The one parameter of `insertSql(t)`: the rows as JSON records, numbered in order. */
export function recordsJson(t: BulkTable, rows: CopyValue[][]): string {
  const names = t.columns.map(([name]) => name);
  return JSON.stringify(rows.map((row, n) => recordOf(names, row, n)));
}

function recordOf(names: string[], row: CopyValue[], n: number): Record<string, unknown> {
  const record: Record<string, unknown> = { n };
  for (let i = 0; i < names.length; i++) record[names[i]] = row[i] ?? null;
  return record;
}

const statements = new Map<BulkTable, string>();

/**
 * The INSERT of a table over one JSON parameter (`$1`, the rows as `recordsJson` gives them), built
 * once; it returns the new keys as `key`. A statement may use it as a WITH item.
 */
export function insertSql(t: BulkTable): string {
  let sql = statements.get(t);
  if (sql === undefined) {
    const names = t.columns.map(([name]) => name).join(', ');
    const record = t.columns.map(([name, type]) => `${name} ${type}`).join(', ');
    const selected = t.columns.map(([name]) => `x.${name}`).join(', ');
    sql =
      `INSERT INTO ${t.table} (${names}) SELECT ${selected} FROM json_to_recordset($1::json) AS x(n int, ${record}) ORDER BY x.n` +
      (t.onConflict ? ` ${t.onConflict}` : '') +
      (t.key ? ` RETURNING ${[`${t.key} AS key`, ...(t.returns ?? [])].join(', ')}` : '');
    statements.set(t, sql);
  }
  return sql;
}

/**
 * A statement's parameters renumbered, `$1` to `to[0]`, `$2` to `to[1]`, …: one statement's text
 * used as a part (a WITH item) of another whose parameters are numbered otherwise.
 */
export function renumbered(sql: string, ...to: number[]): string {
  return sql.replace(/\$(\d+)\b/g, (_, n: string) => `$${to[Number(n) - 1]}`);
}
