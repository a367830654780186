import { describe, expect, it } from 'vitest';
import type { Endpoint } from './endpoint.js';
import type { LinkProps } from './link.js';
import type { NodeIO, SimNode } from './node.js';
import { Simulator } from './simulator.js';

/** Records (seq, sentAt, arrival) of datagrams whose payload is [seq u32, sentAt f64]. */
class SinkNode implements SimNode {
  readonly arrivals: { seq: number; sentAt: number; at: number }[] = [];
  onDatagram(io: NodeIO, _l: Endpoint, _r: Endpoint, bytes: Uint8Array): void {
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    this.arrivals.push({ seq: v.getUint32(0), sentAt: v.getFloat64(4), at: io.now });
  }
  onWake(): void {}
  nextWake(): number | undefined {
    return undefined;
  }
}

function stamp(seq: number, now: number, size = 12): Uint8Array {
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, seq);
  v.setFloat64(4, now);
  return b;
}

/** Host a sends `count` datagrams to b, one every `interval` ms; returns what b received. */
function blast(props: Partial<LinkProps>, count: number, interval: number, seed = 1, size = 12) {
  const sim = new Simulator({ seed });
  const a = sim.addHost('a', { addresses: ['10.0.0.1'] });
  const b = sim.addHost('b', { addresses: ['10.0.0.2'] });
  const path = sim.path('10.0.0.1', '10.0.0.2', props);
  const sender = sim.attach(new SinkNode(), { host: a, port: 1000 });
  const sink = new SinkNode();
  sim.attach(sink, { host: b, port: 2000 });
  for (let i = 0; i < count; i++) {
    sim.at(i * interval, () => sender.io.send({ address: '10.0.0.2', port: 2000 }, stamp(i, sim.now, size)));
  }
  sim.run(count * interval + 10_000);
  return { sim, path, arrivals: sink.arrivals };
}

function inversions(arrivals: { seq: number }[]): number {
  let n = 0;
  for (let i = 1; i < arrivals.length; i++) if (arrivals[i]!.seq < arrivals[i - 1]!.seq) n++;
  return n;
}

describe('path statistics on a seeded run', () => {
  it('delay and jitter: uniform in [delay - jitter, delay + jitter]', () => {
    const { arrivals } = blast({ delay: 50, jitter: 10 }, 10_000, 1);
    const lat = arrivals.map((a) => a.at - a.sentAt);
    const mean = lat.reduce((s, x) => s + x, 0) / lat.length;
    const sd = Math.sqrt(lat.reduce((s, x) => s + (x - mean) ** 2, 0) / lat.length);
    expect(lat.length).toBe(10_000);
    expect(Math.min(...lat)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...lat)).toBeLessThanOrEqual(60);
    expect(Math.abs(mean - 50)).toBeLessThan(0.3);
    expect(Math.abs(sd - 10 / Math.sqrt(3))).toBeLessThan(0.2);
  });

  it('loss: Bernoulli with the configured probability, counted', () => {
    const { arrivals, path } = blast({ delay: 5, loss: 0.1 }, 20_000, 1);
    expect(Math.abs(arrivals.length / 20_000 - 0.9)).toBeLessThan(0.01);
    const c = path.forward.counters;
    expect(c.sent).toBe(20_000);
    expect(c.delivered).toBe(arrivals.length);
    expect(c.dropped.loss).toBe(20_000 - arrivals.length);
  });

  it('no jitter keeps order; jitter larger than the spacing reorders', () => {
    expect(inversions(blast({ delay: 20 }, 1000, 1).arrivals)).toBe(0);
    expect(inversions(blast({ delay: 20, jitter: 5 }, 1000, 1).arrivals)).toBeGreaterThan(100);
  });

  it('explicit reordering holds back a fraction of packets', () => {
    const { arrivals } = blast({ delay: 20, reorder: 0.1, reorderDelay: 5 }, 10_000, 1);
    const late = arrivals.filter((a) => a.at - a.sentAt === 25).length;
    expect(Math.abs(late / 10_000 - 0.1)).toBeLessThan(0.01);
    expect(inversions(arrivals)).toBeGreaterThan(500);
  });

  it('bandwidth serializes packets and tail-drops past the queue limit', () => {
    // 1222 bytes + 28 header = 1250 bytes = 10 ms at 1 Mbit/s.
    const { arrivals, path } = blast({ delay: 5, bandwidth: 1_000_000, queueLimit: 35 }, 10, 0, 1, 1222);
    expect(arrivals.map((a) => a.at)).toEqual([15, 25, 35, 45]);
    expect(path.forward.counters.dropped.queue).toBe(6);
  });
});

describe('blackhole', () => {
  it('drops everything sent while on, in the chosen direction only, then restores', () => {
    const sim = new Simulator({ seed: 3 });
    const a = sim.addHost('a', { addresses: ['10.0.0.1'] });
    const b = sim.addHost('b', { addresses: ['10.0.0.2'] });
    const path = sim.path('10.0.0.1', '10.0.0.2', { delay: 30 });
    const sa = new SinkNode();
    const sb = new SinkNode();
    const ha = sim.attach(sa, { host: a, port: 1 });
    const hb = sim.attach(sb, { host: b, port: 1 });
    for (let i = 0; i < 200; i++) {
      sim.at(i * 10, () => {
        ha.io.send({ address: '10.0.0.2', port: 1 }, stamp(i, sim.now));
        hb.io.send({ address: '10.0.0.1', port: 1 }, stamp(i, sim.now));
      });
    }
    sim.at(1000, () => path.blackhole(true, 'forward'));
    sim.at(1500, () => path.blackhole(false));
    sim.run(3000);
    const lostAtB = new Set(Array.from({ length: 200 }, (_, i) => i));
    for (const x of sb.arrivals) lostAtB.delete(x.seq);
    // Sends at t=1000 happen before the fault scheduled later for t=1000: insertion order.
    expect([...lostAtB]).toEqual(Array.from({ length: 50 }, (_, i) => 101 + i));
    expect(sa.arrivals.length).toBe(200);
    expect(path.forward.counters.dropped.blackhole).toBe(50);
    expect(path.reverse.counters.dropped.blackhole).toBe(0);
    // packets already in flight when the blackhole starts still arrive
    expect(sb.arrivals.some((x) => x.seq === 100 && x.at === 1030)).toBe(true);
  });
});
