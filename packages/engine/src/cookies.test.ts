/**
 * Denial-of-service defences (whitepaper §5.3, §5.4.7): an initiation flood puts the responder
 * under load; it then answers handshake messages without a valid mac2 with cookie replies,
 * rate-limits each source, and a legitimate peer that uses its cookie still gets through.
 */
import { nobleBackend } from '@pathwire/crypto';
import { deliveryRatio, Flow } from '@pathwire/netsim';
import { createInitiation, HandshakePeer, StaticIdentity, tai64n } from '@pathwire/noise';
import { describe, expect, it } from 'vitest';
import { SOURCE_RATE_BURST, SOURCE_RATE_PER_SECOND } from './constants.js';
import { type Attacker, addAttacker, endpointOf, eventsOf } from './test-support/attacker.js';
import { A_INNER, B_INNER, EPOCH, seededKey, type TwoPeers, twoPeers } from './test-support/two-peers.js';
import { TYPE_COOKIE_REPLY, TYPE_INITIATION, TYPE_RESPONSE } from './test-support/wire-tap.js';

/** Real initiations to `responder` from a key it does not know (valid mac1, no mac2). */
function unknownInitiations(responder: Uint8Array, count: number, seed: number): Uint8Array[] {
  const identity = new StaticIdentity(nobleBackend, seededKey(seed));
  const peer = new HandshakePeer(identity, responder);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const created = createInitiation(peer, {
      senderIndex: 1_000 + i,
      timestamp: tai64n(EPOCH + i),
      now: 0,
      ephemeralPrivate: seededKey(seed * 1_000 + i),
    });
    if (!created.ok) throw created.error;
    out.push(created.message);
  }
  return out;
}

/** Each attacker sends `perSecond` messages from `from` to `until`, cycling through `messages`. */
function flood(
  world: TwoPeers,
  attackers: readonly Attacker[],
  messages: readonly Uint8Array[],
  from: number,
  until: number,
  perSecond: number,
): number {
  let sent = 0;
  const interval = 1_000 / perSecond;
  attackers.forEach((attacker, k) => {
    for (let t = from + k * 0.25, i = k; t < until; t += interval, i++) {
      const message = messages[i % messages.length]!;
      world.sim.at(t, () => attacker.send(endpointOf(world.b), message));
      sent++;
    }
  });
  return sent;
}

describe('initiation flood', () => {
  it('engages cookies; the legitimate peer answers its cookie (mac2) and connects during the flood', () => {
    const world = twoPeers({ seed: 41 });
    const { sim, a, b } = world;
    const attackers = [1, 2, 3, 4].map((i) => addAttacker(world, b, `203.0.113.${i}`));
    const pool = unknownInitiations(b.device.publicKey, 24, 4_242);
    const sent = flood(world, attackers, pool, 1_000, 20_000, 100); // 400 per second in all
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 10,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      start: 2_000,
      stop: 18_000,
    });
    sim.run(21_000);

    expect(sent).toBe(4 * 1_900);
    // B went under load and demanded cookies.
    expect(b.device.counters.cookieRepliesSent).toBeGreaterThan(0);
    expect(b.device.counters.drops['cookie-required']).toBeGreaterThan(sent * 0.9);
    // No attacker initiation ever reached the expensive path after the first second.
    expect(b.device.counters.drops['unknown-peer'] ?? 0).toBeLessThanOrEqual(65);
    // Cookie replies to each attacker are rate-limited per source (20/s, burst 5).
    for (const attacker of attackers) {
      const replies = attacker.node.received.filter((d) => d.bytes[0] === TYPE_COOKIE_REPLY);
      expect(replies.length).toBeGreaterThan(0);
      expect(replies.length).toBeLessThanOrEqual(19 * SOURCE_RATE_PER_SECOND + SOURCE_RATE_BURST);
    }

    // A: first initiation answered by a cookie reply, the retry (with mac2) by a response.
    const inA = a.wire.entries.filter((e) => e.direction === 'in' && e.type !== 4).map((e) => e.type);
    expect(inA.slice(0, 2)).toEqual([TYPE_COOKIE_REPLY, TYPE_RESPONSE]);
    const initiations = a.wire.select('out', TYPE_INITIATION);
    expect(initiations.length).toBe(2);
    const handshake = eventsOf(world, 'a', 'handshake-complete');
    expect(handshake).toHaveLength(1);
    expect(handshake[0]!.time).toBeLessThan(10_000);
    expect(b.device.peer(a.device.publicKey)!.active?.key).toBe(`${a.address}:51820`);
    // Staged while the handshake waited (50 packets < 128): all delivered.
    expect(deliveryRatio(flow.records)).toBe(1);
    // The attackers never became peers or endpoints of anything.
    expect(eventsOf(world, 'b', 'handshake-complete')).toHaveLength(1);
    expect(b.device.peer(a.device.publicKey)!.endpoints.size).toBe(1);
  });

  it('without load, unknown keys are refused after the DH (unknown-peer) and get no cookie', () => {
    const world = twoPeers({ seed: 42 });
    const { sim, b } = world;
    const attacker = addAttacker(world, b);
    const pool = unknownInitiations(b.device.publicKey, 10, 4_343);
    flood(world, [attacker], pool, 1_000, 2_000, 10);
    sim.run(3_000);
    expect(b.device.counters.drops['unknown-peer']).toBe(10);
    expect(b.device.counters.cookieRepliesSent).toBe(0);
    expect(attacker.node.received).toHaveLength(0);
  });

  it('replays of a captured initiation from other addresses never disturb the session', () => {
    const world = twoPeers({ seed: 43, capture: true });
    const { sim, a, b } = world;
    const attackers = [1, 2].map((i) => addAttacker(world, b, `203.0.113.${i}`));
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 20,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 10_000,
    });
    let captured: Uint8Array | undefined;
    let keypairBefore: unknown;
    sim.at(500, () => {
      captured = b.wire.select('in', TYPE_INITIATION)[0]!.bytes!;
      keypairBefore = b.device.peer(a.device.publicKey)!.current;
      // 10/s first (no load: refused by the timestamp check), then 300/s (under load: cookies).
      attackers.forEach((attacker, k) => {
        for (let t = 1_000 + k; t < 2_000; t += 200) sim.at(t, () => attacker.send(endpointOf(b), captured!));
        for (let t = 3_000 + k; t < 6_000; t += 1_000 / 150)
          sim.at(t, () => attacker.send(endpointOf(b), captured!));
      });
    });
    sim.run(11_000);
    expect(b.device.counters.drops['handshake-rejected']).toBeGreaterThanOrEqual(10);
    expect(b.device.counters.drops['cookie-required']).toBeGreaterThan(0);
    expect(b.device.peer(a.device.publicKey)!.current).toBe(keypairBefore);
    expect(eventsOf(world, 'b', 'handshake-complete')).toHaveLength(1);
    expect(eventsOf(world, 'b', 'endpoint-changed')).toHaveLength(1);
    expect(b.device.peer(a.device.publicKey)!.active?.key).toBe(`${a.address}:51820`);
    expect(deliveryRatio(flow.records)).toBe(1);
  });

  // Regression test (the bug is fixed): wireguard-go (device/receive.go) and the whitepaper
  // (§5.3) check mac1 first and drop a message whose mac1 is wrong before anything else; only
  // then, under load, is mac2 checked and a cookie reply sent. The engine once checked load
  // before mac1, so under load it answered garbage of the right length and type with cookie
  // replies and counted it as 'cookie-required' instead of 'bad-mac1'.
  it('under load, a handshake message with a bad mac1 is dropped as bad-mac1 without a cookie reply', () => {
    const world = twoPeers({ seed: 44 });
    const { sim, b } = world;
    const loader = addAttacker(world, b, '203.0.113.1');
    const prober = addAttacker(world, b, '203.0.113.9');
    const pool = unknownInitiations(b.device.publicKey, 8, 4_444);
    flood(world, [loader], pool, 1_000, 3_000, 300);
    const forged = Uint8Array.from(pool[0]!);
    forged[120] = forged[120]! ^ 0xff; // inside mac1 (bytes 116..131)
    for (let t = 2_000; t < 2_500; t += 100) sim.at(t, () => prober.send(endpointOf(b), forged));
    sim.run(4_000);
    expect(b.device.counters.cookieRepliesSent).toBeGreaterThan(0); // under load indeed
    expect(prober.node.received).toHaveLength(0);
    expect(b.device.counters.drops['bad-mac1']).toBe(5);
  });
});
