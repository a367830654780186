import { describe, expect, it } from 'vitest';
import { Simulator } from './simulator.js';
import { deliveryRatio, latencySummary, outageAround } from './stats.js';
import { TunnelNode } from './test-nodes.js';
import { Flow, Ping } from './traffic.js';

function pair(delay: number, seed = 1) {
  const sim = new Simulator({ seed });
  const a = sim.addHost('a', { addresses: ['192.0.2.1'] });
  const b = sim.addHost('b', { addresses: ['198.51.100.1'] });
  const path = sim.path('192.0.2.1', '198.51.100.1', { delay });
  const na = sim.attach(new TunnelNode({ address: '198.51.100.1', port: 1 }), { host: a, port: 1 });
  const nb = sim.attach(new TunnelNode({ address: '192.0.2.1', port: 1 }), { host: b, port: 1 });
  return { sim, path, na, nb };
}

describe('Flow', () => {
  it('sends rate x duration packets at exact times and records one-way latency', () => {
    const { sim, na, nb } = pair(25);
    const flow = new Flow(sim, { from: na, to: nb, rate: 50, start: 1000, stop: 11_000, size: 1000 });
    sim.run(12_000);
    expect(flow.records).toHaveLength(500);
    expect(flow.records[1]!.sentAt).toBe(1020);
    expect(flow.records[499]!.sentAt).toBe(10_980);
    expect(deliveryRatio(flow.records)).toBe(1);
    expect(latencySummary(flow.records)).toMatchObject({ min: 25, max: 25, count: 500 });
    expect(sim.getPath('192.0.2.1', '198.51.100.1')!.forward.counters.bytesDelivered).toBe(500 * 1000);
  });

  it('a blackhole shows up as an outage around the fault', () => {
    const { sim, path, na, nb } = pair(25);
    const flow = new Flow(sim, { from: na, to: nb, rate: 50, stop: 10_000 });
    sim.at(3_000, () => path.blackhole(true));
    sim.at(4_000, () => path.blackhole(false));
    sim.run(11_000);
    const outage = outageAround(flow.records, 3_000)!;
    // The faults were scheduled first, so they apply before the flow's ticks at 3000 and 4000.
    expect(outage).toEqual({ from: 3_000, to: 4_000, duration: 1_000, lost: 50, recoveredAt: 4_025 });
  });

  it('count limits the number of packets', () => {
    const { sim, na, nb } = pair(1);
    const flow = new Flow(sim, { from: na, to: nb, rate: 1000, count: 7 });
    sim.run(100);
    expect(flow.records).toHaveLength(7);
  });
});

describe('Ping', () => {
  it('measures RTT when the reply is delivered to the sender tunnel', () => {
    const { sim, na, nb } = pair(30);
    const ping = new Ping(sim, { from: na, to: nb, interval: 1000, count: 5 });
    sim.run(10_000);
    expect(ping.records.map((r) => r.deliveredAt! - r.sentAt)).toEqual([60, 60, 60, 60, 60]);
  });

  it('without a responder nothing comes back', () => {
    const { sim, na, nb } = pair(30);
    const ping = new Ping(sim, { from: na, to: nb, count: 3, respond: false });
    sim.run(10_000);
    expect(deliveryRatio(ping.records)).toBe(0);
  });

  it('two pings to one node get one reply each', () => {
    const { sim, na, nb } = pair(5);
    const p1 = new Ping(sim, { from: na, to: nb, count: 3 });
    const p2 = new Ping(sim, { from: na, to: nb, count: 3 });
    sim.run(5_000);
    expect(
      p1.records.concat(p2.records).every((r) => r.duplicates === undefined && r.deliveredAt !== undefined),
    ).toBe(true);
    expect(p1.flowId).not.toBe(p2.flowId);
  });
});
