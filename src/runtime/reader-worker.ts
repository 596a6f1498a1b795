// Entry point of the reader thread (see reader.ts and engine-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { RateLimiter } from '../http/rate-limiter.js';
import type { ApiRequest } from '../http/raw-request.js';
import type { FromEngine, ThreadData, ToThread } from './engine-thread.js';
import { createLogger, logDestination } from './logger.js';
import { startReader } from './reader.js';

const port = parentPort;
if (!port) throw new Error('reader-worker must run in a worker thread');
const { config, logToStderr, rateBuckets } = workerData as ThreadData;
const logger = createLogger(
  config.logLevel,
  'herald-reader',
  logDestination({ stderr: logToStderr, pretty: config.logFormat === 'pretty' }),
);
const post = (msg: FromEngine) => port.postMessage(msg);

try {
  const reader = startReader({ config, logger, ...(rateBuckets ? { limiter: new RateLimiter(rateBuckets) } : {}) });
  port.on('message', (msg: ToThread<ApiRequest>) => {
    if (msg.type === 'dispatch') {
      void reader.dispatch(msg.req).then((res) => post({ type: 'response', id: msg.id, res }));
    } else if (msg.type === 'close') {
      void reader.close().then(() => {
        logger.flush();
        post({ type: 'closed' });
      });
    }
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
