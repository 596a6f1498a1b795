// The `herald` command: serve, worker, apply, migrate, token create|revoke|list, import (help: usage.ts).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { hashToken, mintToken } from '../core/provisioning/tokens.js';
import { runImportInThread } from './import/thread.js';
import { importOptions, readImportSettings } from './import/options.js';
import { printTokens, version } from './listing.js';
import { commandUsage, generalUsage } from './usage.js';
import type { Store } from '../core/ports.js';
import { ProvisioningError } from '../core/base/errors.js';
// The servers, the engine and the stores are loaded by the commands that use them: `herald import`
// runs in a thread of its own, and its main thread holds only what starts it (cli/import/thread.ts).
const runtime = {
  serve: () => import('../main.js'),
  engine: () => import('../runtime/engine.js'),
  metrics: () => import('../runtime/metrics-server.js'),
  logger: () => import('../runtime/logger.js'),
  store: () => import('../runtime/open-store.js'),
  provisioning: () => import('../core/provisioning/apply.js'),
};

const USAGE = generalUsage();

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        'database-url': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        workers: { type: 'string' },
        provision: { type: 'string' },
        account: { type: 'string' },
        role: { type: 'string' },
        ...importOptions,
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    // An unknown or malformed option: say so with the usage, not with a stack trace.
    console.error(`herald: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(1);
  }
}

const { values, positionals } = parseCommandLine();

function config(): Readonly<Config> {
  const loaded = loadConfig({
    env: process.env,
    ...(values.config ? { file: values.config } : {}),
    flags: {
      databaseUrl: values['database-url'],
      port: values.port,
      host: values.host,
      workers: values.workers,
      provision: values.provision,
    },
  });
  // Readable logs on a terminal, JSON lines for a log collector; every thread writes the same way.
  const logFormat = loaded.logFormat === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : loaded.logFormat;
  return Object.freeze({ ...loaded, logFormat });
}

/** Opens the configured storage, migrated (`applied`: the migrations this run applied), for `fn`. */
async function withStore<T>(fn: (store: Store, applied: string[]) => Promise<T>): Promise<T> {
  const { openStore } = await runtime.store();
  const store = await openStore(config());
  try {
    const applied = await store.migrate();
    return await fn(store, applied);
  } finally {
    await store.close();
  }
}

/** `herald serve`: the API front and the engine until SIGTERM or SIGINT (-1: the process keeps running). */
async function serveCommand(): Promise<number> {
  const cfg = config();
  const [{ createLogger, logDestination }, { serve }] = await Promise.all([runtime.logger(), runtime.serve()]);
  const logger = createLogger(cfg.logLevel, 'herald', logDestination({ pretty: cfg.logFormat === 'pretty' }));
  const server = await serve(cfg, logger);
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    void server.close().then(() => {
      logger.info('Herald stopped');
      logger.flush(() => process.exit(0));
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return -1;
}

/** `herald worker`: delivery workers only, with /metrics, /healthz and /readyz on HERALD_METRICS_PORT. */
async function workerCommand(): Promise<number> {
  const base = config();
  const cfg = Object.freeze({ ...base, workers: Math.max(1, base.workers) });
  const [{ createLogger, logDestination }, { startEngine }, { startMetricsServer }] = await Promise.all([
    runtime.logger(),
    runtime.engine(),
    runtime.metrics(),
  ]);
  const logger = createLogger(cfg.logLevel, 'herald', logDestination({ pretty: cfg.logFormat === 'pretty' }));
  const engine = await startEngine({ config: cfg, logger });
  // No API front here: HERALD_METRICS_PORT gives the process /metrics, /healthz and /readyz.
  let operator: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  try {
    operator = cfg.metricsPort === undefined ? undefined : await startMetricsServer(engine, cfg.metricsPort, cfg.host);
  } catch (err) {
    // A port it cannot listen on is a failed start: the workers stop with it.
    await engine.close();
    throw err;
  }
  logger.info(
    { workers: cfg.workers, ...(operator ? { metrics: `${operator.url}/metrics` } : {}) },
    'Herald delivery workers are running',
  );
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    void (operator?.close() ?? Promise.resolve())
      .then(() => engine.close())
      .then(() => {
        logger.info('Herald workers stopped');
        logger.flush(() => process.exit(0));
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return -1;
}

/** `herald apply FILE`: applies a provisioning file. */
async function applyCommand(sub: string | undefined): Promise<number> {
  if (!sub) throw new ConfigError('apply needs a FILE');
  const [{ applyProvisioningFile }, { readProvisioningFile, secretFileReader }] = await Promise.all([
    runtime.provisioning(),
    runtime.store(),
  ]);
  const summary = await withStore((store) =>
    applyProvisioningFile(store, readProvisioningFile(sub), process.env, Date.now(), secretFileReader(sub)),
  );
  console.log(
    `applied ${sub}: ${Object.entries(summary)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
  );
  return 0;
}

/** `herald migrate`: applies the pending storage migrations. */
async function migrateCommand(): Promise<number> {
  const applied = await withStore(async (_store, names) => names);
  console.log(
    applied.length === 0
      ? 'storage schema is up to date: nothing to apply'
      : `applied ${applied.length} migration(s): ${applied.join(', ')}`,
  );
  return 0;
}

/** `herald token create|revoke|list`. */
async function tokenCommand(sub: string | undefined, arg: string | undefined): Promise<number> {
  if (sub === 'create') {
    const account = Number(values.account);
    const role = values.role ?? 'write';
    if (!Number.isSafeInteger(account) || account < 1) throw new ConfigError('token create needs --account ID');
    if (role !== 'read' && role !== 'write') throw new ConfigError('--role must be read or write');
    const token = mintToken();
    await withStore(async (store) => {
      const owners = await store.describeOwnership();
      if (!owners.accounts.has(account)) throw new ConfigError(`account ${account} does not exist`);
      await store.createToken(hashToken(token), account, role, Date.now());
    });
    console.log(token);
    return 0;
  }
  if (sub === 'revoke') {
    if (!arg) throw new ConfigError('token revoke needs the TOKEN');
    const found = await withStore((store) => store.revokeToken(hashToken(arg)));
    console.log(found ? 'token revoked' : 'no such token');
    return found ? 0 : 1;
  }
  if (sub === 'list') {
    printTokens(await withStore((store) => store.listTokens()), (line) => console.log(line));
    return 0;
  }
  throw new ConfigError('token needs create, revoke or list');
}

async function main(): Promise<number> {
  const [command, sub, arg] = positionals;
  if (values.version) {
    console.log(`herald ${version()}`);
    return 0;
  }
  if (values.help || !command) {
    const help =
      command === undefined ? USAGE : command === 'token' && sub ? commandUsage(`token ${sub}`) : commandUsage(command);
    if (help === undefined) {
      console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 1;
    }
    console.log(help);
    return values.help ? 0 : 1;
  }
  switch (command) {
    case 'serve':
      return serveCommand();
    case 'worker':
      return workerCommand();
    case 'apply':
      return applyCommand(sub);
    case 'migrate':
      return migrateCommand();
    case 'token':
      return tokenCommand(sub, arg);
    case 'import': {
      const settings = readImportSettings(values, sub, process.env);
      return runImportInThread(settings, config(), {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
      });
    }
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 1;
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof ProvisioningError) console.error(`herald: ${err.message}`);
    else console.error('herald: failed:', err instanceof Error ? err.message : err);
    process.exitCode = 1;
    // A server that failed to start exits even if some handle (a thread, a pool) outlived its cleanup.
    if (positionals[0] === 'serve' || positionals[0] === 'worker') process.exit(1);
  },
);
