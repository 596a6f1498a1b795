// Mutation testing (`npm run test:mutation`, scripts/mutation.mjs): Stryker changes one thing in
// the source at a time (a condition, an operator, a constant) and runs the tests that cover that
// spot; a change no test notices is a "survivor" — behaviour the suite does not pin. One folder
// per run (the script passes --mutate), each with its own incremental file so a rerun only tests
// what changed. See docs/TESTING.md.
// HERALD_MUTATE: a folder of src/ (core, http, senders), or a comma-separated list of files and
// folders under src/ for a partial run (HERALD_MUTATE_REPORT names its report folder then).
const target = process.env.HERALD_MUTATE ?? 'core';
const parts = target
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
const out = `reports/mutation/${process.env.HERALD_MUTATE_REPORT ?? parts.join('+').replace(/[^\w+.-]+/g, '_')}`;
const mutate = parts.flatMap((p) =>
  p.endsWith('.ts') ? [`src/${p}`] : [`src/${p}/**/*.ts`, `!src/${p}/**/*.test.ts`],
);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate,
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // Each mutant runs only the tests that executed its code in the dry run.
  coverageAnalysis: 'perTest',
  // The machine has two cores shared with other work.
  concurrency: 1,
  // Mutants in code that runs only while modules load (constant tables) would need a fresh
  // process and the whole suite each; they are left out (and counted as ignored).
  ignoreStatic: true,
  timeoutMS: 20_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: `${out}/incremental.json`,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `${out}/mutation.json` },
  htmlReporter: { fileName: `${out}/index.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'bench/results', 'data', '.prof', 'reports', '.herald-test', '*.log'],
  thresholds: { high: 90, low: 85, break: null },
};
