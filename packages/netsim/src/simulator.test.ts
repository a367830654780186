import { describe, expect, it } from 'vitest';
import type { Endpoint } from './endpoint.js';
import { NetsimError } from './errors.js';
import { scheduleFaults } from './faults.js';
import type { NodeIO, SimNode } from './node.js';
import { Simulator } from './simulator.js';
import { TunnelNode } from './test-nodes.js';
import { Flow, Ping } from './traffic.js';

describe('clock and ordering', () => {
  it('runs events by time, equal times in scheduling order, and nested ones after', () => {
    const sim = new Simulator();
    const log: string[] = [];
    sim.at(10, () => {
      log.push(`a@${sim.now}`);
      sim.at(10, () => log.push(`nested@${sim.now}`));
    });
    sim.at(5, () => log.push(`b@${sim.now}`));
    sim.at(10, () => log.push(`c@${sim.now}`));
    sim.at(20, () => log.push(`d@${sim.now}`));
    expect(sim.run(15)).toBe(4);
    expect(sim.now).toBe(15);
    expect(log).toEqual(['b@5', 'a@10', 'c@10', 'nested@10']);
    expect(sim.step()).toBe(true);
    expect(sim.now).toBe(20);
    expect(sim.step()).toBe(false);
  });

  it('refuses to schedule or run into the past', () => {
    const sim = new Simulator();
    sim.run(100);
    expect(() => sim.at(50, () => {})).toThrow(NetsimError);
    expect(() => sim.run(10)).toThrow(/TIME_IN_PAST|now is 100/);
  });
});

/** Wakes at the times in `plan`; a datagram replaces the plan. */
class Timer implements SimNode {
  readonly woke: number[] = [];
  constructor(public plan: number[]) {}
  onDatagram(_io: NodeIO, _l: Endpoint, _r: Endpoint, bytes: Uint8Array): void {
    this.plan = [...bytes];
  }
  onWake(io: NodeIO): void {
    this.woke.push(io.now);
    this.plan.shift();
  }
  nextWake(): number | undefined {
    return this.plan[0];
  }
}

describe('node wakes', () => {
  it('keeps one wake per node and re-queries it after every callback', () => {
    const sim = new Simulator();
    const a = sim.addHost('a', { addresses: ['10.0.0.1'] });
    const b = sim.addHost('b', { addresses: ['10.0.0.2'] });
    sim.path('10.0.0.1', '10.0.0.2', { delay: 5 });
    const timer = new Timer([100, 200, 250]);
    sim.attach(timer, { host: b, port: 1 });
    const sender = sim.attach(new Timer([]), { host: a, port: 1 });
    // At t=145 (arrival 150) the plan becomes [160, 180]: the stale 200 wake is discarded.
    sim.at(145, () => sender.io.send({ address: '10.0.0.2', port: 1 }, new Uint8Array([160, 180])));
    sim.run(1000);
    expect(timer.woke).toEqual([100, 160, 180]);
  });

  it('a wake in the past runs at now', () => {
    const sim = new Simulator();
    sim.run(500);
    const timer = new Timer([100]);
    sim.attach(timer, { host: sim.addHost('h', { addresses: ['10.0.0.1'] }), port: 1 });
    sim.run(600);
    expect(timer.woke).toEqual([500]);
  });

  it('detects a node that never lets time advance', () => {
    const sim = new Simulator({ maxEventsPerInstant: 1000 });
    const stuck: SimNode = { onDatagram() {}, onWake() {}, nextWake: () => 0 };
    sim.attach(stuck, { host: sim.addHost('h', { addresses: ['10.0.0.1'] }), port: 1 });
    expect(() => sim.run(10)).toThrow(expect.objectContaining({ code: 'LIVELOCK' }));
  });
});

describe('no reentrancy', () => {
  it('never calls a node from inside its own callback', () => {
    const sim = new Simulator();
    const a = sim.addHost('a', { addresses: ['10.0.0.1'] });
    const b = sim.addHost('b', { addresses: ['10.0.0.2'] });
    sim.path('10.0.0.1', '10.0.0.2', { delay: 0 });
    let depth = 0;
    let maxDepth = 0;
    class Guarded extends TunnelNode {
      override onDatagram(io: NodeIO, l: Endpoint, r: Endpoint, bytes: Uint8Array): void {
        maxDepth = Math.max(maxDepth, ++depth);
        super.onDatagram(io, l, r, bytes);
        depth--;
      }
      override onTunnelPacket(io: NodeIO, packet: Uint8Array): void {
        maxDepth = Math.max(maxDepth, ++depth);
        super.onTunnelPacket(io, packet);
        depth--;
      }
    }
    const na = sim.attach(new Guarded({ address: '10.0.0.2', port: 1 }), { host: a, port: 1 });
    const nb = sim.attach(new Guarded({ address: '10.0.0.1', port: 1 }), { host: b, port: 1 });
    const ping = new Ping(sim, { from: na, to: nb, interval: 10, count: 5 });
    sim.run(100);
    expect(maxDepth).toBe(1);
    expect(ping.records.map((r) => r.deliveredAt! - r.sentAt)).toEqual([0, 0, 0, 0, 0]);
  });
});

/** A scenario with every source of randomness: jitter, loss, reordering, node random. */
function scenario(seed: number) {
  const sim = new Simulator({ seed });
  const a = sim.addHost('a', { addresses: ['192.0.2.1', '2001:db8:a::1'] });
  const b = sim.addHost('b', { addresses: ['198.51.100.1', '2001:db8:b::1'] });
  const v4 = sim.path('192.0.2.1', '198.51.100.1', { delay: 20, jitter: 8, loss: 0.05, reorder: 0.02 });
  sim.path('2001:db8:a::1', '2001:db8:b::1', { delay: 12, jitter: 3, loss: 0.01 });
  class Noisy extends TunnelNode {
    override onTunnelPacket(io: NodeIO, packet: Uint8Array): void {
      if (io.random() < 0.01) io.record('coin', { now: io.now });
      super.onTunnelPacket(io, packet);
    }
  }
  const na = sim.attach(new Noisy({ address: '198.51.100.1', port: 1 }, { keepalive: 1000 }), {
    host: a,
    port: 1,
  });
  const nb = sim.attach(new Noisy({ address: '192.0.2.1', port: 1 }), { host: b, port: 1 });
  const flow = new Flow(sim, { from: na, to: nb, rate: 100, size: 200, stop: 20_000 });
  const ping = new Ping(sim, { from: nb, to: na, interval: 200, stop: 20_000 });
  scheduleFaults(sim, [
    { at: 5_000, path: v4, set: { blackhole: true } },
    { at: 7_000, path: v4, set: { blackhole: false } },
  ]);
  sim.run(21_000);
  return JSON.stringify({
    flow: flow.records,
    ping: ping.records,
    counters: [v4.forward.counters, v4.reverse.counters],
    timeline: sim.timeline.entries,
  });
}

describe('replay', () => {
  it('the same seed gives identical records, counters and timeline', () => {
    expect(scenario(1234)).toBe(scenario(1234));
  });

  it('different seeds differ', () => {
    expect(scenario(1234)).not.toBe(scenario(4321));
  });
});

describe('run(until) with a stale wake before until', () => {
  it('never runs an event later than until, and the clock never goes back', () => {
    const sim = new Simulator({ seed: 3 });
    const a = sim.addHost('a', { addresses: ['192.0.2.1'] });
    const b = sim.addHost('b', { addresses: ['198.51.100.1'] });
    sim.path('192.0.2.1', '198.51.100.1', { delay: 10 });
    let wakeAt: number | undefined = 100;
    const woken: number[] = [];
    sim.attach(
      {
        onDatagram() {
          wakeAt = 5_000; // the wake queued for 100 becomes stale
        },
        onWake(io) {
          woken.push(io.now);
          wakeAt = undefined;
        },
        nextWake: () => wakeAt,
      },
      { host: a, port: 1 },
    );
    const sender = sim.attach(
      { onDatagram() {}, onWake() {}, nextWake: () => undefined },
      { host: b, port: 2 },
    );
    sim.at(50, () => sender.io.send({ address: '192.0.2.1', port: 1 }, new Uint8Array(8)));
    sim.run(1_000);
    expect(woken).toEqual([]);
    expect(sim.now).toBe(1_000);
    sim.run(6_000);
    expect(woken).toEqual([5_000]);
  });
});
