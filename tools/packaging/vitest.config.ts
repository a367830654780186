import { defineConfig } from 'vitest/config';

// Packing, installing and bundling take a while on a busy machine.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 600_000 },
});
