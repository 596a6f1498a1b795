// `npm run test:mutation [core|http|senders …]`: one Stryker run per folder of src/ (all three
// when none is named), one after the other, each with its own report and incremental file under
// reports/mutation/<folder>/. Prints the score of each at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const FOLDERS = ['core', 'http', 'senders'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
for (const f of wanted) if (!FOLDERS.includes(f)) throw new Error(`unknown folder ${f}: one of ${FOLDERS.join(', ')}`);

const scores = [];
for (const folder of wanted.length ? wanted : FOLDERS) {
  console.log(`\n> stryker run (src/${folder}/)`);
  const r = spawnSync('npx', ['stryker', 'run', ...passthrough], {
    stdio: 'inherit',
    env: { ...process.env, HERALD_MUTATE: folder },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const report = `reports/mutation/${folder}/mutation.json`;
  if (existsSync(report)) scores.push([folder, summarise(JSON.parse(readFileSync(report, 'utf8')))]);
}
console.log('\nfolder    killed  survived  no cover  timeout  errors  ignored  score');
for (const [folder, s] of scores) {
  console.log(
    `${folder.padEnd(9)} ${String(s.Killed).padStart(6)}  ${String(s.Survived).padStart(8)}  ${String(s.NoCoverage).padStart(8)}  ${String(s.Timeout).padStart(7)}  ${String(s.RuntimeError + s.CompileError).padStart(6)}  ${String(s.Ignored).padStart(7)}  ${s.score.toFixed(1)} %`,
  );
}

/** Mutant counts by status, and the score: (killed + timeout) / (all that were tested or not covered). */
function summarise(report) {
  const s = { Killed: 0, Survived: 0, NoCoverage: 0, Timeout: 0, RuntimeError: 0, CompileError: 0, Ignored: 0 };
  for (const file of Object.values(report.files)) for (const m of file.mutants) s[m.status] = (s[m.status] ?? 0) + 1;
  const valid = s.Killed + s.Timeout + s.Survived + s.NoCoverage;
  return { ...s, score: valid ? (100 * (s.Killed + s.Timeout)) / valid : 100 };
}
