// The batches of one import run: rows are grouped as they are read, one batch is in flight while
// the next one is read, and each answer is acknowledged strictly in file order (the errors file,
// the progress file and the display are brought up to the batch's last row).
import { BatchBuilder, type Batch } from './batches.js';
import { deliver, type BatchOutcome } from './deliver.js';
import type { ErrorsFile } from './errors-file.js';
import { MAX_BATCH_BYTES, type ImportSettings } from './options.js';
import type { ProgressDisplay } from './progress-display.js';
import { writeState, type ProgressState } from './progress-file.js';
import type { SourceRow } from './source-row.js';
import type { ApiTransport } from './transport.js';

export class BatchFlow {
  /** Rows applied by an interrupted run whose answer was lost (their per-row errors are unknown). */
  unconfirmed = 0;
  private readonly builder: BatchBuilder;
  private next: number;
  private inflight: Promise<void> = Promise.resolve();
  private readonly secondsBefore: number;
  private readonly started = performance.now();

  constructor(
    private readonly settings: ImportSettings,
    private readonly state: ProgressState,
    private readonly statePath: string,
    private readonly transport: ApiTransport,
    private readonly errors: ErrorsFile,
    private readonly display: ProgressDisplay,
  ) {
    this.builder = new BatchBuilder(settings.root, settings.batchSize, MAX_BATCH_BYTES);
    this.next = state.batches;
    this.secondsBefore = state.seconds;
  }

  /** Adds a row, sending the batch before it when the row does not fit and the batch it fills. */
  async add(row: SourceRow): Promise<void> {
    if (this.builder.overflows(row)) await this.flush();
    this.builder.add(row);
    if (this.builder.full) await this.flush();
  }

  /** Sends the rows left in the batch being built, if any. */
  async flushRest(): Promise<void> {
    if (this.builder.size > 0) await this.flush();
  }

  /** Waits for the batch in flight to be answered and acknowledged (its failure is the run's). */
  settled(): Promise<void> {
    return this.inflight;
  }

  private async flush(): Promise<void> {
    const batch = this.builder.take(this.next++);
    await this.inflight;
    const key = `herald-import:${this.state.session}:${batch.index}`;
    this.inflight = deliver(this.transport, this.settings.method, batch, key, (text) => this.display.note(text)).then(
      (o) => this.acknowledge(batch, o),
    );
    this.inflight.catch(() => {});
  }

  private acknowledge(b: Batch, o: BatchOutcome): void {
    const { state } = this;
    this.errors.write(o.rejected);
    state.batches = b.index + 1;
    state.offset = b.end;
    state.rows = b.lastRow;
    if (b.lastLine) state.lines = b.lastLine;
    state.imported += o.imported;
    state.rejected += o.rejected.length;
    state.errorsBytes = this.errors.bytes;
    state.seconds = this.secondsBefore + (performance.now() - this.started) / 1000;
    if (o.unconfirmed) this.unconfirmed += b.sent.length;
    writeState(this.statePath, state);
    this.display.update({ rows: state.rows, bytes: state.offset, rejected: state.rejected });
  }
}

/** Calls `onSignal` at each request to stop; returns what stops listening. */
export type SignalSource = (onSignal: () => void) => () => void;

/** The process's SIGINT and SIGTERM. */
export const processSignals: SignalSource = (onSignal) => {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
};

/** SIGINT and SIGTERM while an import runs: the first stops it after the batch being read, a second at once. */
export class StopSignals {
  stopping = false;
  private readonly release_: () => void;

  constructor(
    private readonly exitCode: number,
    source: SignalSource = processSignals,
  ) {
    this.release_ = source(() => {
      // A second signal stops at once: the progress file is always consistent (like a kill).
      if (this.stopping) process.exit(this.exitCode);
      this.stopping = true;
    });
  }

  release(): void {
    this.release_();
  }
}
