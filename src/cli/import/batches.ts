// Groups rows into the batches of an import: up to --batch-size rows, and never more JSON than
// MAX_BATCH_BYTES. A batch's body is the API request: the root parameters and `data`, the items
// of its sendable rows in file order. The same file and options always give the same batches, so
// a batch sent again after a crash carries the same body under the same request key.
import type { SourceRow } from './source-row.js';

export interface Batch {
  /** 0-based number of the batch in the file (its request key is made from it). */
  index: number;
  rows: SourceRow[];
  /** The rows that were sent, in the order of `data` (the API's `errors[].index` points here; their `item` is dropped). */
  sent: SourceRow[];
  /** The request body; undefined when no row of the batch can be sent. */
  body: Buffer | undefined;
  /** Byte offset past the batch's last row. */
  end: number;
  lastRow: number;
  lastLine: number;
}

export class BatchBuilder {
  private rows: SourceRow[] = [];
  private sent: SourceRow[] = [];
  private bytes = 0;
  private readonly prefix: string;

  constructor(
    root: Record<string, unknown>,
    private readonly maxRows: number,
    private readonly maxBytes: number,
  ) {
    this.prefix = `${JSON.stringify(root).slice(0, -1)},"data":[`;
  }

  get size(): number {
    return this.rows.length;
  }

  /** Whether `row` would push the batch past its byte limit (then the batch goes first). */
  overflows(row: SourceRow): boolean {
    return (
      row.item !== undefined && this.sent.length > 0 && this.bytes + Buffer.byteLength(row.item) + 1 > this.maxBytes
    );
  }

  add(row: SourceRow): void {
    this.rows.push(row);
    if (row.item === undefined) return;
    this.sent.push(row);
    this.bytes += Buffer.byteLength(row.item) + 1;
  }

  get full(): boolean {
    return this.rows.length >= this.maxRows;
  }

  take(index: number): Batch {
    const rows = this.rows;
    const sent = this.sent;
    const last = rows[rows.length - 1];
    this.rows = [];
    this.sent = [];
    this.bytes = 0;
    const body = sent.length > 0 ? Buffer.from(`${this.prefix}${sent.map((r) => r.item).join(',')}]}`) : undefined;
    // The body holds the items now; the rows stay only to name the rejected ones.
    for (const r of sent) r.item = undefined;
    return { index, rows, sent, body, end: last.end, lastRow: last.row, lastLine: last.line ?? 0 };
  }
}
