// `herald import` runs in a thread of its own (import-worker.ts) whose V8 heap is bounded by the
// batch size (memory.ts): the main thread's heap, which nothing could bound once the process has
// started, only starts it, passes on the signals and prints what it writes.
import { finished } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { ConfigError, type Config } from '../../config.js';
import type { ImportIo } from './command.js';
import { EXIT } from './errors.js';
import { importHeap } from './memory.js';
import { processSignals } from './batch-flow.js';
import { heapOption } from '../../runtime/engine-thread.js';
import type { ImportSettings } from './options.js';

/** What the main thread gives the import thread. */
export interface ImportThreadData {
  settings: ImportSettings;
  config: Readonly<Config>;
  tty: boolean;
}

/** A message from the import thread: its exit code, or the error it stopped on. */
export type FromImport = { type: 'done'; code: number } | { type: 'failed'; config: boolean; message: string };

const workerFile = (): URL =>
  new URL(`./import-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** Runs the import in its thread; resolves with the exit code (its errors are the run's). */
export function runImportInThread(settings: ImportSettings, config: Readonly<Config>, io: ImportIo): Promise<number> {
  const heap = importHeap(settings.batchSize);
  const data: ImportThreadData = { settings, config, tty: io.tty ?? io.stderr.isTTY === true };
  const worker = new Worker(workerFile(), {
    workerData: data,
    env: io.env,
    stdout: true,
    stderr: true,
    ...heapOption(heap),
  });
  worker.stdout.pipe(io.stdout, { end: false });
  worker.stderr.pipe(io.stderr, { end: false });
  // Everything the thread wrote is passed on before the run's outcome.
  const drained = Promise.all([finished(worker.stdout), finished(worker.stderr)]).catch(() => {});
  // The first signal asks the import to stop after its batch; a second one ends the process at
  // once (the progress file is always consistent, as after a kill).
  let signalled = false;
  const onSignal = () => {
    if (signalled) process.exit(EXIT.interrupted);
    signalled = true;
    worker.postMessage({ type: 'stop' });
  };
  const release = processSignals(onSignal);
  return new Promise<number>((resolve, reject) => {
    let outcome: FromImport | undefined;
    let error: Error | undefined;
    worker.on('message', (msg: FromImport) => (outcome = msg));
    worker.on('error', (err) => (error = err));
    worker.on(
      'exit',
      () =>
        void drained.then(() => {
          release();
          if (outcome?.type === 'done') resolve(outcome.code);
          else if (outcome?.type === 'failed')
            reject(outcome.config ? new ConfigError(outcome.message) : new Error(outcome.message));
          else if ((error as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY')
            reject(
              new Error(
                `the import ran out of memory (a heap of ${heap.oldMb} MB for batches of ${settings.batchSize} rows); ` +
                  'run it again with a smaller --batch-size: it resumes after the last batch stored',
              ),
            );
          else reject(error ?? new Error('the import thread ended without an answer'));
        }),
    );
  });
}
