// Shared pieces of the benchmarks: a Herald server process on a temporary database, request
// bodies in the seed's profile shape, and statistics.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;
export const TOKEN = 'abcdefghijklmnqrstuvwxyz';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  dir: string;
  /** Peak resident set size of the server process so far (from /proc), in MB. */
  peakRssMb(): number;
  /** Resident set size of the server process now, in MB. */
  currentRssMb(): number;
  /** The anonymous part of it (heaps: what a leak grows; not the database file's memory map), in MB. */
  anonRssMb(): number;
  /** Starts a new peak: VmHWM is reset to the current RSS (Linux clear_refs). */
  resetPeakRss(): void;
  stop(): Promise<void>;
}

function rssMb(pid: number, field = 'VmHWM'): number {
  try {
    // VmHWM is the peak resident set size of the process, VmRSS the current one.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function startServer(
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  provision = join(ROOT, 'provision/demo.json'),
): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin/herald.js'), 'serve', '--provision', provision], {
    cwd: dir,
    env: {
      ...process.env,
      HERALD_PORT: String(port),
      HERALD_HOST: '127.0.0.1',
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_LOG_LEVEL: 'warn',
      HERALD_WORKERS: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      await fetch(`${url}/api/v1.1/`, { method: 'POST' });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    child,
    dir,
    peakRssMb: () => rssMb(child.pid ?? 0),
    currentRssMb: () => rssMb(child.pid ?? 0, 'VmRSS'),
    anonRssMb: () => rssMb(child.pid ?? 0, 'RssAnon'),
    resetPeakRss: () => {
      try {
        writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
      } catch {
        // not Linux, or not allowed: the peak then spans the whole run
      }
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SeedProfile {
  data: {
    _fname: string;
    _lname: string;
    email: string;
    phones: string;
    subscriptions: { channel: 'email'; email: string; priority: number; resource_id: number; status: number }[];
  };
}

/** `count` profiles in the seed's shape with unique emails and phones (`offset` shifts them). */
export function seedProfiles(count: number, offset: number, variant = 0): SeedProfile[] {
  const out: SeedProfile[] = [];
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const email = `user${n}@example.com`;
    out.push({
      data: {
        _fname: `Name${n}${variant ? `v${variant}` : ''}`,
        _lname: 'Collins',
        email,
        phones: `+7900${String(1_000_000 + (n % 9_000_000)).padStart(7, '0')}`,
        subscriptions: [{ channel: 'email', email, priority: 0, resource_id: 21, status: 0 }],
      },
    });
  }
  return out;
}

export function jsonBody(items: SeedProfile[], triggerId = 96): string {
  return JSON.stringify({ token: TOKEN, trigger_id: triggerId, matching: 'email', skip_triggers: false, data: items });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function xmlBody(items: SeedProfile[], triggerId = 96): string {
  const parts = [
    `<xml><token>${TOKEN}</token><trigger_id>${triggerId}</trigger_id><matching>email</matching><format>json</format>`,
  ];
  for (const it of items) {
    const d = it.data;
    const s = d.subscriptions[0];
    parts.push(
      `<data><_fname>${esc(d._fname)}</_fname><_lname>${esc(d._lname)}</_lname><email>${esc(d.email)}</email><phones>${d.phones}</phones>` +
        `<subscriptions><channel>email</channel><email>${esc(s.email)}</email><priority>0</priority><resource_id>21</resource_id><status>0</status></subscriptions></data>`,
    );
  }
  parts.push('</xml>');
  return parts.join('');
}

export async function post(
  url: string,
  method: string,
  body: string,
  contentType = 'application/json',
): Promise<{ ms: number; status: number; json: Record<string, unknown> }> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1.1/${method}`, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
  });
  const text = await res.text();
  const ms = performance.now() - started;
  return { ms, status: res.status, json: JSON.parse(text) as Record<string, unknown> };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** A new, empty PostgreSQL database next to the one `adminUrl` names; drop() removes it. */
export async function freshPostgresDatabase(
  adminUrl: string,
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `herald_${label}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
