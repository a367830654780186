/**
 * heartbeat-probe on virtual time: whole engines, real handshakes and probes, in
 * `@pathwire/netsim` (deterministic and seeded, so bounds in virtual time are exact, not load
 * dependent). A client with one address; a server multi-homed on two ISPs (10 ms and 15 ms one
 * way); pings through the tunnel; faults on the ISP paths.
 */
import { deliveryRatio, outageAround } from '@pathwire/netsim';
import { createRoaming } from '@pathwire/strategy';
import { createHandshakeRace } from '@pathwire/strategy-handshake-race';
import { describe, expect, it } from 'vitest';
import { createHeartbeatProbe } from './index.js';
import { createWorld, ISP1, ISP2, key, type World, type WorldOptions } from './test-support/sim-world.js';

const probe = (options: Record<string, string> = {}) => createHeartbeatProbe(options);

function pathwire(seed: number, extra: Partial<WorldOptions> = {}): World {
  return createWorld({ seed, clientStrategy: probe(), serverStrategy: probe(), ...extra });
}

/** Endpoint changes of one side (device `endpoint-changed` events). */
function changes(world: World, side: 'client' | 'server', from = 0): number {
  return world.sim.timeline.entries.filter(
    (e) => e.source === side && e.kind === 'endpoint-changed' && e.time >= from,
  ).length;
}

function clientPeer(world: World) {
  return world.client.peer(world.server.publicKey)!;
}

describe('silent blackhole of the active path, pathwire ↔ pathwire (10 pps ping)', () => {
  it('outage ≤ 0.5 s (SUSPECT after 250 ms duplicates onto the standby, DOWN fails over); handshake-race needs ~1.6 s', () => {
    const outages: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const world = pathwire(seed);
      const pings = world.ping(100, 40_000);
      world.sim.at(20_000, () => world.isp1.blackhole(true));
      world.sim.run(41_000);
      const outage = outageAround(pings.records, 20_000)!;
      outages.push(outage.duration);
      expect(outage.to).toBeDefined();
      expect(outage.duration).toBeLessThanOrEqual(500);
      expect(world.clientActive()).toBe(key(ISP2));
      // Status is true: the blackholed endpoint is down, the standby up.
      const peer = clientPeer(world);
      expect(peer.endpoints.get(key(ISP1))!.state).toBe('down');
      expect(peer.endpoints.get(key(ISP2))!.state).toBe('up');
      const after = pings.records.filter((r) => r.sentAt > outage.to! && r.sentAt < 40_000);
      expect(deliveryRatio(after)).toBe(1);
    }
    const race = createWorld({ seed: 1, clientStrategy: createHandshakeRace({}), serverStrategy: probe() });
    const racePings = race.ping(100, 40_000);
    race.sim.at(20_000, () => race.isp1.blackhole(true));
    race.sim.run(41_000);
    const raceOutage = outageAround(racePings.records, 20_000)!;
    console.log(
      `[netsim] silent blackhole, 10 pps: heartbeat-probe outages ${outages.join(', ')} ms (5 seeds); handshake-race ${raceOutage.duration} ms`,
    );
    expect(Math.max(...outages)).toBeLessThan(raceOutage.duration);
  });

  it('one-way blackholes (towards the server, and back) fail over as fast', () => {
    for (const side of ['forward', 'reverse'] as const) {
      const world = pathwire(7);
      const pings = world.ping(100, 40_000);
      world.sim.at(20_000, () => world.isp1.blackhole(true, side));
      world.sim.run(41_000);
      const outage = outageAround(pings.records, 20_000)!;
      console.log(`[netsim] one-way blackhole (${side}): outage ${outage.duration} ms`);
      expect(outage.to).toBeDefined();
      expect(outage.duration).toBeLessThanOrEqual(600);
      expect(world.clientActive()).toBe(key(ISP2));
    }
  });

  it('replays exactly with the same seed', () => {
    const run = () => {
      const world = pathwire(3);
      const pings = world.ping(100, 30_000);
      world.sim.at(15_000, () => world.isp1.blackhole(true));
      world.sim.run(31_000);
      return JSON.stringify([outageAround(pings.records, 15_000), world.client.counters]);
    };
    expect(run()).toBe(run());
  });
});

describe('random loss on the active path, a clean standby (10 pps ping)', () => {
  for (const loss of [0.01, 0.05, 0.2, 0.3, 0.5]) {
    it(`${loss * 100} % loss`, () => {
      const world = pathwire(11);
      world.ping(100, 90_000);
      const lossAt = 10_000;
      world.sim.at(lossAt, () => world.isp1.set({ loss }));
      let movedAt: number | undefined;
      for (let t = lossAt; t <= 90_000; t += 100) {
        world.sim.at(t, () => {
          if (movedAt === undefined && world.clientActive() === key(ISP2)) movedAt = t;
        });
      }
      world.sim.run(90_000);
      const backAfterMove = movedAt === undefined ? 0 : changes(world, 'client', movedAt + 1);
      console.log(
        `[netsim] ${loss * 100} % loss: moved ${movedAt === undefined ? 'never' : `after ${((movedAt - lossAt) / 1000).toFixed(1)} s`}, ` +
          `${backAfterMove} changes after that; ${changes(world, 'client')} in all`,
      );
      if (loss >= 0.2) {
        // The issue's figure is for 30 %: moved within 15 s, no move back in the next 30 s.
        expect(movedAt).toBeDefined();
        expect(movedAt! - lossAt).toBeLessThanOrEqual(15_000);
        expect(world.clientActive()).toBe(key(ISP2));
        expect(backAfterMove).toBe(0);
      } else {
        // A little loss: no flapping.
        expect(changes(world, 'client')).toBeLessThanOrEqual(3);
      }
    });
  }
});

describe('an RTT jump on the active path', () => {
  it('moves to the standby once a measurement shows it (handshake RTT at the next rekey, or a suspicion)', () => {
    const world = pathwire(13);
    world.ping(100, 400_000);
    world.sim.at(20_000, () => world.isp1.set({ delay: 80 }));
    world.sim.run(400_000);
    expect(world.clientActive()).toBe(key(ISP2));
    const moved = world.sim.timeline.entries.find(
      (e) => e.source === 'client' && e.kind === 'endpoint-changed' && e.time > 20_000,
    );
    console.log(`[netsim] RTT jump 20 → 160 ms: moved after ${((moved!.time - 20_000) / 1000).toFixed(1)} s`);
  });
});

describe('two healthy near-equal jittery paths for 30 simulated minutes', () => {
  it('at most one switch per 10 minutes', () => {
    const world = pathwire(17, { isp1: { delay: 12, jitter: 6 }, isp2: { delay: 12.5, jitter: 6 } });
    world.ping(1_000, 1_800_000);
    world.sim.run(1_800_000);
    const switches = changes(world, 'client', 1_000);
    const state = clientPeer(world).strategy.describe!() as { switches: Record<string, number> };
    console.log(
      `[netsim] near-equal paths, 30 min: ${switches} switches (${JSON.stringify(state.switches)})`,
    );
    expect(switches).toBeLessThanOrEqual(3);
  });
});

describe('a flapping active path (5 s off, 5 s on, for 2 minutes)', () => {
  it('fails over once and does not follow the flapping back', () => {
    const world = pathwire(19);
    const pings = world.ping(100, 150_000);
    for (let t = 20_000; t < 140_000; t += 10_000) {
      world.sim.at(t, () => world.isp1.blackhole(true));
      world.sim.at(t + 5_000, () => world.isp1.blackhole(false));
    }
    world.sim.run(150_000);
    const switches = changes(world, 'client', 1_000);
    console.log(
      `[netsim] flapping: ${switches} switches, delivery ${(deliveryRatio(pings.records) * 100).toFixed(1)} %`,
    );
    expect(switches).toBeLessThanOrEqual(2);
    expect(deliveryRatio(pings.records.filter((r) => r.sentAt > 25_000))).toBe(1);
  });
});

describe('against a stock peer (the server treats probes as wireguard-go does)', () => {
  it('only HELLOs on the active endpoint; the stock peer never moves on healthy paths; a blackhole still recovers within 3 s', () => {
    const world = createWorld({
      seed: 23,
      clientStrategy: probe(),
      serverStrategy: createRoaming({}),
      serverAnswersProbes: false,
    });
    const pings = world.ping(100, 300_000);
    world.sim.at(200_000, () => world.isp1.blackhole(true));
    let serverMovesBefore = 0;
    world.sim.at(199_999, () => {
      serverMovesBefore = changes(world, 'server');
    });
    world.sim.run(300_000);
    // One change: the first packet. Probes (HELLOs) went only on the active endpoint.
    expect(serverMovesBefore).toBe(1);
    const peer = clientPeer(world);
    expect(peer.probeSupport).toBe('no');
    expect(peer.endpoints.get(key(ISP2))!.probesSent).toBe(0);
    expect(world.client.counters.probes['hello-sent']).toBeGreaterThanOrEqual(3);
    expect(world.client.counters.probes['ping-sent'] ?? 0).toBe(0);
    const outage = outageAround(pings.records, 200_000)!;
    console.log(`[netsim] stock peer, blackhole: outage ${outage.duration} ms (handshake-race fallback)`);
    expect(outage.duration).toBeLessThanOrEqual(3_000);
    expect(world.clientActive()).toBe(key(ISP2));
  });
});

describe('the receiver side of probes', () => {
  it('a PING on the standby never moves the server; its PONG leaves from the address the PING reached', () => {
    const world = pathwire(29);
    world.ping(100, 60_000);
    world.sim.run(60_000);
    const serverPeer = world.server.peer(world.client.publicKey)!;
    // The client pinged the standby (ISP2) many times; the server still uses the ISP1 path's source.
    expect(clientPeer(world).endpoints.get(key(ISP2))!.probesAnswered).toBeGreaterThan(5);
    expect(changes(world, 'server')).toBe(1);
    expect(serverPeer.endpoints.list.map((e) => e.key)).toEqual([`192.0.2.10:51820`]);
    // PONGs came back on ISP2 (from the ISP2 address): the client matched them to the ISP2 path.
    expect(world.isp2.forward.counters.delivered).toBeGreaterThan(5);
    expect(world.isp2.reverse.counters.delivered).toBeGreaterThan(5);
    expect(world.server.counters.probes['pong-sent']).toBeGreaterThan(5);
  });
});
