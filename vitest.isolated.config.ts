import { defineConfig } from 'vitest/config';

// Tests that need a quiet machine, run one file at a time after the main suite.
export default defineConfig({
  test: {
    include: ['test/**/*.isolated.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts'],
  },
});
