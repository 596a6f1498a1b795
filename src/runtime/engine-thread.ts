// Runs the engine in a worker thread that owns the storage connection, so a 10 MB batch
// (parse, validation, a SQLite transaction that blocks its thread) never stalls the HTTP
// front. The main thread forwards raw requests and gets encoded responses back.
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Dispatch, RawRequest } from '../http/raw-request.js';
import type { RawResponse } from '../http/envelope.js';

export type ToEngine = { type: 'dispatch'; id: number; req: RawRequest } | { type: 'close' };
export type FromEngine =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'response'; id: number; res: RawResponse }
  | { type: 'closed' };

export interface EngineThread {
  dispatch: Dispatch;
  close(): Promise<void>;
}

const workerFile = new URL(`./engine-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** A body that owns its whole ArrayBuffer can be moved to the thread instead of copied. */
function transferable(body: Uint8Array): ArrayBuffer[] {
  return body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.byteLength > 64 * 1024 ? [body.buffer as ArrayBuffer] : [];
}

export interface EngineThreadOptions {
  /** Write the engine's log lines to stderr (a command whose stdout is its output). */
  logToStderr?: boolean;
}

export function startEngineThread(config: Readonly<Config>, onFatal: (err: Error) => void, opts: EngineThreadOptions = {}): Promise<EngineThread> {
  const worker = new Worker(workerFile, { workerData: { config, logToStderr: opts.logToStderr === true } });
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
                worker.postMessage({ type: 'dispatch', id, req } satisfies ToEngine, transferable(req.body));
              });
            },
            close() {
              return new Promise<void>((done) => {
                closing = done;
                worker.postMessage({ type: 'close' } satisfies ToEngine);
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
      if (!closing && started) onFatal(new Error(`the engine thread exited with code ${code}`));
    });
  });
}
