// `herald import` of a generated file (1,000,000 rows by default) into a fresh SQLite database:
// rows/s and the peak memory of the import process (/proc/<pid>/status, sampled every 50 ms).
//
//   npm run build && node --import tsx bench/import-cli.ts [--rows N] [--batch-size N] [--jsonl]
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleMemory, writeCsv, type MemoryPeaks } from '../test/helpers/import-files.js';
import { ROOT } from './lib.js';

const { values } = parseArgs({
  options: { rows: { type: 'string' }, 'batch-size': { type: 'string' }, jsonl: { type: 'boolean' } },
});
const rows = Number(values.rows ?? 1_000_000);
const BIN = join(ROOT, 'bin/herald.js');
if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('run npm run build first');

async function writeJsonl(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  let chunk = '';
  for (let i = 1; i <= n; i++) {
    const email = `user${i}@example.com`;
    chunk += `${JSON.stringify({ email, _fname: `First${i}`, _lname: `Last, ${i}`, phones: `+7900${String(i).padStart(7, '0')}`, CRM_ID: i, subscriptions: [{ channel: 'email', resource_id: 21, email }] })}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

function herald(
  args: string[],
  env: NodeJS.ProcessEnv,
  sample: boolean,
): Promise<{ code: number | null; out: string; memory?: MemoryPeaks }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const sampler = sample && child.pid ? sampleMemory(child.pid, 50) : undefined;
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, out, ...(sampler ? { memory: sampler.stop() } : {}) })),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'herald-bench-import-'));
try {
  const file = join(dir, values.jsonl ? 'rows.jsonl' : 'rows.csv');
  await (values.jsonl ? writeJsonl(file, rows) : writeCsv(file, rows));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
    HERALD_LOG_LEVEL: 'silent',
  };
  const applied = await herald(['apply', join(ROOT, 'provision/demo.json')], env, false);
  if (applied.code !== 0) throw new Error(applied.out);
  const started = performance.now();
  const run = await herald(
    [
      'import',
      file,
      '--trigger',
      '96',
      '--progress-every',
      '3600',
      ...(values['batch-size'] ? ['--batch-size', values['batch-size']] : []),
    ],
    env,
    true,
  );
  const seconds = (performance.now() - started) / 1000;
  if (run.code !== 0) throw new Error(`import failed (${run.code}):\n${run.out}`);
  const result = {
    name: `herald import, ${values.jsonl ? 'JSON Lines' : 'CSV'}, SQLite`,
    rows,
    fileMb: Math.round(statSync(file).size / 1024 / 1024),
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: Math.round(rows / seconds),
    peakRssMb: run.memory?.peakRssMb,
    peakAnonymousMb: run.memory?.peakAnonMb,
  };
  console.log(
    `${result.name}: ${rows.toLocaleString('en')} rows (${result.fileMb} MB) in ${result.seconds} s — ${result.rowsPerSecond.toLocaleString('en')} rows/s; ` +
      `peak RSS ${result.peakRssMb} MB (anonymous ${result.peakAnonymousMb} MB)`,
  );
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
