import { defineConfig } from 'vitest/config';

// Fuzzing runs thousands of cases: generous timeouts, as the machine may be busy.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 120_000 },
});
