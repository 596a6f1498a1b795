// Entry point of the import thread (see thread.ts): runs `herald import` and posts its exit code.
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '../../config.js';
import { ProvisioningError } from '../../core/base/errors.js';
import type { SignalSource } from './batch-flow.js';
import { runImport } from './command.js';
import type { FromImport, ImportThreadData } from './thread.js';

const port = parentPort;
if (!port) throw new Error('import-worker must run in a worker thread');
const { settings, config, tty } = workerData as ImportThreadData;
const post = (msg: FromImport) => port.postMessage(msg);

// The main thread passes on the signals as `stop` messages (a second one it handles itself).
const signals: SignalSource = (onSignal) => {
  const listener = (msg: { type?: unknown }) => {
    if (msg.type === 'stop') onSignal();
  };
  port.on('message', listener);
  // Listening keeps the thread alive: only while the import runs.
  port.ref();
  return () => {
    port.off('message', listener);
    port.unref();
  };
};

try {
  const code = await runImport(settings, config, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    tty,
    signals,
  });
  post({ type: 'done', code });
} catch (err) {
  post({
    type: 'failed',
    config: err instanceof ConfigError || err instanceof ProvisioningError,
    message: err instanceof Error ? err.message : String(err),
  });
}
port.unref();
