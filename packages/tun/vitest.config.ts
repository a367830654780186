import { defineConfig } from 'vitest/config';

// Generous bounds: the tests assert outcomes, and must pass on a machine with a busy core.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
