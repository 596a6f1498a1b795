// Entry point of the engine thread (see engine-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { RateLimiter } from '../http/rate-limiter.js';
import { startEngine } from './engine.js';
import type { FromEngine, ThreadData, ToEngine } from './engine-thread.js';
import { createLogger, logDestination } from './logger.js';

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');
const { config, logToStderr, rateBuckets } = workerData as ThreadData;
const logger = createLogger(
  config.logLevel,
  'herald-engine',
  logDestination({ stderr: logToStderr, pretty: config.logFormat === 'pretty' }),
);
const post = (msg: FromEngine) => port.postMessage(msg);

try {
  const engine = await startEngine({
    config,
    logger,
    ...(rateBuckets ? { limiter: new RateLimiter(rateBuckets) } : {}),
  });
  port.on('message', (msg: ToEngine) => {
    if (msg.type === 'dispatch') {
      void engine.dispatch(msg.req).then((res) => post({ type: 'response', id: msg.id, res }));
    } else if (msg.type === 'close') {
      void engine.close().then(() => {
        logger.flush();
        post({ type: 'closed' });
      });
    }
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
