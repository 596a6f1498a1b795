// The tests a mutation run uses: those that run Herald in the test process (the in-process API
// harness, the store contract, unit tests), where Stryker's mutated source is what executes.
// test/e2e, test/cli and test/console drive the built server in child processes (dist/), which a
// mutant of src/ never reaches, so they would only cost time.
//
// HERALD_MUTATION_TESTS (comma-separated globs) narrows the set for a run of a few files: a survivor
// runs every test that covered it, so a test file that covers the mutated code without checking it
// (the delivery suite posts through the request path, for instance) costs its whole time per
// survivor. A survivor of a narrowed run is checked against the full set before it counts.
import { defineConfig } from 'vitest/config';

const ALL = [
  'src/**/*.test.ts',
  'test/http/**/*.test.ts',
  'test/delivery/**/*.test.ts',
  'test/security/**/*.test.ts',
  'test/client/**/*.test.ts',
  'test/feedback/**/*.test.ts',
  'test/compat/pages.test.ts',
  // The generated reference pages (docs/openapi.json among them: every parameter's JSON Schema).
  'test/docs/reference.test.ts',
];
const narrowed = process.env.HERALD_MUTATION_TESTS?.split(',')
  .map((g) => g.trim())
  .filter(Boolean);

export default defineConfig({
  test: {
    include: narrowed?.length ? narrowed : ALL,
    exclude: [
      // Drives a spawned `herald serve` only; nothing of it runs the mutated source.
      'test/security/secrets.test.ts',
      // Minutes of random requests per property: every surviving mutant it covers (all of them)
      // would run it whole. It looks for crashes and leaks, which the other tests pin one by one.
      'test/security/fuzz.test.ts',
      // Compares src/client/openapi-types.ts with its generator's output; Stryker's sandbox adds a
      // `// @ts-nocheck` line to every source file, so the copy never equals it, and no mutant
      // changes what it checks.
      'test/client/generated.test.ts',
    ],
    // Tests too heavy for instrumented code skip themselves (test/http/limits-and-security.test.ts).
    env: { HERALD_MUTATION_RUN: '1' },
    // Instrumented code runs slower, and the machine is shared.
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
