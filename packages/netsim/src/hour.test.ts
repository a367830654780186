import { describe, expect, it } from 'vitest';
import { Simulator } from './simulator.js';
import { deliveryRatio, latencySummary } from './stats.js';
import { TunnelNode } from './test-nodes.js';
import { Flow } from './traffic.js';

describe('one simulated hour', () => {
  it('two nodes exchanging 50 packets/s each way', () => {
    const hour = 3_600_000;
    const sim = new Simulator({ seed: 2024 });
    const a = sim.addHost('a', { addresses: ['192.0.2.1'] });
    const b = sim.addHost('b', { addresses: ['198.51.100.1'] });
    sim.path('192.0.2.1', '198.51.100.1', { delay: 20, jitter: 2, loss: 0.001 });
    const port = 51820;
    const na = sim.attach(new TunnelNode({ address: '198.51.100.1', port }, { keepalive: 25_000 }), {
      host: a,
      port,
    });
    const nb = sim.attach(new TunnelNode({ address: '192.0.2.1', port }, { keepalive: 25_000 }), {
      host: b,
      port,
    });
    const ab = new Flow(sim, { from: na, to: nb, rate: 50, size: 1000, stop: hour });
    const ba = new Flow(sim, { from: nb, to: na, rate: 50, size: 1000, stop: hour });
    sim.run(hour + 1000);
    expect(ab.records).toHaveLength(180_000);
    expect(ba.records).toHaveLength(180_000);
    expect(Math.abs(deliveryRatio(ab.records) - 0.999)).toBeLessThan(0.0005);
    expect(latencySummary(ba.records).p50).toBeCloseTo(20, 0);
  }, 60_000);
});
