import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests spawn real processes and servers; two cores do not reward more.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
