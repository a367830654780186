/**
 * heartbeat-probe on real networks against a STOCK wireguard-go: our engine in the root namespace,
 * wireguard-go in a namespace reachable through two veth links (IPv4 and IPv6 on each). Needs
 * root, `ip`, `iptables`, `ip6tables` and `wireguard-go`/`wg` (skipped elsewhere, failing under CI).
 */
import {
  createFailoverWorld,
  type FailoverWorld,
  measureFailover,
  STOCK_PORT,
  startClient,
  stockEndpointOf,
} from '@pathwire/interop';
import { describeWith, namespaceCapability } from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHeartbeatProbe } from './index.js';

describeWith(
  namespaceCapability(['wireguard-go', 'wg', 'iptables', 'ip6tables']),
  'heartbeat-probe against a stock wireguard-go server through two links',
  () => {
    let world: FailoverWorld;
    beforeAll(async () => {
      world = await createFailoverWorld();
    });
    afterAll(() => world?.topology.destroy());

    it("never moves wireguard-go's endpoint for us on healthy paths; HELLOs only on the active endpoint, then none", async () => {
      const [l0, l1] = world.links;
      const endpoints = [l0.b.ipv4, l1.b.ipv4].map((address) => ({ address, port: STOCK_PORT }));
      const client = await startClient(world, endpoints, createHeartbeatProbe({ 'hello-interval': '1s' }));
      try {
        await client.pinger.replyAfter(0, 30_000);
        const seen = new Set<string>();
        // Sample the stock side's view of us while HELLOs go out and are dropped, until the
        // client concludes the peer is stock (3 HELLOs unanswered while data is answered).
        const peer = () => client.driver.device.peer(world.stockPublicKey)!;
        for (let i = 0; i < 60 && peer().probeSupport !== 'no'; i++) {
          const endpoint = stockEndpointOf(world, client.publicKey);
          if (endpoint) seen.add(endpoint);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        for (let i = 0; i < 8; i++) {
          const endpoint = stockEndpointOf(world, client.publicKey);
          if (endpoint) seen.add(endpoint);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        const counters = client.driver.device.counters.probes;
        console.log(
          `[namespaces] stock peer: its endpoint for us ${[...seen].join(', ')}; probe support ${peer().probeSupport}; ${JSON.stringify(counters)}`,
        );
        expect(peer().probeSupport).toBe('no');
        expect(seen.size).toBe(1);
        expect(counters['hello-sent']).toBeGreaterThanOrEqual(3);
        expect(counters['ping-sent'] ?? 0).toBe(0);
        const active = peer().active!.key;
        for (const record of peer().endpoints.list)
          if (record.key !== active) expect(record.probesSent).toBe(0);
      } finally {
        client.close();
      }
    });

    it('recovers on the other link when the active one is blackholed (handshake-race fallback)', async () => {
      const result = await measureFailover(world, createHeartbeatProbe({}));
      console.log(
        `[namespaces] stock peer, blackhole: ${result.outageMs} ms outage, ${result.from} -> ${result.to}`,
      );
      const [l0, l1] = world.links;
      const other = [l0, l1].find((l) => l.b.ipv4 !== result.from && l.b.ipv6 !== result.from)!;
      expect([other.b.ipv4, other.b.ipv6]).toContain(result.to);
      expect(result.events.filter((e) => e.type === 'handshake-failed')).toEqual([]);
    });
  },
);
