import { defineConfig } from 'vitest/config';

// The integration stage of the pipeline: the e2e checks against a deployed
// stack (STACK_NAME, AWS credentials). Not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.integration.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 900_000,
  },
});
