// Composition root: config → engine (storage, core, API pipeline) in its thread → HTTP front.
// The only place that wires adapters together for a running server.
import type { Logger } from 'pino';
import { MB, type Config } from './config.js';
import { buildApp } from './http/app.js';
import { FrontMetrics } from './http/front-metrics.js';
import { startEngineThread } from './runtime/engine-thread.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** The HTTP front's limits, from the configuration. */
export function frontOptions(config: Readonly<Config>) {
  return {
    bodyLimit: config.bodyLimitMb * MB,
    fileBodyLimit: config.fileBodyLimitMb * MB,
    bodyBudget: config.bodyBudgetMb * MB,
    timeouts: { headersMs: config.headersTimeoutMs, requestMs: config.requestTimeoutMs, bodyMs: config.bodyTimeoutMs, bodyMinRate: config.bodyMinRate },
  };
}

export async function serve(config: Readonly<Config>, logger: Logger): Promise<RunningServer> {
  const engine = await startEngineThread(config, (err) => {
    logger.fatal({ err }, 'the engine thread failed');
    process.exit(1);
  });
  const metrics = new FrontMetrics({ processMetrics: true });
  const app = buildApp({ dispatch: engine.dispatch, logger, metrics, ...frontOptions(config) });
  let url: string;
  try {
    url = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // Not listening (the port is taken, or not ours to bind): nothing may keep running behind it,
    // or a supervisor would take the process for a working server.
    await app.close().catch(() => undefined);
    await engine.close();
    throw err;
  }
  logger.info({ url, storage: config.databaseUrl.replace(/\/\/[^@]*@/, '//***@') }, 'Herald is listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await app.close();
        await engine.close();
      })();
      return closing;
    },
  };
}
