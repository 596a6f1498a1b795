// `herald import FILE`: streams a CSV or JSON Lines file into the API in batches, one request
// (one transaction) per batch, with a progress display, an errors file and a resume point
// written after every acknowledged batch. See README, "Importing files".
import { rmSync } from 'node:fs';
import { ConfigError, type Config } from '../../config.js';
import { BatchFlow, StopSignals, type SignalSource } from './batch-flow.js';
import { csvRows, readCsvHeader } from './csv-rows.js';
import { EXIT, ImportFailure, SourceError } from './errors.js';
import { ErrorsFile } from './errors-file.js';
import { jsonlRows } from './jsonl-rows.js';
import type { SourceRow } from './source-row.js';
import { MAX_BATCH_BYTES, type ImportSettings } from './options.js';
import { preflight } from './preflight.js';
import { count, duration, ProgressDisplay } from './progress-display.js';
import {
  fingerprint,
  freshState,
  identify,
  lockInput,
  mismatch,
  newSession,
  readState,
  removeState,
  writeState,
  type FileIdentity,
  type ProgressState,
} from './progress-file.js';
import { httpTransport, localTransport, type ApiTransport } from './transport.js';

export interface ImportIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Whether stderr is a terminal, when `stderr.isTTY` cannot tell (a thread's stderr is a pipe to the main thread). */
  tty?: boolean;
  /** The requests to stop (default: the process's SIGINT and SIGTERM). */
  signals?: SignalSource;
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 * 1024 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function identifyInput(file: string) {
  try {
    return identify(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
      throw new ConfigError(
        `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : 'permission denied'}`,
      );
    throw err;
  }
}

/** The progress file, if any; one that cannot be read is only in the way of a restart. */
function readProgress(path: string, restart: boolean): ProgressState | undefined {
  try {
    return readState(path);
  } catch (err) {
    if (restart) return undefined;
    throw new ConfigError(
      `${path}: cannot be read (${err instanceof Error ? err.message : String(err)}); run with --restart to import the file from the start`,
    );
  }
}

export async function runImport(settings: ImportSettings, config: Readonly<Config>, io: ImportIo): Promise<number> {
  const identity = identifyInput(settings.file);
  const unlock = lockInput(settings.file);
  try {
    return await runLocked(settings, config, io, identity);
  } finally {
    unlock();
  }
}

async function runLocked(
  settings: ImportSettings,
  config: Readonly<Config>,
  io: ImportIo,
  identity: FileIdentity,
): Promise<number> {
  const { file } = settings;
  const statePath = `${file}.herald-progress`;
  const options = optionsFingerprint(settings, config);
  const { stored, previous } = resumePoint(settings, statePath, identity, options);
  const header = settings.format === 'csv' ? await readCsvHeader(file, settings.delimiter) : undefined;
  // An interrupted session (a batch may be in doubt) goes on; a clean stop or a new import opens one.
  const session = previous?.session ?? newSession();
  const state: ProgressState = previous
    ? { ...previous, session }
    : freshState(identity, options, header?.end ?? 0, session);
  const transport = await openTransport(settings, config, io, session, stored);
  try {
    let dbId: number;
    try {
      dbId = await preflight(transport, settings, header?.plan);
    } catch (err) {
      // Nothing was sent in a new session: close it. An interrupted one stays open for its resume.
      if (!previous?.session) await transport.endSession();
      throw err;
    }
    if (settings.resume === 'restart') removeState(statePath);
    writeState(statePath, state);
    io.stderr.write(startLine(settings, state, identity, dbId, previous !== undefined));
    return await importRows({
      settings,
      state,
      statePath,
      errorsPath: `${file}.errors.jsonl`,
      transport,
      header,
      io,
      totalBytes: identity.size,
      resumed: previous !== undefined,
    });
  } finally {
    await transport.close();
  }
}

/** What a progress file is valid for: the target and every option that shapes the batches. */
function optionsFingerprint(settings: ImportSettings, config: Readonly<Config>): string {
  const target = settings.remote ? settings.remote.url : `local:${fingerprint(config.databaseUrl)}`;
  return fingerprint({
    target,
    method: settings.method,
    root: settings.root,
    batchSize: settings.batchSize,
    format: settings.format,
    delimiter: settings.delimiter,
    maxBatchBytes: MAX_BATCH_BYTES,
  });
}

/** The progress file found (`stored`) and the one the run resumes from (`previous`; none on a restart). */
function resumePoint(
  settings: ImportSettings,
  statePath: string,
  identity: FileIdentity,
  options: string,
): { stored: ProgressState | undefined; previous: ProgressState | undefined } {
  const stored = readProgress(statePath, settings.resume === 'restart');
  const previous: ProgressState | undefined = settings.resume === 'restart' ? undefined : stored;
  if (previous) {
    const why = mismatch(previous, identity, options);
    if (why)
      throw new ConfigError(
        `${statePath}: ${why}. Run with --restart to import the file from the start (rows imported already are imported again).`,
      );
  } else if (settings.resume === 'required') {
    throw new ConfigError(`nothing to resume: ${statePath} does not exist`);
  }
  return { stored, previous };
}

/** The API the batches go to: a remote server, or the local storage in this process. */
async function openTransport(
  settings: ImportSettings,
  config: Readonly<Config>,
  io: ImportIo,
  session: string,
  stored: ProgressState | undefined,
): Promise<ApiTransport> {
  if (settings.remote) return httpTransport(settings.remote.url, settings.remote.token);
  return localTransport(config, {
    ...(settings.trigger !== undefined ? { trigger: settings.trigger } : { db: settings.db }),
    session,
    // A restart closes the session the old progress file left open.
    ...(settings.resume === 'restart' && stored?.session ? { staleSession: stored.session } : {}),
    logLevel: io.env.HERALD_LOG_LEVEL ? config.logLevel : 'error',
    batchSize: settings.batchSize,
  });
}

/** The line that says what is imported where (or resumed from where). */
function startLine(
  settings: ImportSettings,
  state: ProgressState,
  identity: FileIdentity,
  dbId: number,
  resumed: boolean,
): string {
  const { file } = settings;
  const into = settings.trigger !== undefined ? `trigger ${settings.trigger} (database ${dbId})` : `database ${dbId}`;
  const where = settings.remote ? settings.remote.url : 'the local storage';
  return resumed
    ? `resuming ${file} after row ${count(state.rows)} (${mb(state.offset)} of ${mb(identity.size)}) into ${into} on ${where}\n`
    : `importing ${file} (${mb(identity.size)}, ${settings.format === 'csv' ? 'CSV' : 'JSON Lines'}) into ${into} on ${where}, ${count(settings.batchSize)} rows a batch\n`;
}

interface RunContext {
  settings: ImportSettings;
  state: ProgressState;
  statePath: string;
  errorsPath: string;
  transport: ApiTransport;
  header: Awaited<ReturnType<typeof readCsvHeader>> | undefined;
  io: ImportIo;
  totalBytes: number;
  resumed: boolean;
}

async function importRows(ctx: RunContext): Promise<number> {
  const { settings, state, io } = ctx;
  const errors = new ErrorsFile(ctx.errorsPath, ctx.resumed ? state.errorsBytes : 0);
  const display = new ProgressDisplay(io.stderr, {
    tty: io.tty ?? io.stderr.isTTY === true,
    everyMs: settings.progressEveryMs,
    totalBytes: ctx.totalBytes,
    start: { rows: state.rows, bytes: state.offset, rejected: state.rejected },
  });
  const signals = new StopSignals(EXIT.interrupted, io.signals);
  const flow = new BatchFlow(settings, state, ctx.statePath, ctx.transport, errors, display);
  let failure: unknown;
  try {
    failure = await readRows(ctx, flow, signals);
  } catch (err) {
    failure = err;
  } finally {
    display.finish();
    signals.release();
    errors.close();
  }
  if (failure !== undefined || signals.stopping) return stopped(ctx, failure);
  return finished(ctx, display, flow.unconfirmed);
}

/** The file's rows from the resume point on. */
function rowSource(ctx: RunContext): AsyncIterable<SourceRow> {
  const { settings, state } = ctx;
  return settings.format === 'csv' && ctx.header
    ? csvRows(settings.file, {
        plan: ctx.header.plan,
        delimiter: settings.delimiter,
        offset: state.offset,
        rowsBefore: state.rows,
      })
    : jsonlRows(settings.file, { offset: state.offset, rowsBefore: state.rows, linesBefore: state.lines });
}

/** Reads and sends the rows until the end, a stop or a syntax error of the file (returned; anything else throws). */
async function readRows(ctx: RunContext, flow: BatchFlow, signals: StopSignals): Promise<unknown> {
  let failure: unknown;
  try {
    for await (const row of rowSource(ctx)) {
      await flow.add(row);
      if (signals.stopping) break;
    }
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    failure = err;
  }
  // The rows read before a syntax error are imported; on a stop they are read again next time.
  if (!signals.stopping) await flow.flushRest();
  await flow.settled();
  return failure;
}

/** The end of a run that was stopped or failed: the place is kept for the resume. */
async function stopped(ctx: RunContext, failure: unknown): Promise<number> {
  const { state, statePath, io } = ctx;
  // Known outcomes leave no batch in doubt; anything unexpected (a failed write of this file's
  // state after a commit) may have, and keeps the session for the resume to replay it.
  const known =
    failure === undefined || failure instanceof SourceError || (failure instanceof ImportFailure && !failure.inDoubt);
  const inDoubt = failure instanceof ImportFailure && failure.inDoubt;
  if (known) {
    // Every batch sent was answered: the next run starts a new session.
    await ctx.transport.endSession();
    state.session = null;
    writeState(statePath, state);
  }
  const done = `${count(state.rows)} rows committed (${count(state.imported)} imported, ${count(state.rejected)} rejected)`;
  if (failure === undefined) {
    io.stderr.write(`interrupted: ${done}; run the same command again to resume\n`);
    return EXIT.interrupted;
  }
  if (!(failure instanceof ImportFailure || failure instanceof SourceError)) throw failure;
  io.stderr.write(
    `herald: import failed: ${failure.message}\n${done}; ${statePath} keeps the place${inDoubt ? ' (the last batch may or may not have been applied: resuming answers it from its request key)' : ''}\n`,
  );
  return EXIT.failed;
}

/** The end of a run that read the whole file: the session is closed and the summary written. */
async function finished(ctx: RunContext, display: ProgressDisplay, unconfirmed: number): Promise<number> {
  const { settings, state } = ctx;
  await ctx.transport.endSession();
  removeState(ctx.statePath);
  if (state.rejected === 0) rmSync(ctx.errorsPath, { force: true });
  const { rowsPerSecond } = display.rates();
  const rejected = state.rejected > 0 ? `, ${count(state.rejected)} rejected (see ${ctx.errorsPath})` : '';
  const note =
    unconfirmed > 0
      ? `; ${count(unconfirmed)} rows were applied by an interrupted run whose answer was lost: their per-row errors are unknown`
      : '';
  ctx.io.stdout.write(
    `imported ${settings.file}: ${count(state.rows)} rows, ${count(state.imported)} imported${rejected} in ${duration(state.seconds)} (${count(Math.round(rowsPerSecond))} rows/s)${note}\n`,
  );
  return state.rejected > 0 ? EXIT.rejected : EXIT.done;
}
