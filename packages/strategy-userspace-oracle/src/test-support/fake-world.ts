/** A fixed world for the hub's tests: two oracle peers and one that is not, two endpoints each. */
import type { OracleWorld } from '../protocol/hub.js';

export const PEER_A = `${'A'.repeat(42)}E=`;
export const PEER_B = `${'B'.repeat(42)}E=`;
export const STOCK = `${'C'.repeat(42)}E=`;
export const ENDPOINTS = ['192.0.2.1:51820', '[2001:db8::1]:51820'];

/** A fixed world: two oracle peers and one that is not, each with two endpoints. */
export function fakeWorld(peerCount = 0): OracleWorld {
  const extra = Array.from({ length: peerCount }, (_, i) => `${i.toString(36).padStart(42, 'x')}E=`);
  const keys = [PEER_A, PEER_B, STOCK, ...extra];
  return {
    peer(key) {
      if (!keys.includes(key)) return undefined;
      return {
        oracle: key !== STOCK,
        endpoint: (text) =>
          ENDPOINTS.includes(text) ? text : text === '[2001:DB8::1]:51820' ? ENDPOINTS[1] : undefined,
      };
    },
    checkEndpoint: (text) => (text.includes(':') ? undefined : `${text}: no port`),
    snapshot: () =>
      keys.map((publicKey) => ({
        publicKey,
        strategy: 'userspace-oracle',
        active: ENDPOINTS[0]!,
        lastHandshakeMs: 1000,
        endpoints: ENDPOINTS.map((endpoint) => ({
          endpoint,
          state: 'up' as const,
          origin: 'configured' as const,
          class: 'documentation',
          rttMs: 12,
          loss: 0,
          lastRxMs: 100,
        })),
      })),
  };
}
