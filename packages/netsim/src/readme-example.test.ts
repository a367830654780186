import { expect, it } from 'vitest';
import { deliveryRatio, Flow, latencySummary, outageAround, Simulator, TunnelNode } from './index.js';

it('the README example runs as described', () => {
  const sim = new Simulator({ seed: 7 });
  const a = sim.addHost('a', { addresses: ['192.0.2.1', '2001:db8:a::1'] });
  const b = sim.addHost('b', { addresses: ['198.51.100.1', '2001:db8:b::1'] });
  const path = sim.path('192.0.2.1', '198.51.100.1', { delay: 20, jitter: 2, loss: 0.01 });
  const port = 51820;
  const na = sim.attach(new TunnelNode({ address: '198.51.100.1', port }), { host: a, port });
  const nb = sim.attach(new TunnelNode({ address: '192.0.2.1', port }), { host: b, port });

  const flow = new Flow(sim, { from: na, to: nb, rate: 50, size: 1000, stop: 10_000 });
  sim.at(4_000, () => path.blackhole(true));
  sim.at(5_000, () => path.blackhole(false));
  sim.run(11_000);

  expect(deliveryRatio(flow.records)).toBeGreaterThan(0.87);
  expect(deliveryRatio(flow.records)).toBeLessThan(0.9);
  expect(Math.abs(latencySummary(flow.records).p50 - 20)).toBeLessThan(1);
  expect(outageAround(flow.records, 4_000)).toMatchObject({
    from: 4_000,
    to: 5_000,
    duration: 1_000,
    lost: 50,
  });
  expect(path.forward.counters.dropped.blackhole).toBe(50);
});
