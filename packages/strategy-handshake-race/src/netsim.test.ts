/**
 * The RFC's use cases on virtual time: engine + netsim, seeded, whole WireGuard handshakes. Each
 * scenario pings through the tunnel and measures outages with `outageAround`.
 */

import { deliveryRatio, Flow, outageAround, Ping } from '@pathwire/netsim';
import { createRoaming, type StrategyV1 } from '@pathwire/strategy';
import { describe, expect, it } from 'vitest';
import { createHandshakeRace } from './index.js';
import { CLIENT_INNER, createSimWorld, PORT, SERVER_INNER, type SimWorld } from './test-support/sim-world.js';

const key = (address: string) => (address.includes(':') ? `[${address}]:${PORT}` : `${address}:${PORT}`);
const race = (options: Record<string, string> = {}) => createHandshakeRace(options);

function ping(world: SimWorld, stop: number, interval = 100): Ping {
  return new Ping(world.sim, {
    from: world.client.handle,
    to: world.server.handle,
    src: CLIENT_INNER,
    dst: SERVER_INNER,
    interval,
    stop,
  });
}

// ------------------------------------------------------------------ multi-homed server

const CLIENT = '192.0.2.10';
const ISP1 = '198.51.100.1';
const ISP2 = '203.0.113.1';

function multiHomedBlackhole(clientStrategy: StrategyV1, seed: number) {
  const world = createSimWorld({
    seed,
    client: { addresses: [CLIENT] },
    server: { addresses: [ISP1, ISP2] },
    paths: [
      [CLIENT, ISP1, { delay: 10, jitter: 1 }],
      [CLIENT, ISP2, { delay: 15, jitter: 1 }],
    ],
    serverEndpoints: [ISP1, ISP2],
    clientStrategy,
  });
  const pings = ping(world, 60_000);
  const blackholeAt = 20_000;
  world.sim.at(blackholeAt, () => world.path(CLIENT, ISP1).blackhole(true));
  world.sim.run(61_000);
  const outage = outageAround(pings.records, blackholeAt);
  return { world, pings, outage };
}

describe('a multi-homed server with one ISP blackholed (10 pps ping)', () => {
  it('fails over to the other ISP after the suspicion window; stock roaming never recovers', () => {
    const raced = multiHomedBlackhole(race(), 11);
    const stock = multiHomedBlackhole(createRoaming({}), 11);
    const racedMs = raced.outage!.duration;
    const stockMs = stock.outage!.duration;
    console.log(
      `[netsim] multi-homed blackhole: handshake-race outage ${racedMs} ms (${raced.outage!.lost} pings lost); ` +
        `roaming outage ${stock.outage!.to === undefined ? `${stockMs} ms and never recovered` : `${stockMs} ms`}`,
    );
    expect(raced.outage!.to).toBeDefined();
    expect(racedMs).toBeLessThan(2_000); // suspicion 1.5 s + one race
    expect(racedMs).toBeLessThan(stockMs);
    expect(stock.outage!.to).toBeUndefined(); // stock WireGuard keeps using the dead endpoint
    expect(raced.world.activeAt('client')).toBe(key(ISP2));
    // Nothing lost after the recovery.
    const after = raced.pings.records.filter((r) => r.sentAt > raced.outage!.to! && r.sentAt < 60_000);
    expect(deliveryRatio(after)).toBe(1);
  });

  it('replays exactly with the same seed: every event of both peers, every ping', () => {
    const a = multiHomedBlackhole(race(), 5);
    const b = multiHomedBlackhole(race(), 5);
    expect(a.outage).toEqual(b.outage);
    for (const side of ['client', 'server'] as const) {
      expect(a.world.events(side).length).toBeGreaterThan(0);
      expect(a.world.events(side)).toEqual(b.world.events(side));
    }
    expect(a.pings.records).toEqual(b.pings.records);
  });
});

// ------------------------------------------------------------------ dual-stack client

describe('a dual-stack client moving between IPv4-only, IPv6-only and dual-stack networks', () => {
  it('switches family at once on the send error and prefers the faster family when both work', () => {
    const C4 = '192.0.2.10';
    const C6 = '2001:db8:c::10';
    const S4 = '198.51.100.1';
    const S6 = '2001:db8:5::1';
    const world = createSimWorld({
      seed: 3,
      client: { addresses: [C4, C6] },
      server: { addresses: [S4, S6] },
      paths: [
        [C4, S4, { delay: 15, jitter: 1 }],
        [C6, S6, { delay: 5, jitter: 1 }],
      ],
      serverEndpoints: [S6, S4],
      clientStrategy: race(),
    });
    const pings = ping(world, 150_000);
    const { sim } = world;
    const phases: [number, string, () => void][] = [
      [20_000, 'IPv4-only', () => world.client.host.setFamilyAvailable(6, false)],
      [40_000, 'IPv6-only', () => world.client.host.setFamilyAvailable(6, true).setFamilyAvailable(4, false)],
      [60_000, 'dual-stack', () => world.client.host.setFamilyAvailable(4, true)],
      [100_000, 'IPv4-only', () => world.client.host.setFamilyAvailable(6, false)],
      [120_000, 'dual-stack', () => world.client.host.setFamilyAvailable(6, true)],
    ];
    const active: Record<number, string | undefined> = {};
    for (const [at, , change] of phases) {
      sim.at(at - 1, () => {
        active[at - 1] = world.activeAt('client');
      });
      sim.at(at, change);
    }
    sim.at(150_000, () => {
      active[150_000] = world.activeAt('client');
    });
    sim.run(151_000);

    expect(active[19_999]).toBe(key(S6)); // dual-stack: IPv6 is faster
    expect(active[39_999]).toBe(key(S4)); // IPv4-only
    expect(active[59_999]).toBe(key(S6)); // IPv6-only
    expect(active[99_999]).toBe(key(S6)); // dual-stack again: IPv6 stays (faster)
    expect(active[119_999]).toBe(key(S4)); // IPv4-only
    // Dual-stack again: the re-evaluation race (every 30 s) finds IPv6 faster once more.
    expect(active[150_000]).toBe(key(S6));
    const figures: string[] = [];
    for (const [at, name] of phases) {
      const outage = outageAround(pings.records, at);
      figures.push(`${name}@${at / 1000}s: ${outage ? `${outage.duration} ms` : 'none'}`);
      // At most the ping in flight when the family went away.
      if (outage) expect(outage.duration).toBeLessThanOrEqual(200);
    }
    console.log(`[netsim] dual-stack moves, outages: ${figures.join('; ')}`);
    expect(deliveryRatio(pings.records)).toBeGreaterThan(0.99);
  });
});

// ------------------------------------------------------------------ home server on a LAN

describe('a home server reachable on its private address only from the LAN', () => {
  it('picks the private address after the re-evaluation race once the client is home', () => {
    const WAN = '192.0.2.10';
    const HOME_CLIENT = '192.168.1.20';
    const PUBLIC = '198.51.100.1';
    const PRIVATE = '192.168.1.10';
    const world = createSimWorld({
      seed: 4,
      client: {
        interfaces: [
          { name: 'wwan0', addresses: [WAN] },
          { name: 'wlan0', addresses: [HOME_CLIENT], up: false },
        ],
      },
      server: {
        interfaces: [
          { name: 'ppp0', addresses: [PUBLIC] },
          { name: 'eth0', addresses: [PRIVATE] },
        ],
      },
      paths: [
        [WAN, PUBLIC, { delay: 20, jitter: 1 }],
        [HOME_CLIENT, PRIVATE, { delay: 1 }],
        // The home router hairpins (slowly) so the public address keeps working from home.
        [HOME_CLIENT, PUBLIC, { delay: 12 }],
      ],
      serverEndpoints: [PUBLIC, PRIVATE],
      clientStrategy: race({ 'retry-configured': '30s' }),
    });
    const pings = ping(world, 140_000, 200);
    const homeAt = 50_000;
    let activeBeforeHome: string | undefined;
    world.sim.at(homeAt - 1, () => {
      activeBeforeHome = world.activeAt('client');
    });
    world.sim.at(homeAt, () =>
      world.client.host.setInterfaceUp('wwan0', false).setInterfaceUp('wlan0', true),
    );
    world.sim.run(141_000);

    expect(activeBeforeHome).toBe(key(PUBLIC)); // away: the private address never answers
    expect(world.activeAt('client')).toBe(key(PRIVATE));
    const switched = world
      .events('client', 'endpoint-changed')
      .find((e) => (e.data as { to: { address: string } }).to.address === PRIVATE)!;
    expect(switched.time).toBeGreaterThan(homeAt);
    expect(switched.time).toBeLessThan(homeAt + 33_000 + 1_000); // one retry-configured period (+ jitter)
    console.log(
      `[netsim] home LAN: private address active ${Math.round(switched.time - homeAt)} ms after coming home`,
    );
    // Round trips on the LAN: ~2 ms instead of ~24 ms through the hairpin.
    const late = pings.records.filter((r) => r.sentAt > switched.time + 500 && r.deliveredAt !== undefined);
    expect(late.length).toBeGreaterThan(10);
    for (const r of late) expect(r.deliveredAt! - r.sentAt).toBeLessThan(5);
    expect(deliveryRatio(pings.records)).toBeGreaterThan(0.99);
  });
});

// ------------------------------------------------------------------ RTT changes

describe('path quality', () => {
  it('moves to a lower-RTT path that appears', () => {
    const world = createSimWorld({
      seed: 6,
      client: { addresses: [CLIENT] },
      server: { addresses: [ISP1, ISP2] },
      paths: [
        [CLIENT, ISP1, { delay: 25 }],
        [CLIENT, ISP2, { delay: 60 }],
      ],
      serverEndpoints: [ISP2, ISP1],
      clientStrategy: race(),
    });
    const pings = ping(world, 120_000, 500);
    let before: string | undefined;
    world.sim.at(10_000, () => {
      before = world.activeAt('client');
    });
    world.sim.at(40_000, () => world.path(CLIENT, ISP2).set({ delay: 3 }));
    world.sim.run(121_000);
    expect(before).toBe(key(ISP1)); // the first race: ISP1 answered first despite ISP2's head start
    expect(world.activeAt('client')).toBe(key(ISP2));
    const switched = world.events('client', 'endpoint-changed').at(-1)!;
    expect(switched.time).toBeGreaterThan(40_000);
    expect(switched.time).toBeLessThan(40_000 + 34_000);
    expect(deliveryRatio(pings.records)).toBe(1);
  });

  it('does not flap between two paths within the head start of each other (30 min)', () => {
    for (const order of [
      [ISP1, ISP2],
      [ISP2, ISP1],
    ]) {
      const world = createSimWorld({
        seed: 8,
        client: { addresses: [CLIENT] },
        server: { addresses: [ISP1, ISP2] },
        paths: [
          [CLIENT, ISP1, { delay: 10, jitter: 1 }],
          [CLIENT, ISP2, { delay: 12, jitter: 1 }],
        ],
        serverEndpoints: order,
        clientStrategy: race(),
      });
      const pings = ping(world, 1_800_000, 1_000);
      world.sim.run(1_801_000);
      const changes = world.events('client', 'endpoint-changed');
      const races = world.client.device.counters.handshakesInitiated;
      console.log(
        `[netsim] two paths 4 ms apart, ${order[0]} first: ${changes.length} endpoint change(s), ${races} races in 30 min`,
      );
      expect(changes).toHaveLength(0); // (the first activation happens at configuration, before the run)
      expect(world.activeAt('client')).toBe(key(order[0]!));
      expect(races).toBeGreaterThan(50); // it kept racing (re-evaluation every ~30 s)...
      expect(races).toBeLessThan(70); // ...and no more than that
      expect(deliveryRatio(pings.records)).toBe(1);
    }
  });
});

// ------------------------------------------------------------------ two pathwire peers

describe('two pathwire peers both running handshake-race', () => {
  const A4 = '192.0.2.10';
  const A6 = '2001:db8:a::10';
  const B4 = '198.51.100.1';
  const B6 = '2001:db8:b::1';

  function bothRacing(seed: number) {
    const world = createSimWorld({
      seed,
      client: { addresses: [A4, A6] },
      server: { addresses: [B4, B6] },
      paths: [
        // The responder answers the copy that ARRIVES first: IPv6 must be more than the head start
        // faster one way to win from behind.
        [A4, B4, { delay: 25, jitter: 2 }],
        [A6, B6, { delay: 8, jitter: 2 }],
      ],
      serverEndpoints: [B4, B6],
      clientEndpoints: [A4, A6],
      clientStrategy: race(),
      serverStrategy: race(),
    });
    const pings = ping(world, 900_000, 200);
    const back = new Flow(world.sim, {
      from: world.server.handle,
      to: world.client.handle,
      rate: 5,
      src: SERVER_INNER,
      dst: CLIENT_INNER,
      start: 2_000,
      stop: 900_000,
    });
    return { world, pings, back };
  }

  it('answer the first copy only, agree on one path and do not ping-pong (10 min)', () => {
    const { world, pings, back } = bothRacing(9);
    world.sim.run(600_000);
    const { client, server } = world;
    // Each responder answered the first copy of each initiation only; the later copies were rejected.
    const clientCopies = client.wire.sent[1] ?? 0;
    const serverCopies = server.wire.sent[1] ?? 0;
    const initiations =
      client.device.counters.handshakesInitiated + server.device.counters.handshakesInitiated;
    const responses = (client.wire.sent[2] ?? 0) + (server.wire.sent[2] ?? 0);
    console.log(
      `[netsim] two racing peers, 10 min: ${initiations} initiations (${clientCopies + serverCopies} copies), ` +
        `${responses} responses, endpoint changes client ${world.events('client', 'endpoint-changed').length} / ` +
        `server ${world.events('server', 'endpoint-changed').length}`,
    );
    expect(clientCopies + serverCopies).toBeGreaterThan(initiations); // races: several copies each
    expect(responses).toBeLessThanOrEqual(initiations); // one response per initiation, not per copy
    expect(
      (client.device.counters.drops['handshake-rejected'] ?? 0) +
        (server.device.counters.drops['handshake-rejected'] ?? 0),
    ).toBeGreaterThan(0);
    // Both on the faster IPv6 path, in both directions.
    expect(world.activeAt('client')).toBe(key(B6));
    expect(world.activeAt('server')).toBe(key(A6));
    // No ping-pong: a couple of changes at the start, then none; races bounded by the schedule.
    expect(world.events('client', 'endpoint-changed').length).toBeLessThanOrEqual(3);
    expect(world.events('server', 'endpoint-changed').length).toBeLessThanOrEqual(3);
    expect(initiations).toBeLessThanOrEqual((600 / 30) * 2 + 6);
    const done = (records: typeof pings.records) => records.filter((r) => r.sentAt < 599_000);
    expect(deliveryRatio(done(pings.records))).toBe(1);
    expect(deliveryRatio(done(back.records))).toBe(1);
  });

  it('both move to IPv4 when the IPv6 path is blackholed', () => {
    const { world, pings, back } = bothRacing(10);
    const at = 300_000;
    world.sim.at(at, () => world.path(A6, B6).blackhole(true));
    world.sim.run(901_000);
    const there = outageAround(pings.records, at);
    const backOutage = outageAround(back.records, at);
    console.log(
      `[netsim] two racing peers, IPv6 blackholed: outage client->server ${there?.duration} ms, server->client ${backOutage?.duration} ms`,
    );
    expect(there?.to).toBeDefined();
    expect(there!.duration).toBeLessThan(3_000);
    expect(backOutage?.to).toBeDefined();
    expect(backOutage!.duration).toBeLessThan(3_000);
    expect(world.activeAt('client')).toBe(key(B4));
    expect(world.activeAt('server')).toBe(key(A4));
    const settled = (records: typeof pings.records) =>
      records.filter((r) => r.sentAt > at + 5_000 && r.sentAt < 899_000);
    expect(deliveryRatio(settled(pings.records))).toBe(1);
    expect(deliveryRatio(settled(back.records))).toBe(1);
  });
});
