// An in-process Herald for tests: a temporary SQLite file — or, with HERALD_TEST_STORE=postgres,
// a schema of its own in the PostgreSQL of HERALD_TEST_POSTGRES_URL — a provisioning file, the
// real API pipeline and the fastify front, driven with app.inject (no port, no thread).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig, MB } from '../../src/config.js';
import type { Store } from '../../src/core/ports.js';
import { buildApp } from '../../src/http/app.js';
import { startEngine, type Engine } from '../../src/runtime/engine.js';
import { PostgresStore } from '../../src/store/postgres/store.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { pgAdmin } from './databases.js';
import type { Clock } from '../../src/core/base/clock.js';

const PG_URL = process.env.HERALD_TEST_POSTGRES_URL;
/** The store the in-process tests run on. */
export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.HERALD_TEST_STORE === 'postgres' && PG_URL ? 'postgres' : 'sqlite';

export const DEMO_PROVISION = new URL('../../provision/demo.json', import.meta.url).pathname;
export const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
export const TOKEN = 'abcdefghijklmnqrstuvwxyz';

export class FakeClock implements Clock {
  constructor(public ms = Date.UTC(2026, 10, 27, 10, 0, 0)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Harness {
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  /** The SQLite store, for the few tests that reach into SQLite itself (absent on PostgreSQL). */
  sqlite: SqliteStore | undefined;
  /**
   * Runs SQL against the harness's storage, synchronously (`?` placeholders on both stores). Rows
   * look the same on both: documents as JSON text, booleans as 1/0.
   */
  sql<T = Record<string, unknown>>(text: string, ...params: unknown[]): T[];
  /** Runs a statement that returns nothing (UPDATE, ALTER …) against the harness's storage. */
  exec(text: string, ...params: unknown[]): void;
  clock: FakeClock;
  dir: string;
  /**
   * The statements SQLite ran while `fn` ran (harness opened with `traceSql`; SQLite only): set-wise
   * work is counted in statements through SQLite's own trace, not by watching Herald's functions.
   */
  recordStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
  /** POST a JSON body (object) or a raw string body to /api/v1.1/<method>. */
  post(
    method: string,
    body: unknown,
    opts?: { contentType?: string; headers?: Record<string, string>; query?: string },
  ): Promise<Response>;
  close(): Promise<void>;
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json: Record<string, unknown>;
}

export interface HarnessOptions {
  /** A provisioning file path, or */
  provision?: string;
  /** a provisioning object (written to a file in the test's folder). */
  provisionObject?: unknown;
  env?: Record<string, string>;
  /** Use the system clock instead of the fake one (delivery with real timers). */
  realClock?: boolean;
  /** Reopen the storage of an earlier harness (a restart): its folder, kept when that one closed. */
  dir?: string;
  /** Keep the folder on close (to reopen it with `dir`). */
  keep?: boolean;
  /** Trace SQLite's statements, for recordStatements. */
  traceSql?: boolean;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'herald-test-'));
  let provision = opts.provision ?? DEMO_PROVISION;
  if (opts.provisionObject !== undefined) {
    provision = join(dir, 'provision.json');
    writeFileSync(provision, JSON.stringify(opts.provisionObject));
  }
  const config = loadConfig({
    env: {
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_PROVISION: provision,
      HERALD_LOG_LEVEL: 'silent',
      // Delivery is off unless a test asks for it: messages stay as the import scheduled them.
      HERALD_WORKERS: '0',
      ...opts.env,
    },
  });
  const logger = pino({ level: 'silent' });
  let recording: string[] | undefined;
  const storage = await openTestStore(
    dir,
    Boolean(opts.dir),
    opts.traceSql ? (sql) => recording?.push(sql) : undefined,
  );
  const store = storage.store;
  const clock = new FakeClock();
  const engine = await startEngine({ config, logger, store, ...(opts.realClock ? {} : { clock }) });
  const app = buildApp({
    dispatch: engine.dispatch,
    logger,
    bodyLimit: config.bodyLimitMb * MB,
    fileBodyLimit: config.fileBodyLimitMb * MB,
  });
  await app.ready();
  return {
    app,
    engine,
    store,
    sqlite: store instanceof SqliteStore ? store : undefined,
    sql: storage.sql,
    exec: storage.exec,
    clock,
    dir,
    async recordStatements(fn) {
      if (!(store instanceof SqliteStore) || !opts.traceSql)
        throw new Error('recordStatements needs a SQLite harness opened with traceSql');
      const statements: string[] = [];
      recording = statements;
      try {
        return { result: await fn(), statements };
      } finally {
        recording = undefined;
      }
    },
    async post(method, body, o = {}) {
      const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1.1/${method}${o.query ? `?${o.query}` : ''}`,
        payload,
        headers: {
          'content-type':
            o.contentType ??
            (typeof body === 'string' && body.trimStart().startsWith('<') ? 'application/xml' : 'application/json'),
          ...o.headers,
        },
      });
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(res.body);
      } catch {
        // XML or empty
      }
      return { status: res.statusCode, headers: res.headers, body: res.body, json };
    },
    async close() {
      await app.close();
      await engine.close();
      if (!opts.keep) {
        await storage.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

interface TestStorage {
  store: Store;
  sql<T>(text: string, ...params: unknown[]): T[];
  exec(text: string, ...params: unknown[]): void;
  drop(): Promise<void>;
}

/** A SQL literal for a test parameter (tests only: values are the test's own). */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** Rows from PostgreSQL through `psql` (synchronous, so tests read both stores alike). */
function psql(schema: string, statement: string): string {
  return execFileSync('psql', [PG_URL as string, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', statement], {
    encoding: 'utf8',
    env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
  });
}

function bind(text: string, params: unknown[]): string {
  let n = 0;
  return text.replace(/\?/g, () => literal(params[n++]));
}

function psqlRows<T>(schema: string, text: string, params: unknown[]): T[] {
  const out = psql(schema, `SELECT COALESCE(json_agg(t), '[]'::json) FROM (${bind(text, params)}) t`);
  return (JSON.parse(out) as Record<string, unknown>[]).map((row) => {
    const r: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (typeof v === 'boolean') r[k] = v ? 1 : 0;
      else if (v !== null && typeof v === 'object') r[k] = JSON.stringify(v);
      else if (typeof v === 'string' && /^\\x(?:[0-9a-f]{2})*$/.test(v)) r[k] = Buffer.from(v.slice(2), 'hex');
      else r[k] = v;
    }
    return r as T;
  });
}

async function openTestStore(dir: string, reopen: boolean, trace?: (sql: string) => void): Promise<TestStorage> {
  if (TEST_STORE === 'sqlite') {
    const store = new SqliteStore(join(dir, 'herald.db'), { synchronous: 'normal', ...(trace ? { trace } : {}) });
    return {
      store,
      sql: <T>(text: string, ...params: unknown[]) => store.db.prepare(text).all(...params) as T[],
      exec: (text: string, ...params: unknown[]) => void store.db.prepare(text).run(...params),
      drop: async () => {},
    };
  }
  // A schema per harness; its name is kept in the folder so a restarted harness reopens it.
  const marker = join(dir, 'pg-schema');
  let schema: string;
  if (reopen && existsSync(marker)) schema = readFileSync(marker, 'utf8');
  else {
    schema = `herald_h_${randomBytes(6).toString('hex')}`;
    await pgAdmin(`CREATE SCHEMA ${schema}`);
    writeFileSync(marker, schema);
  }
  const store = new PostgresStore({ url: PG_URL as string, schema, max: 4 });
  return {
    store,
    sql: <T>(text: string, ...params: unknown[]) => psqlRows<T>(schema, text, params),
    exec: (text: string, ...params: unknown[]) => void psql(schema, bind(text, params)),
    drop: () => pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

/** Rows of a table, for assertions on what was (not) written. */
export function rows<T = Record<string, unknown>>(h: Harness, sql: string, ...params: unknown[]): T[] {
  return h.sql<T>(sql, ...params);
}
