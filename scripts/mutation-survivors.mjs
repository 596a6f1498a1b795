// `node scripts/mutation-survivors.mjs reports/mutation/<name>/mutation.json [--all]`: the score of
// each mutated file of a Stryker JSON report, then every mutant that survived or was not covered,
// one line each — `path:line [S|NC] mutator: replacement | the source line` — to write tests against
// (docs/TESTING.md, "Mutation testing"). `--all` lists timed-out mutants too.
import { readFileSync } from 'node:fs';

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/mutation-survivors.mjs <mutation.json> [--all]');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const marks = { Survived: 'S', NoCoverage: 'NC', Timeout: 'T' };
const listed = new Set(['Survived', 'NoCoverage', ...(flags.includes('--all') ? ['Timeout'] : [])]);
const totals = { killed: 0, valid: 0 };
const lines = [];
console.log('file                                                    mutants  killed  survived  no cover  score');
for (const [path, entry] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const source = entry.source.split('\n');
  let killed = 0;
  let survived = 0;
  let noCover = 0;
  for (const m of entry.mutants) {
    if (m.status === 'Killed' || m.status === 'Timeout') killed += 1;
    else if (m.status === 'Survived') survived += 1;
    else if (m.status === 'NoCoverage') noCover += 1;
    if (listed.has(m.status)) {
      const line = m.location.start.line;
      const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60);
      lines.push(
        `${path}:${line} [${marks[m.status]}] ${m.mutatorName}: ${replacement} | ${source[line - 1]?.trim().slice(0, 100)}`,
      );
    }
  }
  const valid = killed + survived + noCover;
  totals.killed += killed;
  totals.valid += valid;
  const score = valid ? ((100 * killed) / valid).toFixed(1) : '100.0';
  console.log(
    `${path.padEnd(55)} ${String(entry.mutants.length).padStart(7)} ${String(killed).padStart(7)} ${String(survived).padStart(9)} ${String(noCover).padStart(9)}  ${score} %`,
  );
}
const whole = totals.valid ? ((100 * totals.killed) / totals.valid).toFixed(1) : '100.0';
console.log(
  `${'all'.padEnd(55)} ${' '.repeat(7)} ${String(totals.killed).padStart(7)} ${' '.repeat(19)}  ${whole} % of ${totals.valid}\n`,
);
for (const l of lines) console.log(l);
