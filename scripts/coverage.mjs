// `npm run test:coverage [vitest args]`: the SQLite suite once with coverage, per folder of src/.
// Two sources, because half the suite drives real `herald` processes:
// - in the test processes, @vitest/coverage-v8 (coverage/in-process/);
// - in the spawned servers, workers and CLI runs (dist/, mapped back to src/ through the source
//   maps), Node's own NODE_V8_COVERAGE, turned into a report by c8 (coverage/spawned/). A process
//   killed with SIGKILL (the crash tests) writes nothing: its share is missing, not wrong.
// The two tools count statements differently, so they are combined by line: a line is covered
// when either saw it run (the lines counted are those vitest's report has statements on). Prints the table and writes it to coverage/summary.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const OUT = join(ROOT, 'coverage');
const RAW = join(OUT, 'v8-raw');

function run(command, args, env = {}) {
  console.log(`\n> ${[command, ...args].join(' ')}`);
  const r = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, env: { ...process.env, ...env } });
  return r.status ?? 1;
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(RAW, { recursive: true });
if (run('npm', ['run', 'build']) !== 0) process.exit(1);

const extra = process.argv.slice(2);
const testStatus = run(
  'npx',
  [
    'vitest',
    'run',
    '--coverage.enabled',
    '--coverage.provider=v8',
    '--coverage.include=src/**/*.ts',
    '--coverage.exclude=src/**/*.test.ts',
    '--coverage.exclude=src/store/contract/**',
    '--coverage.reporter=json',
    '--coverage.reportOnFailure',
    '--coverage.reportsDirectory=coverage/in-process',
    // Every process writes its coverage as it runs and exits: slower, so the time limits (which only
    // stop a test that hangs) are wider, and the 1,000,000-row import (the CLI's paths are those of
    // test/cli/import.test.ts) is left to `npm test`.
    '--testTimeout=120000',
    '--hookTimeout=240000',
    '--exclude=test/cli/import-memory.test.ts',
    ...extra,
  ],
  // Every node process started under the test run writes its V8 coverage here on exit.
  { NODE_V8_COVERAGE: RAW },
);

// Only dist/ scripts are the spawned processes' own code; the test processes' dumps are left out.
run('npx', [
  'c8',
  'report',
  '--temp-directory',
  RAW,
  '--report-dir',
  join(OUT, 'spawned'),
  '--reporter=json',
  '--include=dist/**',
  '--exclude=dist/console/**',
]);
rmSync(RAW, { recursive: true, force: true });

/** file (relative to the root) → Map(line → covered) from an istanbul coverage-final.json. */
function lines(file) {
  const out = new Map();
  if (!existsSync(file)) return out;
  for (const [path, fc] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
    const rel = relative(ROOT, path);
    if (!rel.startsWith('src/') || rel.endsWith('.test.ts')) continue;
    const byLine = out.get(rel) ?? new Map();
    for (const [id, loc] of Object.entries(fc.statementMap)) {
      const line = loc.start.line;
      byLine.set(line, (byLine.get(line) ?? false) || fc.s[id] > 0);
    }
    out.set(rel, byLine);
  }
  return out;
}

const sources = {
  inProcess: lines(join(OUT, 'in-process', 'coverage-final.json')),
  spawned: lines(join(OUT, 'spawned', 'coverage-final.json')),
};
const folderOf = (rel) => {
  const parts = rel.split('/');
  return parts.length > 2 ? `src/${parts[1]}/` : 'src/ (top level)';
};

const table = new Map();
const count = (folder, key, covered) => {
  const row = table.get(folder) ?? { lines: 0, inProcess: 0, spawned: 0, combined: 0 };
  row[key] += covered ? 1 : 0;
  table.set(folder, row);
  return row;
};
// The lines counted are the statement lines of @vitest/coverage-v8 (it lists every file of src/,
// run or not); c8 marks every line of a run range, comments included, so only its verdict is used.
for (const [rel, a] of sources.inProcess) {
  const b = sources.spawned.get(rel) ?? new Map();
  for (const line of a.keys()) {
    const folder = folderOf(rel);
    count(folder, 'inProcess', a.get(line) === true);
    count(folder, 'spawned', b.get(line) === true);
    count(folder, 'combined', a.get(line) === true || b.get(line) === true).lines++;
  }
}

const pct = (n, d) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} %`);
const rows = [...table.entries()].sort(([x], [y]) => x.localeCompare(y));
const total = rows.reduce(
  (t, [, r]) => ({
    lines: t.lines + r.lines,
    inProcess: t.inProcess + r.inProcess,
    spawned: t.spawned + r.spawned,
    combined: t.combined + r.combined,
  }),
  { lines: 0, inProcess: 0, spawned: 0, combined: 0 },
);
const md = [
  '| folder | lines | in the test processes | in spawned processes | combined |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    ([f, r]) =>
      `| ${f} | ${r.lines} | ${pct(r.inProcess, r.lines)} | ${pct(r.spawned, r.lines)} | ${pct(r.combined, r.lines)} |`,
  ),
  `| **all of src/** | ${total.lines} | ${pct(total.inProcess, total.lines)} | ${pct(total.spawned, total.lines)} | ${pct(total.combined, total.lines)} |`,
].join('\n');
writeFileSync(join(OUT, 'summary.md'), `${md}\n`);
console.log(`\nLine coverage by folder (coverage/summary.md):\n\n${md}\n`);
process.exit(testStatus);
