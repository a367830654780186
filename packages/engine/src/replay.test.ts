/**
 * Replay protection of data messages (whitepaper §5.4.6, RFC 6479 window of 8128 as in Linux):
 * an exact replay is dropped, packets reordered within the window are accepted once, packets
 * older than the window are rejected. On the wire, through the whole device.
 */
import { deliveryRatio, Flow } from '@pathwire/netsim';
import { REPLAY_WINDOW_SIZE } from '@pathwire/transport';
import { describe, expect, it } from 'vitest';
import { endpointOf } from './test-support/attacker.js';
import { A_INNER, B_INNER, type TwoPeers, twoPeers } from './test-support/two-peers.js';
import { dataCounter, TYPE_DATA } from './test-support/wire-tap.js';

/** Withholds from B, once each, the data messages with these counters (the tap keeps their bytes). */
function withholdCounters(world: TwoPeers, counters: readonly number[]): (counter: number) => Uint8Array {
  const wanted = new Set(counters);
  world.b.wire.inbound = (_remote, bytes) => {
    const counter = dataCounter(bytes);
    if (counter === undefined || !wanted.has(counter)) return 'pass';
    wanted.delete(counter);
    return 'withhold';
  };
  return (counter) => world.b.wire.withheld.find((entry) => dataCounter(entry.bytes!) === counter)!.bytes!;
}

describe('replayed data', () => {
  it('drops an exact replay (replay) and delivers nothing twice', () => {
    const world = twoPeers({ seed: 31, capture: true });
    const { sim, a, b } = world;
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 2_000,
    });
    let deliveredAtB = 0;
    b.handle.onTunnel(() => deliveredAtB++);
    let deliveredBeforeReplay = -1;
    sim.at(3_000, () => {
      deliveredBeforeReplay = deliveredAtB;
      const captured = b.wire.select('in', TYPE_DATA).slice(0, 10);
      expect(captured).toHaveLength(10);
      // From A's own address and port: indistinguishable from the original but for the counter.
      for (const entry of captured) a.handle.io.send(endpointOf(b), entry.bytes!);
    });
    sim.run(4_000);
    expect(deliveredBeforeReplay).toBe(100);
    expect(deliveredAtB).toBe(100);
    expect(b.device.counters.drops.replay).toBe(10);
    expect(deliveryRatio(flow.records)).toBe(1);
    expect(flow.records.some((r) => r.duplicates)).toBe(false);
    // A replay is not evidence of life: it does not answer A's data nor move B's timers.
    expect(b.device.peer(a.device.publicKey)!.lastAuthenticatedAt).toBeLessThan(3_000);
  });
});

describe('reordered data', () => {
  it('accepts a packet delayed behind 100 newer ones, once', () => {
    const world = twoPeers({ seed: 32 });
    const { sim, a, b } = world;
    const held = withholdCounters(world, [5, 6]);
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 100,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 2_000,
    });
    let deliveredAtB = 0;
    b.handle.onTunnel(() => deliveredAtB++);
    sim.at(1_500, () => {
      expect(b.device.peer(a.device.publicKey)!.current!.replay.greatestCounter).toBeGreaterThan(100);
      a.handle.io.send(endpointOf(b), held(6));
      a.handle.io.send(endpointOf(b), held(5));
    });
    sim.at(1_600, () => a.handle.io.send(endpointOf(b), held(5)));
    sim.run(3_000);
    expect(b.wire.withheld).toHaveLength(2);
    expect(deliveryRatio(flow.records)).toBe(1);
    expect(flow.records.some((r) => r.duplicates)).toBe(false);
    expect(deliveredAtB).toBe(200);
    const late = flow.records.filter((r) => r.deliveredAt! - r.sentAt > 1_000);
    expect(late).toHaveLength(2);
    expect(b.device.counters.drops.replay).toBe(1);
  });

  it('accepts natural reordering on a path (reorder + jitter) without loss or replay drops', () => {
    const world = twoPeers({ seed: 33 });
    const { sim, path, a, b } = world;
    path.set({ reorder: 0.2, reorderDelay: 30, jitter: 3 });
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 200,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 5_000,
    });
    sim.run(6_000);
    expect(b.wire.select('in', TYPE_DATA).length).toBeGreaterThan(900);
    // The path did reorder: some packet was delivered after a later-sent one.
    const arrivalsBySend = [...flow.records].sort((x, y) => x.sentAt - y.sentAt).map((r) => r.deliveredAt!);
    expect(arrivalsBySend.some((t, i) => i > 0 && t < arrivalsBySend[i - 1]!)).toBe(true);
    expect(deliveryRatio(flow.records)).toBe(1);
    expect(b.device.counters.drops.replay ?? 0).toBe(0);
  });
});

describe('data older than the replay window', () => {
  it(`rejects a counter more than ${REPLAY_WINDOW_SIZE} behind the newest, accepts one just inside`, () => {
    const world = twoPeers({ seed: 34 });
    const { sim, a, b } = world;
    const held = withholdCounters(world, [2, 1_600]);
    const count = 9_700;
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 1_000,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      count,
    });
    let deliveredAtB = 0;
    b.handle.onTunnel(() => deliveredAtB++);
    let greatest = -1;
    sim.at(11_000, () => {
      greatest = b.device.peer(a.device.publicKey)!.current!.replay.greatestCounter;
      a.handle.io.send(endpointOf(b), held(2));
      a.handle.io.send(endpointOf(b), held(1_600));
    });
    sim.run(12_000);
    // The two withheld counters straddle the window's lower edge.
    expect(greatest - 2).toBeGreaterThan(REPLAY_WINDOW_SIZE);
    expect(greatest - 1_600).toBeLessThanOrEqual(REPLAY_WINDOW_SIZE);
    expect(b.device.counters.drops.replay).toBe(1);
    expect(deliveredAtB).toBe(count - 1);
    expect(flow.records.filter((r) => r.deliveredAt === undefined)).toHaveLength(1);
  });
});
