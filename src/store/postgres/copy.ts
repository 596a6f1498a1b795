// Bulk loading with COPY … FROM STDIN (pg-copy-streams): the rows of a batch go to PostgreSQL as
// one text stream, parsed by its COPY reader instead of a JSON document taken apart by
// json_to_recordset. Used for rows that are new by construction (their key was just drawn from a
// sequence), so nothing can conflict and no ON CONFLICT clause is needed.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { PgClient, Queryable } from './open.js';

/** A column value: numbers and strings as they are, objects as JSON, null and undefined as NULL. */
export type CopyValue = string | number | boolean | null | undefined | object;

const SPECIAL = /[\\\n\r\t]/g;
const HAS_SPECIAL = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One field of COPY's text format (backslash escapes, \N for NULL). */
export function copyField(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return HAS_SPECIAL.test(text) ? text.replace(SPECIAL, (c) => ESCAPES[c]) : text;
}

// Rows are sent in pieces of about this many characters: one write per piece, memory bounded.
const PIECE = 256 * 1024;

function* pieces(rows: Iterable<CopyValue[]>): Generator<string> {
  let piece = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : '\t') + copyField(row[i]);
    piece += `${line}\n`;
    if (piece.length >= PIECE) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

/** COPY `rows` into `table (columns)` on this client (inside its transaction). */
export async function copyRows(
  client: PgClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<CopyValue[]>,
): Promise<void> {
  const sink = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(pieces(rows)), sink);
}

/**
 * `count` new values of a serial column (one round trip; gaps are harmless). The sequence is named
 * the way PostgreSQL names a SERIAL's (`table_column_seq`), resolved once per statement:
 * pg_get_serial_sequence() would be evaluated on every row and cost ten times more.
 */
export async function nextIds(db: Queryable, table: string, column: string, count: number): Promise<number[]> {
  if (count === 0) return [];
  const r = await db.query<{ id: number }>(
    `SELECT nextval('${table}_${column}_seq'::regclass) AS id FROM generate_series(1, $1)`,
    [count],
  );
  return r.rows.map((row) => row.id);
}
