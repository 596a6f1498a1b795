// The engine: storage, core, the API pipeline and the delivery loops, wherever they run
// (in-process for tests, in the engine thread for `herald serve`, alone for `herald worker`).
// Starting it migrates the storage, applies the provisioning file and makes sure the shared
// secret exists.
import type { Logger } from 'pino';
import { MB, type Config } from '../config.js';
import { CatalogCache } from '../core/catalog/cache.js';
import { defaultRetryPolicy } from '../core/delivery/retry.js';
import { SenderPool } from '../core/delivery/sender-pool.js';
import { DeliveryWorker } from '../core/delivery/worker.js';
import { LinkBook } from '../core/delivery/tracked-links.js';
import { TestSendRunner } from '../core/delivery/test-sends.js';
import { TaskRunner } from '../core/tasks/runner.js';
import { HookDispatcher, defaultHookOptions, type HookTransport } from '../core/hooks/dispatcher.js';
import { type Store } from '../core/ports.js';
import { applyProvisioningFile } from '../core/provisioning/apply.js';
import { hashToken, newSecret } from '../core/provisioning/tokens.js';
import { DbipGeoLookup } from '../geo/dbip-geo.js';
import { createDispatcher } from '../http/dispatch.js';
import type { Env } from '../core/api/method.js';
import { WIRES } from '../http/codecs/wires.js';
import type { ApiDispatch, Dispatch, RawRequest } from '../http/raw-request.js';
import { precheckToken } from '../http/token-precheck.js';
import type { RawResponse } from '../http/envelope.js';
import type { RateLimiter } from '../http/rate-limiter.js';
import { senderFactory } from '../senders/factory.js';
import { OutboundGuard, parseDenyList } from '../senders/outbound.js';
import { httpHookTransport } from '../senders/hook-transport.js';
import { EngineMetrics } from './engine-metrics.js';
import { receiptResponse, trackResponse, unsubscribeResponse, type SideRouteDeps } from './engine-routes.js';
import { applyInboundReport, type FeedbackDeps } from '../core/delivery/feedback.js';
import { startInboundMx, type InboundMx } from '../senders/inbound-mx.js';
import { scrubSecrets } from './logger.js';
import { openStore, readProvisioningFile, secretFileReader } from './open-store.js';
import { systemClock, type Clock } from '../core/base/clock.js';
import type { GeoLookup } from '../core/base/geo.js';

/** The token of the demo provisioning file: its presence is worth a warning. */
export const DEMO_TOKEN = 'abcdefghijklmnqrstuvwxyz';
const PURGE_EVERY_MS = 3_600_000;
const DEMO_WARNING_EVERY_MS = 3_600_000;
const NOTIFY_WINDOW_MS = 20;

export interface Engine {
  dispatch: Dispatch;
  store: Store;
  secret: string;
  workers: DeliveryWorker[];
  hooks: HookDispatcher | undefined;
  tasks: TaskRunner | undefined;
  metrics: EngineMetrics;
  /** The port of the built-in MX (HERALD_INBOUND_SMTP_PORT), when it runs. */
  inboundPort: number | undefined;
  /** Ready when the storage answers and has no pending migration. */
  ready(): Promise<Readiness>;
  close(): Promise<void>;
}

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface EngineOptions {
  config: Readonly<Config>;
  logger: Logger;
  clock?: Clock;
  geo?: GeoLookup;
  store?: Store;
  hookTransport?: HookTransport;
  /** The API's rate-limit buckets, when shared with a reader (see reader.ts). */
  limiter?: RateLimiter;
}

export async function startEngine(opts: EngineOptions): Promise<Engine> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const { store, secret } = await prepareStore(opts);
  const demoTimer = await watchDemoToken(store, logger);
  const catalogs = new CatalogCache(store, { ...(config.phoneRegion ? { phoneRegion: config.phoneRegion } : {}) });
  const metrics = new EngineMetrics(store, clock);
  const guard = new OutboundGuard({ deny: parseDenyList(config.outboundDeny), timeoutMs: config.outboundTimeoutMs });
  const senders = new SenderPool(senderFactory(guard, { webPushHosts: config.webPushHosts }));
  // Tasks run in the worker processes, beside delivery: one runner a process, a task at a time.
  const geo = opts.geo ?? new DbipGeoLookup();
  const env: Env = { clock, geo, queryChunk: config.queryChunk, singleWriter: store.capabilities.singleWriter };
  // The stored links of tracked emails: drawn by the workers, looked up by the click route.
  const links = new LinkBook();
  const loops = createLoops(opts, { store, clock, catalogs, senders, metrics, secret, guard, env, links });
  const { wake, unlisten } = wakeUp(store, loops);
  const api = createDispatcher({
    store,
    env,
    catalogs,
    logger,
    bodyLimit: config.bodyLimitMb * MB,
    afterWrite: wake,
    dedupChecksum: config.dedupChecksum,
    metrics,
    ...(opts.limiter ? { limiter: opts.limiter } : {}),
  });
  const ready = () => readiness(store);
  const side: SideRouteDeps = {
    store,
    clock,
    catalogs,
    secret,
    logger,
    wake,
    wakeHooks: () => loops.hooks?.wake(),
    links,
  };
  const dispatch = routes(store, api, side, metrics, ready);
  const mx = await startMx(config, { store, clock, catalogs, secret }, metrics, logger, side.wakeHooks);
  const { workers, hooks, tasks } = loops;
  startLoops(loops);
  const purgeTimer = workers.length > 0 ? startPurge(store, clock, config, logger) : undefined;

  return {
    dispatch,
    store,
    secret,
    workers,
    hooks,
    tasks,
    metrics,
    inboundPort: mx?.port,
    ready,
    close: async () => {
      if (purgeTimer) clearInterval(purgeTimer);
      clearInterval(demoTimer);
      await mx?.close();
      unlisten?.();
      await stopLoops(loops);
      await senders.close();
      await guard.close();
      await store.close();
    },
  };
}

/** Every route the engine answers: readiness, metrics, the token precheck, the side routes and the API. */
function routes(
  store: Store,
  api: ApiDispatch,
  side: SideRouteDeps,
  metrics: EngineMetrics,
  ready: () => Promise<Readiness>,
): Dispatch {
  return async (req: RawRequest): Promise<RawResponse> => {
    switch (req.route) {
      case 'ready':
        return readinessResponse(await ready(), req.logId);
      case 'metrics':
        return { status: 200, contentType: metrics.registry.contentType, body: await metrics.text(), headers: {} };
      case 'token':
        return precheckToken(store, req);
      case 'receipt':
        return receiptResponse(side, req);
      case 'track':
        return trackResponse(side, req);
      case 'unsubscribe':
        return unsubscribeResponse(side, req);
      default:
        return api(req);
    }
  };
}

function startLoops({ workers, hooks, tasks, tests }: Loops): void {
  for (const w of workers) w.start();
  hooks?.start();
  tasks?.start();
  tests?.start();
}

async function stopLoops({ workers, hooks, tasks, tests }: Loops): Promise<void> {
  await Promise.all(workers.map((w) => w.stop()));
  await tests?.stop();
  await hooks?.stop();
  await tasks?.stop();
}

/** The store opened and migrated, the provisioning file applied, the shared secret made sure of. */
async function prepareStore(opts: EngineOptions): Promise<{ store: Store; secret: string }> {
  const { config, logger } = opts;
  const store = opts.store ?? (await openStore(config));
  await store.migrate();
  if (config.provision) {
    const summary = await applyProvisioningFile(
      store,
      readProvisioningFile(config.provision),
      process.env,
      Date.now(),
      secretFileReader(config.provision),
    );
    logger.info({ file: config.provision, ...summary }, 'provisioning applied');
  }
  const secret = config.secret ?? (await store.ensureSetting('secret', newSecret));
  return { store, secret };
}

/** Warns now, and again every hour while it stays active (so a long-running server's logs show it too), of the demo token. */
async function watchDemoToken(store: Store, logger: Logger): Promise<NodeJS.Timeout> {
  const warnDemoToken = async () => {
    const demo = await store.findToken(hashToken(DEMO_TOKEN));
    if (demo && !demo.revoked)
      logger.warn(
        { account: demo.accountId },
        'the demo API token is active: anyone who has read the README can call this API. Revoke it (herald token revoke, see README) before exposing this server',
      );
  };
  await warnDemoToken();
  const timer = setInterval(() => void warnDemoToken().catch(() => undefined), DEMO_WARNING_EVERY_MS);
  timer.unref();
  return timer;
}

interface LoopDeps {
  store: Store;
  clock: Clock;
  catalogs: CatalogCache;
  senders: SenderPool;
  metrics: EngineMetrics;
  secret: string;
  guard: OutboundGuard;
  env: Env;
  links: LinkBook;
}

interface Loops {
  workers: DeliveryWorker[];
  hooks: HookDispatcher | undefined;
  tasks: TaskRunner | undefined;
  /** The sending of test sends (templates/test_send). */
  tests: TestSendRunner | undefined;
}

/** The delivery workers, the hook dispatcher, the task runner and the test sends (none with HERALD_WORKERS=0). */
function createLoops(opts: EngineOptions, d: LoopDeps): Loops {
  const { config, logger: log } = opts;
  const { store, clock, catalogs, metrics } = d;
  const workers: DeliveryWorker[] = [];
  for (let i = 0; i < config.workers; i++) {
    workers.push(
      new DeliveryWorker(
        { store, clock, catalogs, senders: d.senders, log, metrics, links: d.links },
        {
          batchSize: config.deliveryBatch,
          leaseMs: config.leaseSeconds * 1000,
          pollMs: config.pollMs,
          concurrency: config.deliveryConcurrency,
          retry: { ...defaultRetryPolicy, maxAttempts: config.maxAttempts, baseMs: config.retryBaseMs },
          publicUrl: config.publicUrl,
          secret: d.secret,
          bounceDomain: config.bounceDomain,
          softBounceLimit: config.softBounceLimit,
        },
      ),
    );
  }
  if (config.workers === 0) return { workers, hooks: undefined, tasks: undefined, tests: undefined };
  const transport = opts.hookTransport ?? httpHookTransport(d.guard);
  const hooks = new HookDispatcher(
    { store, clock, catalogs, transport, log, metrics },
    {
      ...defaultHookOptions,
      intervalMs: config.hookIntervalMs,
      retryWindowMs: config.hookRetryWindowMs,
      leaseMs: config.leaseSeconds * 1000,
    },
  );
  const tasks = new TaskRunner(
    { store, env: d.env, catalogs, wires: WIRES, log, metrics },
    { leaseMs: config.leaseSeconds * 1000, pollMs: config.pollMs, chunkSize: config.taskChunk },
  );
  const tests = new TestSendRunner({ store, clock, catalogs, senders: d.senders, log }, config.pollMs);
  return { workers, hooks, tasks, tests };
}

/**
 * How new work wakes the loops: this process's at once, other processes' through the store
 * (PostgreSQL NOTIFY), one NOTIFY per short window however many writes: under load every request
 * is a write, and a notification per request would cost a round trip each while waking no one sooner.
 */
function wakeUp(store: Store, loops: Loops): { wake: () => void; unlisten: (() => void) | undefined } {
  const wakeLocal = () => {
    for (const w of loops.workers) w.wake();
    loops.hooks?.wake();
    loops.tasks?.wake();
    loops.tests?.wake();
  };
  const unlisten = loops.workers.length > 0 ? store.onWork?.(wakeLocal) : undefined;
  let notifyTimer: NodeJS.Timeout | undefined;
  const wake = () => {
    wakeLocal();
    if (!store.notifyWork || notifyTimer) return;
    notifyTimer = setTimeout(() => {
      notifyTimer = undefined;
      void store.notifyWork?.();
    }, NOTIFY_WINDOW_MS);
    notifyTimer.unref();
  };
  return { wake, unlisten };
}

async function readiness(store: Store): Promise<Readiness> {
  try {
    const { pendingMigrations } = await store.health();
    if (pendingMigrations > 0)
      return { ready: false, reason: `${pendingMigrations} storage migration(s) pending: run herald migrate` };
    return { ready: true };
  } catch (err) {
    return {
      ready: false,
      reason: `storage unreachable: ${scrubSecrets(err instanceof Error ? err.message : String(err))}`,
    };
  }
}

/** Drops the messages past the retention period, every hour. */
function startPurge(store: Store, clock: Clock, config: Readonly<Config>, logger: Logger): NodeJS.Timeout {
  const purge = () =>
    void store
      .purge(clock.now() - config.messageRetentionDays * 86_400_000, clock.now())
      .catch((err: unknown) => logger.warn({ err }, 'purge failed'));
  const timer = setInterval(purge, PURGE_EVERY_MS);
  timer.unref();
  return timer;
}

/** The built-in MX, with HERALD_INBOUND_SMTP_PORT: reports applied here, counted in a metric. */
async function startMx(
  config: Readonly<Config>,
  deps: Omit<FeedbackDeps, 'bounceDomain' | 'softBounceLimit'>,
  metrics: EngineMetrics,
  logger: Logger,
  wakeHooks: () => void,
): Promise<InboundMx | undefined> {
  if (config.inboundSmtpPort === undefined || !config.bounceDomain) return undefined;
  const feedback: FeedbackDeps = {
    ...deps,
    bounceDomain: config.bounceDomain,
    softBounceLimit: config.softBounceLimit,
  };
  const mx = await startInboundMx({
    port: config.inboundSmtpPort,
    host: config.inboundSmtpHost,
    bounceDomain: config.bounceDomain,
    apply: (report) => applyInboundReport(feedback, report),
    observe: (outcome) => {
      metrics.inboundRead(outcome);
      if (outcome !== 'dropped' && outcome !== 'unmatched' && outcome !== 'duplicate') wakeHooks();
    },
    log: logger,
  });
  logger.info({ port: mx.port, domain: config.bounceDomain }, 'Herald receives bounces and complaints (built-in MX)');
  return mx;
}

export function readinessResponse(r: Readiness, logId: string): RawResponse {
  return {
    status: r.ready ? 200 : 503,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(r.ready ? { status: 'ready' } : { status: 'unavailable', reason: r.reason }),
    headers: { 'x-herald-log-id': logId, 'cache-control': 'no-store' },
  };
}
