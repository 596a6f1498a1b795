// Composition root: config → engine (storage, core, API pipeline) in its thread, and on SQLite
// the reader in a thread of its own → HTTP front, which sends each request to the thread that
// serves its kind. The only place that wires adapters together for a running server.
import type { Logger } from 'pino';
import { MB, type Config } from './config.js';
import { buildApp } from './http/app.js';
import { FrontMetrics } from './http/front-metrics.js';
import { RateLimiter } from './http/rate-limiter.js';
import { startEngineThread, startReaderThread } from './runtime/engine-thread.js';
import { readsApart } from './runtime/reader.js';
import { routeByMethodKind } from './runtime/request-routing.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** The HTTP front's limits, from the configuration. */
function frontOptions(config: Readonly<Config>) {
  return {
    bodyLimit: config.bodyLimitMb * MB,
    fileBodyLimit: config.fileBodyLimitMb * MB,
    bodyBudget: config.bodyBudgetMb * MB,
    timeouts: {
      headersMs: config.headersTimeoutMs,
      requestMs: config.requestTimeoutMs,
      bodyMs: config.bodyTimeoutMs,
      bodyMinRate: config.bodyMinRate,
    },
  };
}

/** Where a person finds the API, the console and the docs, and what is exposed. */
function announce(logger: Logger, config: Readonly<Config>, url: string): void {
  const base = url.replace(/\/$/, '');
  logger.info(
    {
      url,
      api: `${base}/api/v1.1/`,
      console: `${base}/console`,
      docs: `${base}/docs`,
      storage: config.databaseUrl.replace(/\/\/[^@]*@/, '//***@'),
      workers: config.workers,
    },
    `Herald is listening on ${base} (console ${base}/console, API docs ${base}/docs)`,
  );
  if (!isLoopback(config.host))
    logger.warn(
      { host: config.host },
      `listening on ${config.host}: reachable from other machines (HERALD_HOST=127.0.0.1 keeps it local)`,
    );
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

export async function serve(config: Readonly<Config>, logger: Logger): Promise<RunningServer> {
  const fatal = (err: Error) => {
    logger.fatal({ err }, 'a thread of the server failed');
    process.exit(1);
  };
  const rateBuckets = RateLimiter.sharedMemory();
  const engine = await startEngineThread(config, fatal, { rateBuckets });
  // The reader opens the database once the engine has created and migrated it.
  const reader = readsApart(config)
    ? await startReaderThread(config, fatal, { rateBuckets }).catch(async (err: unknown) => {
        await engine.close();
        throw err;
      })
    : undefined;
  const closeThreads = async () => {
    await reader?.close();
    await engine.close();
  };
  const metrics = new FrontMetrics({ processMetrics: true });
  const app = buildApp({
    dispatch: routeByMethodKind(engine.dispatch, reader?.dispatch),
    logger,
    metrics,
    ...frontOptions(config),
  });
  let url: string;
  try {
    url = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // Not listening (the port is taken, or not ours to bind): nothing may keep running behind it,
    // or a supervisor would take the process for a working server.
    await app.close().catch(() => undefined);
    await closeThreads();
    throw err;
  }
  announce(logger, config, url);
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await app.close();
        await closeThreads();
      })();
      return closing;
    },
  };
}
