import { type CryptoBackend, nobleBackend } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import { describeWith, namespaceCapability } from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorld, type InteropWorld, runCase } from './scenario.js';

const backends: CryptoBackend[] = [nobleBackend, nodeBackend];

describeWith(namespaceCapability(['wireguard-go', 'wg', 'ping']), 'interop with stock wireguard-go', () => {
  let world: InteropWorld;
  beforeAll(async () => {
    world = await createWorld(nodeBackend);
  });
  afterAll(() => world?.topology.destroy());

  for (const backend of backends) {
    for (const underlay of [4, 6] as const) {
      for (const role of ['initiator', 'responder'] as const) {
        for (const presharedKey of [false, true]) {
          it(`${backend.name} backend, IPv${underlay} underlay, as ${role}${presharedKey ? ', with a preshared key' : ''}`, async () => {
            const result = await runCase(world, { backend, underlay, role, presharedKey });
            // runCase throws unless wireguard-go's echo (or its ping's success) proves both directions.
            expect(result.steps).toHaveLength(role === 'initiator' ? 2 : 3);
            expect(result.roundTripMs).toBeGreaterThan(0);
          });
        }
      }
    }
  }
});
