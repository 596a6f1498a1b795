// The engine: storage, core and the API pipeline, wherever they run (in-process for tests,
// in the engine thread for `herald serve`). Starting it migrates the storage, applies the
// provisioning file and makes sure the shared secret exists.
import type { Logger } from 'pino';
import { MB, type Config } from '../config.js';
import { systemClock, type Clock, type GeoLookup, type Store } from '../core/ports.js';
import { applyProvisioningFile } from '../core/provisioning/apply.js';
import { hashToken, newSecret } from '../core/provisioning/tokens.js';
import { DbipGeoLookup } from '../geo/dbip-geo.js';
import { createDispatcher, type Dispatch } from '../http/dispatch.js';
import { openStore, readProvisioningFile } from './open-store.js';

/** The token of the demo provisioning file: its presence is worth a warning. */
export const DEMO_TOKEN = 'abcdefghijklmnqrstuvwxyz';

export interface Engine {
  dispatch: Dispatch;
  store: Store;
  secret: string;
  close(): Promise<void>;
}

export interface EngineOptions {
  config: Readonly<Config>;
  logger: Logger;
  clock?: Clock;
  geo?: GeoLookup;
  store?: Store;
}

export async function startEngine(opts: EngineOptions): Promise<Engine> {
  const { config, logger } = opts;
  const store = opts.store ?? (await openStore(config));
  await store.migrate();
  if (config.provision) {
    const summary = await applyProvisioningFile(store, readProvisioningFile(config.provision), process.env, Date.now());
    logger.info({ file: config.provision, ...summary }, 'provisioning applied');
  }
  const secret = config.secret ?? (await store.ensureSetting('secret', newSecret));
  const demo = await store.findToken(hashToken(DEMO_TOKEN));
  if (demo && !demo.revoked) logger.warn('the demo API token is active: revoke it (herald token revoke) before exposing this server');
  const dispatch = createDispatcher({
    store,
    clock: opts.clock ?? systemClock,
    geo: opts.geo ?? new DbipGeoLookup(),
    logger,
    bodyLimit: config.bodyLimitMb * MB,
  });
  return { dispatch, store, secret, close: () => store.close() };
}
