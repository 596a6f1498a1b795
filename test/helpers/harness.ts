// An in-process Herald for tests: a temporary SQLite file, a provisioning file, the real API
// pipeline and the fastify front, driven with app.inject (no port, no thread).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig, MB } from '../../src/config.js';
import type { Clock } from '../../src/core/ports.js';
import { buildApp } from '../../src/http/app.js';
import { startEngine, type Engine } from '../../src/runtime/engine.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';

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
  store: SqliteStore;
  clock: FakeClock;
  dir: string;
  /** POST a JSON body (object) or a raw string body to /api/v1.1/<method>. */
  post(method: string, body: unknown, opts?: { contentType?: string; headers?: Record<string, string>; query?: string }): Promise<Response>;
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
  const store = new SqliteStore(join(dir, 'herald.db'));
  const clock = new FakeClock();
  const engine = await startEngine({ config, logger, store, ...(opts.realClock ? {} : { clock }) });
  const app = buildApp({ dispatch: engine.dispatch, logger, bodyLimit: config.bodyLimitMb * MB, fileBodyLimit: config.fileBodyLimitMb * MB });
  await app.ready();
  return {
    app,
    engine,
    store,
    clock,
    dir,
    async post(method, body, o = {}) {
      const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1.1/${method}${o.query ? `?${o.query}` : ''}`,
        payload,
        headers: { 'content-type': o.contentType ?? (typeof body === 'string' && body.trimStart().startsWith('<') ? 'application/xml' : 'application/json'), ...o.headers },
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
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Rows of a table, for assertions on what was (not) written. */
export function rows<T = Record<string, unknown>>(h: Harness, sql: string, ...params: unknown[]): T[] {
  return h.store.db.prepare(sql).all(...params) as T[];
}
