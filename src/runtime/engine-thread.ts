// Runs the engine in a worker thread that owns the storage connection, so a 10 MB batch
// (parse, validation, a SQLite transaction that blocks its thread) never stalls the HTTP
// front. The main thread forwards raw requests and gets encoded responses back. The reader
// (reader.ts, SQLite) runs in a thread of the same kind, answering the read methods.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { ApiRequest, RawRequest } from '../http/raw-request.js';
import type { RawResponse } from '../http/envelope.js';

/** A message to a thread: the engine takes every request, the reader the API's only. */
export type ToThread<R extends RawRequest = RawRequest> = { type: 'dispatch'; id: number; req: R } | { type: 'close' };
export type ToEngine = ToThread;
export type FromEngine =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'response'; id: number; res: RawResponse }
  | { type: 'closed' };

export interface EngineThread<R extends RawRequest = RawRequest> {
  dispatch(req: R): Promise<RawResponse>;
  close(): Promise<void>;
}

const threadFile = (name: string): URL =>
  new URL(`./${name}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** A body that owns its whole ArrayBuffer can be moved to the thread instead of copied. */
function transferable(body: Uint8Array): ArrayBuffer[] {
  return body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.byteLength > 64 * 1024
    ? [body.buffer as ArrayBuffer]
    : [];
}

export interface EngineThreadOptions {
  /** Write the engine's log lines to stderr (a command whose stdout is its output). */
  logToStderr?: boolean;
  /** The API's rate-limit buckets (RateLimiter.sharedMemory()), shared with the reader thread. */
  rateBuckets?: SharedArrayBuffer;
  /** The thread's V8 heap limits (worker resourceLimits): `herald import` bounds them by its batch size. */
  heap?: HeapLimits;
}

/** A thread's V8 heap limits, in MB. */
export interface HeapLimits {
  oldMb: number;
  youngMb: number;
}

/** The Worker option that sets a thread's heap limits. */
export function heapOption(heap: HeapLimits | undefined): { resourceLimits?: ResourceLimits } {
  return heap ? { resourceLimits: { maxOldGenerationSizeMb: heap.oldMb, maxYoungGenerationSizeMb: heap.youngMb } } : {};
}

/** What a thread of this kind gets as its workerData. */
export interface ThreadData {
  config: Readonly<Config>;
  logToStderr: boolean;
  rateBuckets: SharedArrayBuffer | undefined;
}

export function startEngineThread(
  config: Readonly<Config>,
  onFatal: (err: Error) => void,
  opts: EngineThreadOptions = {},
): Promise<EngineThread> {
  return startThread('engine-worker', config, onFatal, opts);
}

/** The reader thread (SQLite): started once the engine has opened and migrated the database. */
export function startReaderThread(
  config: Readonly<Config>,
  onFatal: (err: Error) => void,
  opts: EngineThreadOptions = {},
): Promise<EngineThread<ApiRequest>> {
  return startThread('reader-worker', config, onFatal, opts);
}

function startThread<R extends RawRequest>(
  name: string,
  config: Readonly<Config>,
  onFatal: (err: Error) => void,
  opts: EngineThreadOptions,
): Promise<EngineThread<R>> {
  const workerData: ThreadData = { config, logToStderr: opts.logToStderr === true, rateBuckets: opts.rateBuckets };
  const worker = new Worker(threadFile(name), { workerData, ...heapOption(opts.heap) });
  const pending = new Map<number, (res: RawResponse) => void>();
  let nextId = 1;
  let closing: (() => void) | undefined;

  return new Promise((resolve, reject) => {
    let started = false;
    worker.on('message', (msg: FromEngine) => {
      switch (msg.type) {
        case 'ready':
          started = true;
          resolve({
            dispatch(req) {
              return new Promise<RawResponse>((done) => {
                const id = nextId++;
                pending.set(id, done);
                worker.postMessage({ type: 'dispatch', id, req } satisfies ToThread<R>, transferable(req.body));
              });
            },
            close() {
              return new Promise<void>((done) => {
                closing = done;
                worker.postMessage({ type: 'close' } satisfies ToThread<R>);
              });
            },
          });
          return;
        case 'failed':
          reject(new Error(msg.message));
          return;
        case 'response': {
          const done = pending.get(msg.id);
          pending.delete(msg.id);
          done?.(msg.res);
          return;
        }
        case 'closed':
          void worker.terminate().then(() => closing?.());
          return;
      }
    });
    worker.on('error', (err) => (started ? onFatal(err) : reject(err)));
    worker.on('exit', (code) => {
      if (!closing && started)
        onFatal(new Error(`the ${name === 'engine-worker' ? 'engine' : 'reader'} thread exited with code ${code}`));
    });
  });
}
