import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // The code under test logs its warnings as the function would; a test
    // that reads the log sets its own level. Quiet output otherwise, so that
    // `npm test` shows nothing a user must learn to ignore.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    testTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'functions/**/*.ts'],
      thresholds: {
        'shared/flowlog/**': { lines: 100, functions: 100, branches: 100 },
      },
    },
  },
});
