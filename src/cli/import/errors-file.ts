// FILE.errors.jsonl: one line per row that was not imported — its row (and line) number, the
// API's error code and reason, and the row as read. Written a batch at a time, after the batch
// was acknowledged, so a resume can cut it back to the last acknowledged batch.
import { closeSync, existsSync, fdatasyncSync, fstatSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';

export interface RejectedRow {
  row: number;
  line?: number;
  /** 400 or 404 as the API answers per item; 400 for rows refused before sending. */
  error: number;
  reason: string;
  record: unknown;
}

export class ErrorsFile {
  private fd: number | undefined;
  private size: number;

  /** Opens the file, cut back to `keepBytes` (a resume) or emptied (a fresh import). */
  constructor(
    readonly path: string,
    keepBytes: number,
  ) {
    if (keepBytes > 0 && existsSync(path)) {
      truncateSync(path, keepBytes);
      this.fd = openSync(path, 'a');
    } else {
      rmSync(path, { force: true });
    }
    this.size = this.fd === undefined ? 0 : fstatSync(this.fd).size;
  }

  get bytes(): number {
    return this.size;
  }

  /** Appends a batch's rejected rows (in row order) and makes them durable before the state says so. */
  write(rows: RejectedRow[]): void {
    if (rows.length === 0) return;
    this.fd ??= openSync(this.path, 'a');
    const text =
      rows
        .map((r) =>
          JSON.stringify({
            row: r.row,
            ...(r.line !== undefined ? { line: r.line } : {}),
            error: r.error,
            reason: r.reason,
            record: r.record,
          }),
        )
        .join('\n') + '\n';
    const buf = Buffer.from(text);
    writeSync(this.fd, buf);
    fdatasyncSync(this.fd);
    this.size += buf.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
