/**
 * Unauthenticated input never steers the device (whitepaper §2.1: only authenticated packets
 * update the endpoint): spoofed, truncated, bit-flipped and replayed datagrams from an
 * attacker's address are dropped, counted by reason, and never change B's active endpoint;
 * random garbage of any length and type never throws and is always counted.
 */
import { deliveryRatio, Flow, Random } from '@pathwire/netsim';
import { describe, expect, it } from 'vitest';
import type { Device } from './device.js';
import { addAttacker, endpointOf, eventsOf } from './test-support/attacker.js';
import { A_INNER, B_INNER, onNode, twoPeers } from './test-support/two-peers.js';
import { dataCounter, TYPE_DATA, TYPE_INITIATION, TYPE_RESPONSE } from './test-support/wire-tap.js';

/** Records `active()` after every call into the device that can change its state. */
function traceActiveEndpoint(device: Device, active: () => string | undefined): (string | undefined)[] {
  const trace: (string | undefined)[] = [];
  for (const method of ['receiveDatagram', 'sendPacket', 'tick'] as const) {
    const original = device[method].bind(device) as (...args: unknown[]) => unknown;
    (device as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const result = original(...args);
      trace.push(active());
      return result;
    };
  }
  return trace;
}

function totalDrops(drops: Readonly<Record<string, number>>): number {
  return Object.values(drops).reduce((sum, n) => sum + n, 0);
}

function randomBytes(random: Random, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = random.nextUint32() & 0xff;
  return out;
}

describe('spoofed and unauthenticated datagrams from an attacker address', () => {
  it('never change the active endpoint, are dropped by reason, and the tunnel carries on', () => {
    const world = twoPeers({ seed: 61, capture: true });
    const { sim, a, b } = world;
    const attacker = addAttacker(world, b, '203.0.113.66');
    const random = Random.fromSeed(6_161);
    const ab = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 20_000,
    });
    const ba = new Flow(sim, {
      from: b.handle,
      to: a.handle,
      rate: 50,
      size: 200,
      src: B_INNER,
      dst: A_INNER,
      start: 500,
      stop: 20_000,
    });
    const peerAtB = () => b.device.peer(a.device.publicKey)!;
    // B's active endpoint after every call into B (each datagram, packet and timer), not sampled:
    // a change that lasts from one input to the next, evented or not, shows up here.
    const activeTrace = traceActiveEndpoint(b.device, () => b.device.peer(a.device.publicKey)?.active?.key);
    const kinds: Record<string, number> = {};
    const fire = (kind: string, bytes: Uint8Array) => {
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      attacker.send(endpointOf(b), bytes);
    };
    for (let t = 1_000; t < 19_000; t += 20) {
      sim.at(t, () => {
        const real = b.wire.entries
          .filter((e) => e.direction === 'in' && e.type === TYPE_DATA && e.remote.address === a.address)
          .slice(-50);
        const sample = real[Math.floor(random.next() * real.length)]!.bytes!;
        switch (Math.floor(random.next() * 7)) {
          case 0:
            return fire('garbage', randomBytes(random, Math.floor(random.next() * 300)));
          case 1:
            return fire('truncated', sample.slice(0, Math.floor(random.next() * sample.length)));
          case 2: {
            // One bit flipped past the header: the AEAD tag cannot verify.
            const flipped = Uint8Array.from(sample);
            const bit = 16 * 8 + Math.floor(random.next() * (sample.length - 16) * 8);
            flipped[bit >> 3] = flipped[bit >> 3]! ^ (1 << (bit & 7));
            return fire('bit-flipped', flipped);
          }
          case 3:
            return fire('replayed-data', sample);
          case 4: {
            // A counter far ahead with the payload of another: authentication fails, the window must not move.
            const ahead = Uint8Array.from(sample);
            ahead[12] = 0x01;
            return fire('counter-ahead', ahead);
          }
          case 5:
            return fire('replayed-initiation', b.wire.select('in', TYPE_INITIATION)[0]!.bytes!);
          default:
            return fire('replayed-response', a.wire.select('in', TYPE_RESPONSE)[0]!.bytes!);
        }
      });
    }
    sim.run(21_000);

    expect(Object.keys(kinds).sort()).toEqual(
      [
        'bit-flipped',
        'counter-ahead',
        'garbage',
        'replayed-data',
        'replayed-initiation',
        'replayed-response',
        'truncated',
      ].sort(),
    );
    // The full record: B's active endpoint was A's from the first handshake on, after every one
    // of its thousands of inputs, and the only endpoint change B ever reported is that first one.
    const home = `${a.address}:51820`;
    expect(activeTrace.length).toBeGreaterThan(2_000);
    const first = activeTrace.indexOf(home);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(activeTrace.slice(0, first).filter((key) => key !== undefined)).toEqual([]);
    expect(activeTrace.slice(first).filter((key) => key !== home)).toEqual([]);
    expect(peerAtB().endpoints.get(`${attacker.address}:40000`)).toBeUndefined();
    expect(eventsOf(world, 'b', 'endpoint-changed').map((e) => e.data)).toEqual([
      {
        type: 'endpoint-changed',
        peer: expect.any(String),
        from: undefined,
        to: { address: a.address, port: 51820 },
      },
    ]);
    // Every attacker datagram was dropped and counted (none authenticated); per reason:
    const drops = b.device.counters.drops;
    const sent = Object.values(kinds).reduce((x, y) => x + y, 0);
    expect(totalDrops(drops)).toBe(sent);
    // Copies of counters B has seen fail the replay check before any decryption (bit-flipped
    // and long-enough truncated ones included); only the never-seen counters reach the AEAD.
    expect(drops.replay).toBeGreaterThanOrEqual(kinds['replayed-data']! + kinds['bit-flipped']!);
    expect(drops.authentication).toBeGreaterThanOrEqual(kinds['counter-ahead']!);
    expect(drops.replay! + drops.authentication! + drops.malformed!).toBe(
      kinds['replayed-data']! +
        kinds['bit-flipped']! +
        kinds['counter-ahead']! +
        kinds.truncated! +
        kinds.garbage!,
    );
    expect(drops.malformed).toBeGreaterThan(0);
    expect(drops['handshake-rejected']).toBe(kinds['replayed-initiation']);
    // A response replayed to B carries a mac1 keyed to A's public key, not B's.
    expect(drops['bad-mac1']).toBe(kinds['replayed-response']);
    // The flows never noticed.
    expect(deliveryRatio(ab.records)).toBe(1);
    expect(deliveryRatio(ba.records)).toBe(1);
    expect(b.wire.select('out').every((e) => e.remote.address === a.address)).toBe(true);
    expect(eventsOf(world, 'b', 'handshake-complete')).toHaveLength(1);
  });
});

describe('random garbage at the device', () => {
  it('never throws and counts every datagram it drops (random lengths, types, views, mutations)', () => {
    const world = twoPeers({ seed: 62, capture: true });
    const { sim, a, b } = world;
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 20,
      size: 120,
      src: A_INNER,
      dst: B_INNER,
      stop: 30_000,
    });
    const random = Random.fromSeed(6_262);
    const source = { address: '203.0.113.99', port: 1234 };
    let fed = 0;
    let dropsBefore = 0;
    let dropsAfter = 0;
    const realIn = () => b.wire.entries.filter((e) => e.direction === 'in' && e.bytes);
    onNode(
      world,
      'b',
      (now) => {
        const device = b.device;
        dropsBefore = totalDrops(device.counters.drops);
        const sizes = [
          0, 1, 3, 4, 5, 15, 16, 31, 32, 33, 47, 48, 63, 64, 65, 91, 92, 93, 147, 148, 149, 1500,
        ];
        for (let i = 0; i < 3_000; i++) {
          let bytes: Uint8Array;
          const mode = Math.floor(random.next() * 3);
          if (mode === 0) {
            bytes = randomBytes(random, sizes[Math.floor(random.next() * sizes.length)]!);
            if (bytes.length >= 4 && random.next() < 0.8)
              bytes.set([1 + Math.floor(random.next() * 4), 0, 0, 0]);
          } else if (mode === 1) {
            bytes = randomBytes(random, Math.floor(random.next() * 2_000));
          } else {
            // A real datagram with a few random bytes changed (or an exact replay).
            const real = realIn();
            bytes = Uint8Array.from(real[Math.floor(random.next() * real.length)]!.bytes!);
            const changes = Math.floor(random.next() * 4);
            for (let c = 0; c < changes; c++)
              bytes[Math.floor(random.next() * bytes.length)] = random.nextUint32() & 0xff;
          }
          // Sometimes a view into a larger buffer at an odd offset.
          if (random.next() < 0.3) {
            const buffer = new Uint8Array(bytes.length + 7);
            buffer.set(bytes, 3);
            bytes = buffer.subarray(3, 3 + bytes.length);
          }
          expect(() => device.receiveDatagram(now, source, bytes)).not.toThrow();
          fed++;
        }
        dropsAfter = totalDrops(device.counters.drops);
        // Garbage into the TUN side and time jumps must not throw either.
        for (let i = 0; i < 500; i++) {
          const packet = randomBytes(random, Math.floor(random.next() * 100));
          if (packet.length > 0 && random.next() < 0.5) packet[0] = 0x45;
          expect(() => device.sendPacket(now, packet)).not.toThrow();
        }
        expect(() => device.tick(now)).not.toThrow();
      },
      10_000,
    );
    sim.run(31_000);
    expect(fed).toBe(3_000);
    // Nothing from the garbage authenticated: every datagram is accounted for as a drop.
    expect(dropsAfter - dropsBefore).toBe(fed);
    expect(eventsOf(world, 'b', 'endpoint-changed')).toHaveLength(1);
    expect(b.device.peer(a.device.publicKey)!.active?.key).toBe(`${a.address}:51820`);
    expect(deliveryRatio(flow.records)).toBe(1);
  });

  it('accepts a genuine data message handed over as a view at an odd byte offset', () => {
    const world = twoPeers({ seed: 63 });
    const { sim, a, b } = world;
    let withheld = false;
    b.wire.inbound = (_remote, bytes) => {
      if (withheld || dataCounter(bytes) !== 7) return 'pass';
      withheld = true;
      return 'withhold';
    };
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 1_000,
    });
    onNode(
      world,
      'b',
      (now) => {
        const original = b.wire.withheld[0]!.bytes!;
        const buffer = new Uint8Array(original.length + 5);
        buffer.set(original, 1);
        b.device.receiveDatagram(
          now,
          { address: a.address, port: 51820 },
          buffer.subarray(1, 1 + original.length),
        );
      },
      2_000,
    );
    sim.run(3_000);
    expect(b.wire.withheld).toHaveLength(1);
    expect(deliveryRatio(flow.records)).toBe(1);
    expect(totalDrops(b.device.counters.drops)).toBe(0);
  });
});
