// Reads never wait for a writer: on SQLite the read methods are answered by the reader (a
// connection of its own, in WAL mode, in its own thread when served) — the runtime routes each
// request by its method's kind — so a write transaction held open, as a 100,000-item batch holds
// one for seconds, does not delay them, and they see the last committed state. PostgreSQL serves
// reads from its pool beside a write already: the same tests hold there, with no reader.
// Everything a read needs stays correct on the reader: token lookup, the catalog cache (by config
// version) and the rate limits, whose buckets the engine and the reader share.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { hashToken } from '../../src/core/provisioning/tokens.js';
import { RateLimiter } from '../../src/http/rate-limiter.js';
import { startEngine, type Engine } from '../../src/runtime/engine.js';
import { readsApart, startReader, type Reader } from '../../src/runtime/reader.js';
import { routeByMethodKind } from '../../src/runtime/request-routing.js';
import { FIXTURE, READ_TOKEN, WRITE_TOKEN } from '../helpers/api.js';
import { backends, type TestDatabase } from '../helpers/databases.js';
import { FakeClock } from '../helpers/harness.js';
import type { Dispatch } from '../../src/http/raw-request.js';

const LIMITED = 'limited-token-for-reads-0123456789';

function provision(): unknown {
  const file = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { accounts: { tokens: unknown[] }[] };
  file.accounts[0].tokens.push({ token: LIMITED, role: 'write', rate_per_second: 0.01, burst: 3 });
  return file;
}

describe.each(backends)('reads beside a write (%s)', (storeName, open) => {
  let dir: string;
  let db: TestDatabase;
  let engine: Engine;
  let reader: Reader | undefined;
  let dispatch: Dispatch;
  const clock = new FakeClock();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-reads-'));
    db = await open(dir);
    writeFileSync(join(dir, 'provision.json'), JSON.stringify(provision()));
    const config = loadConfig({
      env: {
        HERALD_DATABASE_URL: db.url,
        HERALD_PROVISION: join(dir, 'provision.json'),
        HERALD_LOG_LEVEL: 'silent',
        HERALD_WORKERS: '0',
      },
    });
    const logger = pino({ level: 'silent' });
    // The engine and the reader share one set of rate-limit buckets, as their threads do.
    const limiter = new RateLimiter();
    engine = await startEngine({ config, logger, clock, limiter });
    reader = readsApart(config) ? startReader({ config, logger, clock, limiter }) : undefined;
    dispatch = routeByMethodKind(engine.dispatch, reader?.dispatch);
  });
  afterAll(async () => {
    await reader?.close();
    await engine.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(
    method: string,
    body: Record<string, unknown>,
    token = WRITE_TOKEN,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await dispatch({
      method,
      httpMethod: 'POST',
      body: Buffer.from(JSON.stringify({ token, ...body })),
      contentType: 'application/json',
      query: {},
      logId: 'test',
    });
    return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
  }

  const task = (id: string) => ({
    id,
    accountId: 1,
    kind: 'import_and_start_batch',
    request: '{}',
    total: 1,
    createdAt: clock.now(),
  });

  it('has a reader on SQLite only', () => {
    expect(reader !== undefined).toBe(storeName === 'SQLite');
  });

  it('a read is answered while a write transaction is open, and sees the last committed state', async () => {
    const email = 'committed@example.com';
    expect((await call('profiles/import', { db_id: 1, data: { email } })).status).toBe(200);
    await engine.store.transaction((tx) => tx.insertTask(task('committed-task')));

    // A write transaction of the engine's store, held open after it wrote: as a large batch holds one.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const held = engine.store.transaction(async (tx) => {
      await tx.insertTask(task('held-task'));
      wrote();
      await gate;
    });
    await written;
    try {
      if (storeName === 'SQLite') {
        // Provably open: no one else can take the write lock.
        const other = new Database(db.url.slice('sqlite:'.length));
        other.pragma('busy_timeout = 0');
        expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/i);
        other.close();
      }
      // Answered now, from the committed state: the held transaction's task is not there yet.
      expect((await call('tasks/status', { task_id: 'committed-task' }, READ_TOKEN)).json).toMatchObject({
        error: 0,
        data: { status: 'pending' },
      });
      expect((await call('tasks/status', { task_id: 'held-task' }, READ_TOKEN)).status).toBe(404);
      // A read that runs in a transaction of its own (profiles/get) too.
      const profile = await call('profiles/get', { db_id: 1, email }, READ_TOKEN);
      expect(profile.status).toBe(200);
      expect((profile.json.data as { email: string }).email).toBe(email);
    } finally {
      release();
      await held;
    }
    expect((await call('tasks/status', { task_id: 'held-task' }, READ_TOKEN)).status).toBe(200);
  });

  it('reads follow configuration changes (the catalog cache goes by config version)', async () => {
    const get = async () =>
      ((await call('campaigns/triggers/get', { trigger_id: 96 }, READ_TOKEN)).json.data as { name: string }).name;
    const before = await get();
    expect((await call('campaigns/triggers/update', { id: 96, name: `${before} renamed` })).status).toBe(200);
    expect(await get()).toBe(`${before} renamed`);
  });

  it('a token revoked since its last read is refused at once', async () => {
    const token = 'revoked-later-token-0123456789';
    await engine.store.createToken(hashToken(token), 1, 'read', clock.now());
    expect((await call('campaigns/triggers/list', {}, token)).status).toBe(200);
    await engine.store.revokeToken(hashToken(token));
    expect((await call('campaigns/triggers/list', {}, token)).status).toBe(401);
  });

  it('a preview with test_email is a write, answered by the engine: the test is queued', async () => {
    const res = await call('templates/preview', {
      id: 5,
      data: { _fname: 'Ann' },
      resource_id: 21,
      test_email: 'qa@example.org',
    });
    expect(res.status).toBe(200);
    const id = (res.json.data as { test: { id: number } }).test.id;
    const listed = await call('templates/tests', {}, READ_TOKEN);
    expect((listed.json.data as { id: number; status: string }[]).map((t) => t.id)).toContain(id);
    // A preview that only mentions the parameter's name in its text stays a read, answered as one.
    const mention = await call('templates/preview', { id: 5, data: {}, subject: 'test_email' }, READ_TOKEN);
    expect(mention.status).toBe(200);
  });

  it('a write form hidden by an escaped parameter name is refused by the reader, never half-run', async () => {
    const body = `{"token": "${WRITE_TOKEN}", "id": 5, "data": {}, "resource_id": 21, "test\\u005femail": "qa@example.org"}`;
    const before = (await call('templates/tests', {}, READ_TOKEN)).json.data as unknown[];
    const res = await dispatch({
      method: 'templates/preview',
      httpMethod: 'POST',
      body: Buffer.from(body),
      contentType: 'application/json',
      query: {},
      logId: 'test',
    });
    const after = (await call('templates/tests', {}, READ_TOKEN)).json.data as unknown[];
    if (reader) {
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error_debug).toMatch(
        /templates\/test_send: write its parameter names without escapes/,
      );
      expect(after).toHaveLength(before.length);
    } else {
      // PostgreSQL has no reader: the engine answers both forms.
      expect(res.status).toBe(200);
      expect(after).toHaveLength(before.length + 1);
    }
  });

  it('a token has one rate-limit bucket for its reads and its writes', async () => {
    clock.advance(3_600_000);
    const write = () =>
      call('campaigns/triggers/start_batch', { trigger_id: 96, data: [{ email: 'nobody@example.com' }] }, LIMITED);
    const read = () => call('campaigns/triggers/get', { trigger_id: 96 }, LIMITED);
    expect((await write()).status).toBe(200);
    expect((await read()).status).toBe(200);
    expect((await write()).status).toBe(200);
    // The burst (3) is spent, by reads and writes alike.
    expect((await read()).status).toBe(429);
    expect((await write()).status).toBe(429);
  });
});
