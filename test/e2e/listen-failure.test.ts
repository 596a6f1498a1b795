// A server that cannot listen has not started: `herald serve` (API port) and `herald worker`
// (metrics port) exit with a non-zero code when their port is taken, instead of staying up
// with the engine and workers running behind nothing — a supervisor must see the failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDatabase } from '../helpers/databases.js';
import { DEMO_PROVISION } from '../helpers/harness.js';
import { ensureBuilt, spawnHerald } from '../helpers/herald-process.js';

/** A port held by this test process. */
function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (!addr || typeof addr === 'string') return reject(new Error('no port'));
      resolve({ server, port: addr.port });
    });
  });
}

beforeAll(() => ensureBuilt(), 120_000);

describe.each(backends)('a port already in use (%s)', (_name, open) => {
  let dir: string;
  let db: TestDatabase;
  let busy: { server: Server; port: number };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-listen-'));
    db = await open(dir);
    busy = await occupyPort();
  });
  afterAll(async () => {
    await new Promise((r) => busy.server.close(r));
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('herald serve exits non-zero and says why', async () => {
    const proc = spawnHerald(['serve', '--provision', DEMO_PROVISION], {
      cwd: dir,
      env: {
        HERALD_PORT: String(busy.port),
        HERALD_HOST: '127.0.0.1',
        HERALD_DATABASE_URL: db.url,
        HERALD_WORKERS: '1',
        HERALD_LOG_LEVEL: 'warn',
      },
    });
    const exit = await proc.exited;
    expect(exit.code).toBe(1);
    expect(proc.output()).toMatch(/EADDRINUSE/);
  });

  it('herald worker exits non-zero when its metrics port is taken', async () => {
    const proc = spawnHerald(['worker', '--provision', DEMO_PROVISION], {
      cwd: dir,
      env: {
        HERALD_METRICS_PORT: String(busy.port),
        HERALD_HOST: '127.0.0.1',
        HERALD_DATABASE_URL: db.url,
        HERALD_WORKERS: '1',
        HERALD_LOG_LEVEL: 'warn',
      },
    });
    const exit = await proc.exited;
    expect(exit.code).toBe(1);
    expect(proc.output()).toMatch(/EADDRINUSE/);
  });
});
