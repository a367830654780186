import { defineConfig } from 'vitest/config';

// Whole simulated runs (real crypto, thousands of packets) on a shared machine: generous timeouts.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 },
});
