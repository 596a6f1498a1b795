// The read methods of a real `herald serve` on SQLite are answered by its reader thread: they see
// every write the moment it was answered, follow configuration changes, share the rate-limit
// buckets with the engine thread, and are answered while the engine thread is stuck behind a
// writer (here another connection holding SQLite's write lock, as a long batch would hold it).
// On PostgreSQL, where there is no reader thread, the same answers come from the engine.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, READ_TOKEN, WRITE_TOKEN } from '../helpers/api.js';
import { backends, type TestDatabase } from '../helpers/databases.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';

const LIMITED = 'limited-token-for-threads-0123456789';

beforeAll(() => ensureBuilt(), 120_000);

describe.each(backends)('reads of a running server (%s)', (storeName, open) => {
  let dir: string;
  let db: TestDatabase;
  let proc: HeraldProcess;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-reader-'));
    db = await open(dir);
    const file = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { accounts: { tokens: unknown[] }[] };
    file.accounts[0].tokens.push({ token: LIMITED, role: 'write', rate_per_second: 0.001, burst: 3 });
    writeFileSync(join(dir, 'provision.json'), JSON.stringify(file));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = spawnHerald(['serve', '--provision', join(dir, 'provision.json')], {
      cwd: dir,
      env: {
        HERALD_PORT: String(port),
        HERALD_HOST: '127.0.0.1',
        HERALD_DATABASE_URL: db.url,
        HERALD_WORKERS: '0',
        HERALD_LOG_LEVEL: 'warn',
      },
    });
    await waitForHttp(`${url}/api/v1.1/campaigns/triggers/list`, proc);
  });
  afterAll(async () => {
    await proc.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(
    method: string,
    body: Record<string, unknown>,
    token = WRITE_TOKEN,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${url}/api/v1.1/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, ...body }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('a read sees a write as soon as the write was answered', async () => {
    for (let i = 0; i < 20; i++) {
      const email = `seen.${i}@example.com`;
      expect((await call('profiles/import', { db_id: 1, data: { email } })).status).toBe(200);
      const got = await call('profiles/get', { db_id: 1, email }, READ_TOKEN);
      expect(got.status, `read after write ${i}`).toBe(200);
    }
  });

  it('reads follow configuration changes', async () => {
    expect((await call('campaigns/triggers/update', { id: 96, name: 'Renamed by the engine' })).status).toBe(200);
    expect(
      ((await call('campaigns/triggers/get', { trigger_id: 96 }, READ_TOKEN)).json.data as { name: string }).name,
    ).toBe('Renamed by the engine');
  });

  it('a token has one rate-limit bucket across the threads', async () => {
    const write = () =>
      call('campaigns/triggers/start_batch', { trigger_id: 96, data: [{ email: 'nobody@example.com' }] }, LIMITED);
    const read = () => call('campaigns/triggers/get', { trigger_id: 96 }, LIMITED);
    expect((await write()).status).toBe(200);
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(429);
    expect((await write()).status).toBe(429);
  });

  it.runIf(storeName === 'SQLite')('answers reads while the engine thread waits for the write lock', async () => {
    const other = new Database(db.url.slice('sqlite:'.length));
    other.exec('BEGIN IMMEDIATE');
    try {
      let written = false;
      const write = call('profiles/import', { db_id: 1, data: { email: 'waits@example.com' } }).finally(
        () => (written = true),
      );
      const read = await call('campaigns/triggers/list', {}, READ_TOKEN);
      expect(read.status).toBe(200);
      // The write cannot have been answered: the lock it needs is still held here.
      expect(written).toBe(false);
      other.exec('ROLLBACK');
      expect((await write).status).toBe(200);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
  });
});
