// Multi-row INSERTs for batch writes: one statement per CHUNK rows instead of one per row
// (better-sqlite3 pays its binding and call overhead per statement, SQLite its per-row work
// either way). Statements are prepared once per row count and reused.
import type { Statement } from 'better-sqlite3';
import type { SqliteDb } from './open.js';

/** Rows per statement: well under SQLite's 32,766 parameters for the widest table (14 columns). */
const CHUNK = 100;

export class BulkInsert {
  private readonly statements = new Map<number, Statement>();
  private readonly width: number;

  /** `tail` follows the VALUES list (e.g. an ON CONFLICT clause). */
  constructor(
    private readonly db: SqliteDb,
    private readonly head: string,
    columns: number,
    private readonly tail = '',
  ) {
    this.width = columns;
  }

  private statement(rows: number): Statement {
    let s = this.statements.get(rows);
    if (!s) {
      const tuple = `(${new Array(this.width).fill('?').join(', ')})`;
      s = this.db.prepare(`${this.head} VALUES ${new Array(rows).fill(tuple).join(', ')} ${this.tail}`);
      this.statements.set(rows, s);
    }
    return s;
  }

  /** Inserts `rows` (each an array of `columns` values), in order. */
  run(rows: unknown[][]): void {
    for (let start = 0; start < rows.length; start += CHUNK) {
      const part = rows.slice(start, start + CHUNK);
      this.statement(part.length).run(part.flat());
    }
  }
}
