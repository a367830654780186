import { defineConfig } from 'vitest/config';

// Generous bounds: the dnsmasq tests wait on real timers and must pass on a busy machine.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
