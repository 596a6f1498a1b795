// One tenant's large batch and another tenant's reads: while account A's 100,000-item
// import_and_start_batch (about 4 MB) runs, account B reads campaigns/triggers/get in a loop;
// the latencies of the reads made during the batch, p50/p99/max
// (`node --import tsx bench/cross-tenant-read.ts [--postgres URL]`, after npm run build).
// SQLite runs twice: with the reader thread (the default) and without it (HERALD_READ_THREAD=false).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase, percentile, ROOT, round, startServer, TOKEN } from './lib.js';

const ITEMS = 100_000;
const TOKEN_B = 'tenant-b-token-0123456789';

/** The demo account (A) and a second account (B) with a trigger of its own. */
function provisionFile(): string {
  const demo = JSON.parse(readFileSync(join(ROOT, 'provision/demo.json'), 'utf8')) as {
    accounts: Record<string, unknown>[];
  };
  const b = JSON.parse(JSON.stringify(demo.accounts[0])) as Record<string, unknown> & {
    databases: { id: number }[];
    resources: { id: number; db_ids: number[] }[];
    templates: { id: number }[];
    triggers: Record<string, unknown>[];
  };
  Object.assign(b, {
    id: 2,
    name: 'Tenant B',
    tokens: [{ token: TOKEN_B, role: 'write' }],
    senders: [{ name: 'outbox', type: 'file', dir: './data/outbox-b' }],
  });
  b.databases[0].id = 2;
  b.resources[0].id = 22;
  b.resources[0].db_ids = [2];
  b.templates[0].id = 6;
  b.triggers = [{ ...b.triggers[0], id: 200, resource_id: 22, list_id: 2, content: [{ message_id: 6 }] }];
  const file = join(tmpdir(), `herald-bench-tenants-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ accounts: [demo.accounts[0], b] }));
  return file;
}

async function api(url: string, method: string, body: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1.1/${method}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

async function run(name: string, env: Record<string, string>, provision: string) {
  const server = await startServer({ HERALD_WORKERS: '0', ...env }, [], provision);
  try {
    const read = JSON.stringify({ token: TOKEN_B, trigger_id: 200 });
    for (let i = 0; i < 200; i++) await api(server.url, 'campaigns/triggers/get', read);
    // The same reads with nothing else running: what the host gives a read at this moment.
    const idle: number[] = [];
    for (let i = 0; i < 500; i++) idle.push((await api(server.url, 'campaigns/triggers/get', read)).ms);
    const items = Array.from({ length: ITEMS }, (_, i) => ({ data: { email: `a${i}@tenant-a.test` } }));
    const batch = JSON.stringify({ token: TOKEN, trigger_id: 96, data: items });
    let answered = false;
    const started = performance.now();
    const write = api(server.url, 'campaigns/triggers/import_and_start_batch', batch).finally(() => (answered = true));
    const latencies: number[] = [];
    // Every read begun before the batch was answered counts (the last one may end after it).
    while (!answered) {
      const r = await api(server.url, 'campaigns/triggers/get', read);
      if (r.status !== 200) throw new Error(`read answered ${r.status}`);
      latencies.push(r.ms);
    }
    const w = await write;
    if (w.status !== 200) throw new Error(`batch answered ${w.status}`);
    return {
      name,
      batchMb: round(Buffer.byteLength(batch) / 1024 / 1024, 1),
      batchMs: round(performance.now() - started),
      reads: latencies.length,
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      maxMs: round(Math.max(...latencies), 1),
      idleP50Ms: round(percentile(idle, 50), 1),
      idleP99Ms: round(percentile(idle, 99), 1),
      loadAverage: round(loadavg()[0], 1),
    };
  } finally {
    await server.stop();
  }
}

const provision = provisionFile();
try {
  const pgIndex = process.argv.indexOf('--postgres');
  const results = [
    await run('SQLite, reader thread', {}, provision),
    await run(
      'SQLite, reads on the engine thread (HERALD_READ_THREAD=false)',
      { HERALD_READ_THREAD: 'false' },
      provision,
    ),
  ];
  if (pgIndex > 0) {
    const db = await freshPostgresDatabase(process.argv[pgIndex + 1], 'xt');
    try {
      results.push(await run('PostgreSQL', { HERALD_DATABASE_URL: db.url }, provision));
    } finally {
      await db.drop();
    }
  }
  for (const r of results) console.log(JSON.stringify(r));
} finally {
  rmSync(provision, { force: true });
}
