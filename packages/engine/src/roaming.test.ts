/**
 * Roaming (whitepaper §2.1, the default `roaming` strategy): the responder follows the source
 * of the latest authenticated packet, so a peer whose address changes keeps its tunnel.
 */
import { deliveryRatio, Flow, Ping, Simulator } from '@pathwire/netsim';
import { describe, expect, it } from 'vitest';
import { MAX_LEARNED_ENDPOINTS } from './constants.js';
import { eventsOf } from './test-support/attacker.js';
import { A_INNER, B_INNER, makeDevice, PORT, twoPeers } from './test-support/two-peers.js';
import { TYPE_DATA, TYPE_INITIATION } from './test-support/wire-tap.js';

const NEW_A = '192.0.2.77';

describe('roaming to a new source address', () => {
  it('B follows A to its new address after the first authenticated packet; both flows continue', () => {
    const world = twoPeers({ seed: 21 });
    const { sim, a, b } = world;
    const moveAt = 5_000;
    const ab = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 10_000,
    });
    const ba = new Flow(sim, {
      from: b.handle,
      to: a.handle,
      rate: 50,
      size: 200,
      src: B_INNER,
      dst: A_INNER,
      start: 500,
      stop: 10_000,
    });
    sim.at(moveAt, () => a.host.replaceAddress(a.address, NEW_A));
    sim.run(11_000);

    const peerAtB = b.device.peer(a.device.publicKey)!;
    expect(peerAtB.active?.key).toBe(`${NEW_A}:51820`);
    // The first datagram B received from the new source, and the switch it caused.
    const firstFromNew = b.wire.entries.find((e) => e.direction === 'in' && e.remote.address === NEW_A)!;
    expect(firstFromNew.type).toBe(TYPE_DATA);
    const changes = eventsOf(world, 'b', 'endpoint-changed');
    expect(changes).toHaveLength(2);
    expect(changes[1]!.time).toBe(firstFromNew.time);
    expect((changes[1]!.data as { to: { address: string } }).to.address).toBe(NEW_A);
    // Everything B sent after the switch went to the new address, nothing before it did.
    const outB = b.wire.select('out');
    for (const e of outB) expect(e.remote.address).toBe(e.time >= firstFromNew.time ? NEW_A : a.address);

    // A -> B: only what was in flight when the address moved can be lost (it was not: A's
    // packets leave from the new address at once). B -> A: only B's packets sent to the old
    // address during the ~10 ms before B heard from the new one are lost.
    expect(deliveryRatio(ab.records)).toBe(1);
    const lostBA = ba.records.filter((r) => r.deliveredAt === undefined);
    expect(lostBA.length).toBeGreaterThan(0);
    expect(lostBA.length).toBeLessThanOrEqual(2);
    for (const r of lostBA) {
      expect(r.sentAt).toBeGreaterThanOrEqual(moveAt - 10);
      expect(r.sentAt).toBeLessThan(firstFromNew.time);
    }
    // No new handshake was needed to roam.
    expect(a.wire.select('out', TYPE_INITIATION)).toHaveLength(1);
  });

  it('an idle responder learns the new address from the next keepalive (persistent keepalive)', () => {
    const world = twoPeers({ seed: 22, persistentKeepalive: 25 });
    const { sim, a, b } = world;
    sim.at(30_000, () => a.host.replaceAddress(a.address, NEW_A));
    // B sends a packet at 60 s: by then the keepalive at ~50 s has told it where A is.
    const ba = new Flow(sim, {
      from: b.handle,
      to: a.handle,
      rate: 1,
      size: 200,
      src: B_INNER,
      dst: A_INNER,
      start: 60_000,
      count: 3,
    });
    sim.run(65_000);
    expect(b.device.peer(a.device.publicKey)!.active?.key).toBe(`${NEW_A}:51820`);
    expect(deliveryRatio(ba.records)).toBe(1);
    const changes = eventsOf(world, 'b', 'endpoint-changed');
    expect(changes.at(-1)!.time).toBeGreaterThan(30_000);
    expect(changes.at(-1)!.time).toBeLessThan(60_000);
  });

  it('B keeps at most MAX_LEARNED_ENDPOINTS learned endpoints as A keeps moving', () => {
    const world = twoPeers({ seed: 23 });
    const { sim, a, b } = world;
    const ab = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 20,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      stop: 25_000,
    });
    let current = a.address;
    for (let i = 1; i <= 12; i++) {
      const next = `192.0.2.${100 + i}`;
      sim.at(i * 2_000, () => {
        a.host.replaceAddress(current, next);
        current = next;
      });
    }
    sim.run(26_000);
    const peerAtB = b.device.peer(a.device.publicKey)!;
    expect(peerAtB.active?.key).toBe('192.0.2.112:51820');
    // The exact bound (MAX_LEARNED_ENDPOINTS) is pinned in endpoint-set.test.ts; here: old ones go.
    expect(peerAtB.endpoints.size).toBeGreaterThanOrEqual(MAX_LEARNED_ENDPOINTS);
    expect(peerAtB.endpoints.size).toBeLessThanOrEqual(MAX_LEARNED_ENDPOINTS + 1);
    expect(peerAtB.endpoints.list.map((r) => r.key)).toContain('192.0.2.112:51820');
    expect(peerAtB.endpoints.get('192.0.2.1:51820')).toBeUndefined();
    expect(deliveryRatio(ab.records)).toBe(1);
  });
});

describe('sticky source address (multi-homed host)', () => {
  it('a host with two addresses answers from the address it was reached at', () => {
    const sim = new Simulator({ seed: 9 });
    const client = sim.addHost('client', { addresses: ['192.0.2.1'] });
    const server = sim.addHost('server', { addresses: ['198.51.100.1', '203.0.113.1'] });
    const first = sim.path('192.0.2.1', '198.51.100.1', { delay: 5 });
    const second = sim.path('192.0.2.1', '203.0.113.1', { delay: 5 });
    const c = makeDevice(61);
    const s = makeDevice(62);
    // The client knows only the server's second address.
    c.device.setPeer(
      {
        publicKey: s.device.publicKey,
        allowedIPs: ['10.0.0.2/32'],
        endpoints: [{ address: '203.0.113.1', port: PORT }],
      },
      0,
    );
    s.device.setPeer({ publicKey: c.device.publicKey, allowedIPs: ['10.0.0.1/32'] }, 0);
    const hc = sim.attach(c.node, { host: client, port: PORT, name: 'client' });
    const hs = sim.attach(s.node, { host: server, port: PORT, name: 'server' });
    const ping = new Ping(sim, {
      from: hc,
      to: hs,
      src: '10.0.0.1',
      dst: '10.0.0.2',
      interval: 100,
      stop: 2_000,
    });
    sim.run(3_000);
    expect(deliveryRatio(ping.records)).toBe(1);
    // Without a sticky source the server would answer from 198.51.100.1, its first address.
    expect(first.forward.counters.sent + first.reverse.counters.sent).toBe(0);
    expect(second.reverse.counters.sent).toBeGreaterThan(20);
    expect(c.device.peer(s.device.publicKey)?.active?.key).toBe('203.0.113.1:51820');
  });
});
