import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Limits that only stop a test that hangs: wide, so a loaded machine never fails a test that works.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
