import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that measure the machine itself (a CPU burn must stand out from the baseline) run
    // afterwards, alone: vitest.isolated.config.ts.
    exclude: ['test/**/*.isolated.test.ts', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests spawn real processes and servers; two cores do not reward more.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
