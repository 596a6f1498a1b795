// Structured logs: one JSON line per API request with its log id (the X-Herald-Log-Id of the
// answer, and the id a 500 quotes), and no secret in any line — API tokens from the body, a
// Bearer header or the query, passwords in URLs, hook secrets, sender credentials.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, MB } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { startEngine, type Engine } from '../../src/runtime/engine.js';
import { createLogger, scrubSecrets } from '../../src/runtime/logger.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { TOKEN } from '../helpers/harness.js';

const SMTP_PASSWORD = 'smtp-pa55-0137';
const HOOK_SECRET = 'hook-s3cret-4242';
const DB_PASSWORD = 'pg-pa55-9911';
const SECRETS = [TOKEN, SMTP_PASSWORD, HOOK_SECRET, DB_PASSWORD, 'Bearer-only-token-77'];

const lines: string[] = [];
const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
let dir: string;
let store: SqliteStore;
let engine: Engine;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-logs-'));
  const provision = join(dir, 'provision.json');
  writeFileSync(
    provision,
    JSON.stringify(
      deliveryProvision({
        smtpUrl: `smtp://shop:${SMTP_PASSWORD}@127.0.0.1:9`,
        httpUrl: 'http://127.0.0.1:9',
        hookSecret: HOOK_SECRET,
      }),
    ),
  );
  const config = loadConfig({
    env: { HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`, HERALD_PROVISION: provision, HERALD_WORKERS: '0' },
  });
  const logger = createLogger('info', 'herald', { write: (line: string) => void lines.push(line) });
  store = new SqliteStore(join(dir, 'herald.db'));
  engine = await startEngine({ config, logger, store });
  app = buildApp({
    dispatch: engine.dispatch,
    logger,
    bodyLimit: config.bodyLimitMb * MB,
    fileBodyLimit: config.fileBodyLimitMb * MB,
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const list = (opts: { body?: Record<string, unknown>; headers?: Record<string, string>; query?: string }) =>
  app.inject({
    method: 'POST',
    url: `/api/v1.1/databases/list${opts.query ?? ''}`,
    payload: JSON.stringify(opts.body ?? {}),
    headers: { 'content-type': 'application/json', ...opts.headers },
  });

describe('request logs', () => {
  it('one JSON line per request, with the log id of the answer, the method and the status', async () => {
    const res = await list({ body: { token: TOKEN } });
    expect(res.statusCode).toBe(200);
    const id = String(res.headers['x-herald-log-id']);
    const line = logs().find((l) => l.logId === id);
    expect(line).toMatchObject({ level: 30, name: 'herald', msg: 'request', method: 'databases/list', status: 200 });
    expect(typeof line?.ms).toBe('number');
  });

  it('never writes the token, whether it came in the body, a Bearer header or the query', async () => {
    await list({ body: { token: TOKEN } });
    await list({ headers: { authorization: 'Bearer Bearer-only-token-77' } });
    await list({ query: `?token=${TOKEN}` });
    await app.inject({ method: 'POST', url: `/api/v1.1/no/such/method?token=${TOKEN}`, payload: '{}' });
    expect(lines.length).toBeGreaterThan(0);
    for (const s of SECRETS) expect(lines.join('\n')).not.toContain(s);
  });

  it('a 500 quotes its log id, and its log line carries the error scrubbed of credentials', async () => {
    const real = store.findToken.bind(store);
    store.findToken = async () => {
      throw new Error(
        `connection to postgres://herald:${DB_PASSWORD}@db.internal/herald?password=${DB_PASSWORD} failed`,
      );
    };
    try {
      const res = await list({ body: { token: TOKEN } });
      expect(res.statusCode).toBe(500);
      const id = String(res.headers['x-herald-log-id']);
      expect(res.json()).toEqual({
        error: 500,
        error_debug: `internal error, log id ${id}`,
        error_text: 'Internal error',
      });
      const line = logs().find((l) => l.logId === id && l.msg === 'unexpected error') as
        { err: { message: string; stack: string } } | undefined;
      expect(line?.err.message).toBe('connection to postgres://***@db.internal/herald?password=[redacted] failed');
      expect(line?.err.stack).not.toContain(DB_PASSWORD);
    } finally {
      store.findToken = real;
    }
    for (const s of SECRETS) expect(lines.join('\n')).not.toContain(s);
  });

  it('the provisioning summary at start names counts, not the senders or hooks with their secrets', () => {
    const start = logs().find((l) => l.msg === 'provisioning applied');
    expect(start).toBeDefined();
    for (const s of SECRETS) expect(JSON.stringify(start)).not.toContain(s);
  });
});

describe('error answers in the log', () => {
  const lineOf = (res: { headers: Record<string, unknown> }) =>
    logs().find((l) => l.logId === String(res.headers['x-herald-log-id']) && l.msg === 'request');

  it('a 400 line carries the error code, its error_debug and the account', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1.1/profiles/get',
      payload: { token: TOKEN, db_id: 'nope' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error_debug: string }>();
    expect(lineOf(res)).toMatchObject({
      method: 'profiles/get',
      status: 400,
      error: 400,
      error_debug: body.error_debug,
      account: 1,
    });
  });

  it('a 404 of an unknown object names the account too; a 401 has no account (the token is unknown)', async () => {
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1.1/profiles/get',
      payload: { token: TOKEN, db_id: 1, email: 'nobody@example.com' },
    });
    expect(missing.statusCode).toBe(404);
    expect(lineOf(missing)).toMatchObject({
      status: 404,
      error: 404,
      error_debug: missing.json<{ error_debug: string }>().error_debug,
      account: 1,
    });
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1.1/profiles/get',
      payload: { token: 'not-a-token', db_id: 1 },
    });
    expect(unknown.statusCode).toBe(401);
    const line = lineOf(unknown);
    expect(line).toMatchObject({ status: 401, error: 401, error_debug: 'the API token is unknown or revoked' });
    expect(line).not.toHaveProperty('account');
  });

  it('answers of the front itself (no such route) are logged with their code and reason', async () => {
    const res = await app.inject({ method: 'GET', url: '/no/such/page' });
    expect(res.statusCode).toBe(404);
    expect(lineOf(res)).toMatchObject({ status: 404, error: 404, error_debug: 'no method GET /no/such/page' });
  });

  it('a success line has no error fields', async () => {
    const res = await list({ body: { token: TOKEN } });
    expect(lineOf(res)).not.toHaveProperty('error');
  });
});

describe('the logger itself', () => {
  it('redacts secret keys at any of the first levels, and scrubs error texts', () => {
    // The secrets are marked with hyphens: the error's stack holds file paths, and a path (a
    // temporary directory's random name) could hold a short marker such as `T1`.
    const out: string[] = [];
    const logger = createLogger('info', 'herald', { write: (line: string) => void out.push(line) });
    logger.info(
      {
        token: 'sec-ret-1',
        authorization: 'Bearer sec-ret-2',
        hook: { secret: 'sec-ret-3', url: 'https://x.example/h' },
        sender: { auth: { user: 'u', pass: 'sec-ret-4' } },
        headers: { authorization: 'sec-ret-5' },
      },
      'objects',
    );
    logger.error(
      { err: new Error('smtp://user:sec-ret-6@mail.example:587 refused, see https://x.example/?token=sec-ret-7&a=1') },
      'failure',
    );
    logger.warn({ err: 'Authorization: Bearer sec-ret-8' }, 'text');
    const text = out.join('\n');
    for (const s of [
      'sec-ret-1',
      'sec-ret-2',
      'sec-ret-3',
      'sec-ret-4',
      'sec-ret-5',
      'sec-ret-6',
      'sec-ret-7',
      'sec-ret-8',
    ])
      expect(text).not.toContain(s);
    expect(text).toContain('https://x.example/h');
    expect(text).toContain('smtp://***@mail.example:587');
  });

  it('scrubs receipt keys, token assertions and VAPID tokens from error texts', () => {
    expect(scrubSecrets('POST https://herald.example/receipts/twilio?key=K1&x=1')).toBe(
      'POST https://herald.example/receipts/twilio?key=[redacted]&x=1',
    );
    expect(scrubSecrets('grant_type=jwt-bearer&assertion=eyJhbGciOi.eyJpc3Mi.c2ln')).toBe(
      'grant_type=jwt-bearer&assertion=[redacted]',
    );
    expect(scrubSecrets('Authorization: vapid t=eyJ0eXAi.eyJhdWQi.sig, k=BPub')).toBe(
      'Authorization: vapid t=[redacted], k=BPub',
    );
    expect(scrubSecrets('authorization: bearer eyJhbGciOiJFUzI1NiJ9.e30.sig')).toBe('authorization: bearer [redacted]');
  });

  it('scrubSecrets leaves ordinary text alone', () => {
    expect(scrubSecrets('HTTP 503 from https://hooks.example/a?b=1')).toBe('HTTP 503 from https://hooks.example/a?b=1');
    expect(scrubSecrets('postgres://u:p@h/db')).toBe('postgres://***@h/db');
  });
});
