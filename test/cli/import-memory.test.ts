// `herald import` streams: a larger CSV is imported with the same peak memory as a 100,000-row one
// (by then the heaps have settled) — by default 300,000 rows; with HERALD_HEAVY_TESTS=1, 1,000,000
// (a minute or two alone; `bench/import-cli.ts` measures the million-row import too). The child's
// memory is sampled from /proc/<pid>/status while it runs (Linux).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSqlite } from '../helpers/databases.js';
import { DEMO_PROVISION } from '../helpers/harness.js';
import { ensureBuilt, ROOT } from '../helpers/herald-process.js';
import { sampleMemory, writeCsv, type MemoryPeaks } from '../helpers/import-files.js';

const BIN = join(ROOT, 'bin/herald.js');
/**
 * Whatever the file's size: three V8 isolates (the main thread, which only starts the import; the
 * reading thread and the engine thread, each with heap limits sized from the batch: 168 MB old and
 * 32 MB young generation at 5,000 rows), the engine's 16 MB SQLite page cache, no memory-mapped
 * file. Measured: about 290 MB resident, 240 MB anonymous, at 300,000 and at 1,000,000 rows
 * (without the limits the heaps settled at 200 MB each: 520–570 MB resident).
 */
const RSS_BOUND_MB = 400;
const ANON_BOUND_MB = 330;
/**
 * What the big run may use above the small one (measured: 40–80 MB, the heaps' own variation):
 * anything kept per row would show as more — 170 bytes of it at the heavy size, ~750 at the default one.
 */
const GROWTH_BOUND_MB = 150;

const HEAVY = process.env.HERALD_HEAVY_TESTS === '1';
const SMALL = 100_000;
const BIG = HEAVY ? 1_000_000 : 300_000;

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'herald-import-mem-'));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function herald(
  args: string[],
  db: string,
  sample = false,
): Promise<{ code: number | null; stdout: string; stderr: string; memory?: MemoryPeaks }> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HERALD_')) clean[k] = v;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...clean, HERALD_DATABASE_URL: `sqlite:${db}`, HERALD_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = sample && child.pid ? sampleMemory(child.pid, 50) : undefined;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // VmHWM, read at every sample, is the kernel's own peak: the moments between samples count too.
    child.on('close', (code) => resolve({ code, stdout, stderr, ...(sampler ? { memory: sampler.stop() } : {}) }));
  });
}

async function importFile(rows: number): Promise<{ memory: MemoryPeaks; seconds: number; db: string }> {
  const file = join(dir, `rows-${rows}.csv`);
  const db = join(dir, `rows-${rows}.db`);
  await writeCsv(file, rows);
  expect((await herald(['apply', DEMO_PROVISION], db)).code).toBe(0);
  const started = performance.now();
  const run = await herald(['import', file, '--trigger', '96'], db, true);
  const seconds = (performance.now() - started) / 1000;
  expect(run.stderr).not.toContain('herald:');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`: ${rows.toLocaleString('en-US')} rows, ${rows.toLocaleString('en-US')} imported in `);
  expect(existsSync(`${file}.herald-progress`)).toBe(false);
  const memory = run.memory as MemoryPeaks;
  console.log(
    `herald import, ${rows.toLocaleString('en-US')} rows (${(statSync(file).size / 1024 / 1024).toFixed(0)} MB): ${seconds.toFixed(1)} s, ` +
      `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s, peak RSS ${memory.peakRssMb} MB, peak anonymous ${memory.peakAnonMb} MB (${memory.samples} samples)`,
  );
  rmSync(file);
  return { memory, seconds, db };
}

function counts(db: string): { profiles: number; messages: number } {
  const one = (sql: string) => readSqlite<{ n: number }>(db, sql)[0].n;
  return {
    profiles: one('SELECT count(*) AS n FROM profiles'),
    messages: one("SELECT count(*) AS n FROM messages WHERE status = 'scheduled'"),
  };
}

describe('herald import memory', () => {
  // The limit only stops a run that hangs: 1,100,000 rows take a minute or two alone, many more on a loaded machine.
  it(`imports a ${BIG.toLocaleString('en-US')}-row CSV in flat memory`, async () => {
    const small = await importFile(SMALL);
    const big = await importFile(BIG);
    expect(counts(big.db)).toEqual({ profiles: BIG, messages: BIG });

    // VmHWM is the kernel's own peak so far: any sample taken during the run reads it (how many
    // samples there are depends on the machine's speed, not on the import).
    expect(big.memory.samples).toBeGreaterThan(0);
    expect(big.memory.peakRssMb).toBeLessThan(RSS_BOUND_MB);
    expect(big.memory.peakAnonMb).toBeLessThan(ANON_BOUND_MB);
    // More rows, not more memory.
    expect(big.memory.peakAnonMb - small.memory.peakAnonMb).toBeLessThan(GROWTH_BOUND_MB);
  }, 900_000);
});
