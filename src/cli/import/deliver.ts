// Sends one batch and reads its answer: retries what may be retried under the same request key
// (network failures, 429, 503, a key still held by an interrupted run), turns the per-item
// `errors` into rejected rows, and fails the import on a request-level refusal.
import type { RejectedRow } from './errors-file.js';
import type { Batch } from './batches.js';
import { ImportFailure, TransportError } from './errors.js';
import type { ApiAnswer, ApiTransport } from './transport.js';

export interface BatchOutcome {
  imported: number;
  rejected: RejectedRow[];
  /** The batch was applied, but its per-row answer was lost (the rows count as imported). */
  unconfirmed: boolean;
}

/** How long a retry may wait in all: over the API's 30 s request-key lease, and a server restart. */
const RETRY_BUDGET_MS = 120_000;
const MAX_WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rowsOf(batch: Batch): string {
  return `rows ${batch.rows[0].row}–${batch.lastRow}`;
}

function debugOf(a: ApiAnswer): string {
  const d = a.json.error_debug ?? a.json.error_text;
  return typeof d === 'string' ? d : JSON.stringify(a.json).slice(0, 300);
}

interface ItemError {
  index: number;
  error: number;
  error_text?: string;
  error_debug?: string;
}

function localRejects(batch: Batch): RejectedRow[] {
  return batch.rows
    .filter((r) => r.error !== undefined)
    .map((r) => ({
      row: r.row,
      ...(r.line ? { line: r.line } : {}),
      error: 400,
      reason: r.error ?? '',
      record: r.record(),
    }));
}

function outcome(batch: Batch, a: ApiAnswer): BatchOutcome {
  const errors = Array.isArray(a.json.errors) ? (a.json.errors as ItemError[]) : [];
  const imported = Array.isArray(a.json.result) ? a.json.result.length : 0;
  const rejected = localRejects(batch);
  for (const e of errors) {
    const r = batch.sent[e.index];
    if (!r) continue;
    // The API names the item by its place in the batch (`data[7].data.email: …`); the row number says it here.
    const reason = (e.error_debug || e.error_text || 'rejected').replace(/^data\[\d+\](?:\.|: )?/, '');
    rejected.push({ row: r.row, ...(r.line ? { line: r.line } : {}), error: e.error, reason, record: r.record() });
  }
  rejected.sort((x, y) => x.row - y.row);
  return { imported, rejected, unconfirmed: false };
}

/** `note` hears of waits worth telling the operator about. */
export async function deliver(
  transport: ApiTransport,
  method: string,
  batch: Batch,
  requestKey: string,
  note: (text: string) => void = () => {},
): Promise<BatchOutcome> {
  if (!batch.body) return { imported: 0, rejected: localRejects(batch), unconfirmed: false };
  const started = Date.now();
  let attempt = 0;
  // Once a try may have reached the server unanswered, only the request key knows whether it ran.
  let doubt = false;
  for (;;) {
    attempt += 1;
    let a: ApiAnswer;
    let why: string;
    let waitMs = Math.min(MAX_WAIT_MS, 500 * 2 ** (attempt - 1));
    try {
      a = await transport.call(method, batch.body, requestKey);
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      doubt = true;
      if (Date.now() - started > RETRY_BUDGET_MS)
        throw new ImportFailure(`batch ${batch.index + 1} (${rowsOf(batch)}): ${err.message}`, true);
      await sleep(waitMs);
      continue;
    }
    const debug = debugOf(a);
    if (a.status === 200) return outcome(batch, a);
    if (a.status === 409 && /still being processed/.test(debug)) {
      // The interrupted run's claim on this key: its lease runs out, then the batch runs here.
      if (!doubt)
        note(
          `batch ${batch.index + 1} was being applied by the interrupted run: waiting for its request key to be released (at most 30 s)`,
        );
      why = debug;
      waitMs = 2000;
      doubt = true;
    } else if (a.status === 409 && /response was not recorded/.test(debug)) {
      return { imported: batch.sent.length, rejected: localRejects(batch), unconfirmed: true };
    } else if (a.status === 429 || a.status === 502 || a.status === 503 || a.status === 504) {
      why = `${a.status} ${debug}`;
      if (attempt === 1) note(`batch ${batch.index + 1}: ${why}; retrying`);
      if (a.retryAfter !== undefined) waitMs = Math.min(60_000, a.retryAfter * 1000);
    } else if (a.status === 409) {
      throw new ImportFailure(
        `batch ${batch.index + 1} (${rowsOf(batch)}) differs from the one the interrupted import sent under the same key: ${debug}. Run with --restart to import the file from the start.`,
      );
    } else {
      throw new ImportFailure(`batch ${batch.index + 1} (${rowsOf(batch)}) was refused: ${a.status} ${debug}`);
    }
    if (Date.now() - started > RETRY_BUDGET_MS)
      throw new ImportFailure(
        `batch ${batch.index + 1} (${rowsOf(batch)}): still failing after ${Math.round((Date.now() - started) / 1000)} s: ${why}`,
        doubt,
      );
    await sleep(waitMs);
  }
}
