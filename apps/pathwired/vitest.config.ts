import { defineConfig } from 'vitest/config';

// Namespace tests share one machine: run files one after another.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 },
});
