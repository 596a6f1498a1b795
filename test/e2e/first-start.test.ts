// A fresh `herald serve --provision provision/demo.json` (what `npm start` runs), as a new user
// meets it: it listens on loopback unless told otherwise, says where the API, console and docs
// are, warns about the demo token, opens the console at /, publishes the provisioning schema; and
// once the demo token is revoked it stays revoked across restarts, although every start applies
// the demo file again. On SQLite, and on PostgreSQL when HERALD_TEST_POSTGRES_URL is set.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisioningSchema } from '../../src/core/provisioning/file-schema.js';
import { hashToken } from '../../src/core/provisioning/tokens.js';
import { backends, type TestDatabase } from '../helpers/databases.js';
import { DEMO_PROVISION, TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';

const jsonLines = (out: string): Record<string, unknown>[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const DEMO_WARNING = 'the demo API token is active';

describe.each(backends)('the first start (%s)', (_name, open) => {
  let dir: string;
  let db: TestDatabase;
  let port: number;
  let base: string;

  /** `npm start`: no HERALD_HOST, the demo file applied at start. */
  async function start(env: Record<string, string> = {}): Promise<HeraldProcess> {
    const proc = spawnHerald(['serve', '--provision', DEMO_PROVISION], {
      cwd: dir,
      env: { HERALD_PORT: String(port), HERALD_DATABASE_URL: db.url, HERALD_WORKERS: '0', ...env },
    });
    await waitForHttp(`${base}/healthz`, proc);
    return proc;
  }

  const whoAmI = (token: string) =>
    fetch(`${base}/api/v1.1/databases/list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'herald-first-'));
    db = await open(dir);
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says where everything is, warns about the demo token, opens the console at / and publishes the schema', async () => {
    const proc = await start();
    try {
      const lines = jsonLines(proc.output());
      expect(lines.find((l) => String(l.msg).startsWith('Herald is listening'))).toMatchObject({
        msg: `Herald is listening on ${base} (console ${base}/console, API docs ${base}/docs)`,
        api: `${base}/api/v1.1/`,
        console: `${base}/console`,
        docs: `${base}/docs`,
      });
      // The default address is loopback: no warning about other machines.
      expect(proc.output()).not.toContain('reachable from other machines');
      expect(lines.find((l) => String(l.msg).startsWith(DEMO_WARNING))).toMatchObject({ level: 40, account: 1 });
      expect(proc.output()).not.toContain(TOKEN);

      const root = await fetch(`${base}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/console');
      const schema = await fetch(`${base}/api/provisioning.schema.json`);
      expect(schema.status).toBe(200);
      expect(schema.headers.get('content-type')).toContain('application/schema+json');
      expect(await schema.json()).toEqual(provisioningSchema());
      expect((await whoAmI(TOKEN)).status).toBe(200);
    } finally {
      expect(await proc.stop()).toEqual({ code: 0, signal: null });
      const lines = jsonLines(proc.output());
      expect(lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
      expect(lines.some((l) => l.msg === 'Herald stopped')).toBe(true);
    }
  });

  it('a revoked demo token stays revoked when the server starts again and re-applies the demo file', async () => {
    const revoke = spawnHerald(['token', 'revoke', TOKEN], {
      cwd: dir,
      env: { HERALD_DATABASE_URL: db.url, HERALD_LOG_LEVEL: 'silent' },
    });
    expect(await revoke.exited).toEqual({ code: 0, signal: null });
    expect(revoke.output()).toBe('token revoked\n');

    for (let restart = 1; restart <= 2; restart++) {
      const proc = await start();
      try {
        const lines = jsonLines(proc.output());
        expect(lines.find((l) => l.msg === 'provisioning applied')).toMatchObject({ tokens: 1 });
        expect(lines.some((l) => String(l.msg).startsWith(DEMO_WARNING))).toBe(false);
        const res = await whoAmI(TOKEN);
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: 401, error_debug: 'the API token is unknown or revoked' });
      } finally {
        await proc.stop();
      }
    }
    const rows = await db.query<{ revoked: number | boolean; revoked_at: number | null }>(
      `SELECT revoked, revoked_at FROM tokens WHERE hash = '${hashToken(TOKEN)}'`,
    );
    expect(rows).toHaveLength(1);
    expect([true, 1]).toContain(rows[0].revoked);
    expect(typeof rows[0].revoked_at).toBe('number');
  });

  it('writes readable lines with HERALD_LOG_FORMAT=pretty, from the start-up line to the last one', async () => {
    const proc = await start({ HERALD_LOG_FORMAT: 'pretty', NO_COLOR: '1' });
    const listening = /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(herald\): Herald is listening on /m;
    expect(proc.output()).toMatch(listening);
    expect(proc.output()).toMatch(/^\[[\d:.]+\] INFO \(herald-engine\): provisioning applied \{"file":/m);
    expect(await proc.stop()).toEqual({ code: 0, signal: null });
    expect(proc.output()).toMatch(/^\[[\d:.]+\] INFO \(herald\): Herald stopped/m);
    expect(jsonLines(proc.output())).toEqual([]);
    expect(proc.output()).not.toContain('\x1b[');
  });
});
