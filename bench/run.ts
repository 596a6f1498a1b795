// `npm run bench [-- --quick]`: runs the benchmarks, prints a table and writes bench/results.json.
import { writeFileSync } from 'node:fs';
import { customRequestBench } from './custom-request.js';
import { importBench, type ImportResult } from './import.js';
import { scaleBench } from './scale.js';

const quick = process.argv.includes('--quick');
const batches = quick ? 3 : 7;

// PostgreSQL runs when a server is reachable (HERALD_BENCH_POSTGRES_URL, default the local one).
const postgres = process.env.HERALD_BENCH_POSTGRES_URL ?? process.env.HERALD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgReachable = await import('pg').then(async ({ default: pg }) => {
  const c = new pg.Client({ connectionString: postgres, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
});

const runs: { format: 'json' | 'xml'; postgres?: string }[] = [{ format: 'json' }, { format: 'xml' }, ...(pgReachable ? [{ format: 'json' as const, postgres }] : [])];
const results: ImportResult[] = [];
for (const run of runs) {
  const r = await importBench({ batches, size: 10_000, ...run });
  results.push(r);
  console.log(`\n${r.name} — ${r.batches} batches per phase, peak server RSS ${r.peakRssMb} MB`);
  console.log('phase   | median ms | p99 ms | profiles/s | floor ms | ratio to floor');
  for (const [label, p] of [['fresh', r.fresh], ['update', r.update]] as const) {
    console.log(`${label.padEnd(7)} | ${String(p.medianMs).padStart(9)} | ${String(p.p99Ms).padStart(6)} | ${String(p.profilesPerSecond).padStart(10)} | ${String(p.floorMedianMs).padStart(8)} | ${p.ratioToFloor}`);
  }
}
const customRequest = await customRequestBench({ profiles: quick ? 20_000 : 100_000 });
console.log(`\n${customRequest.name}`);
console.log(`all ${customRequest.allLaunched} profiles: ${customRequest.allMs} ms; equality ${customRequest.equalityMs} ms; $in (5 values) ${customRequest.inMs} ms; range (100) ${customRequest.rangeMs} ms`);
console.log(`server RSS ${customRequest.rssBeforeMb} MB before, peak ${customRequest.peakRssMb} MB`);

const scale = [];
if (pgReachable) {
  for (const inFlight of [1, 2]) {
    const r = await scaleBench({ postgres, requests: quick ? 4 : 8, size: 10_000, inFlight });
    scale.push(r);
    console.log(`\n${r.name}: one API process ${r.oneProcess} profiles/s, two ${r.twoProcesses} profiles/s (×${r.growth})`);
  }
}

writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, results, customRequest, scale }, null, 2)}\n`);
