// The reader (SQLite only): the API's read methods answered over a connection of their own, in
// a thread of their own, so that a large write — which occupies the engine thread and holds the
// write lock for as long as its transaction lasts — never delays them. WAL lets this connection
// read the last committed state while a write is open. It runs the same dispatcher as the engine
// over a read-only store (writes would fail), with a catalog cache of its own (keyed by config
// version, so it follows every change) and the rate-limit buckets shared with the engine.
// PostgreSQL needs none of this: its pool already serves reads beside a long write.
import type { Logger } from 'pino';
import { MB, storageOf, type Config } from '../config.js';
import { CatalogCache } from '../core/catalog/cache.js';
import { DbipGeoLookup } from '../geo/dbip-geo.js';
import { createDispatcher } from '../http/dispatch.js';
import type { RateLimiter } from '../http/rate-limiter.js';
import { precheckToken } from '../http/token-precheck.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { systemClock, type Clock } from '../core/base/clock.js';
import type { ApiDispatch } from '../http/raw-request.js';

export interface Reader {
  dispatch: ApiDispatch;
  close(): Promise<void>;
}

export interface ReaderOptions {
  config: Readonly<Config>;
  logger: Logger;
  clock?: Clock;
  /** The rate-limit buckets of the engine (shared memory): one bucket per token across threads. */
  limiter?: RateLimiter;
}

/** Whether this configuration answers reads apart: SQLite, unless HERALD_READ_THREAD is off. */
export function readsApart(config: Pick<Config, 'databaseUrl' | 'readThread'>): boolean {
  return config.readThread && storageOf(config).kind === 'sqlite';
}

/** Opens the reader on the database the engine has opened (and migrated) before. */
export function startReader(opts: ReaderOptions): Reader {
  const { config, logger } = opts;
  const storage = storageOf(config);
  if (storage.kind !== 'sqlite') throw new Error('the reader is for SQLite only');
  const store = new SqliteStore(storage.file, {
    synchronous: config.sqliteSync,
    readOnly: true,
    mmapMb: config.sqliteMmapMb,
  });
  const api = createDispatcher({
    store,
    catalogs: new CatalogCache(store, { ...(config.phoneRegion ? { phoneRegion: config.phoneRegion } : {}) }),
    env: {
      clock: opts.clock ?? systemClock,
      geo: new DbipGeoLookup(),
      queryChunk: config.queryChunk,
      singleWriter: true,
    },
    logger,
    readsOnly: true,
    bodyLimit: config.bodyLimitMb * MB,
    ...(opts.limiter ? { limiter: opts.limiter } : {}),
  });
  return {
    dispatch: (req) => (req.route === 'token' ? precheckToken(store, req) : api(req)),
    close: () => store.close(),
  };
}
