/**
 * WireGuard's timers on virtual time (whitepaper §6.1–§6.5, wireguard-go `timers.go`): rekey
 * after 120 s without loss, keys rejected after 180 s and zeroed after 540 s, giving up after
 * 20 unanswered initiations (≈ 100 s), passive keepalive, persistent keepalive.
 */
import { deliveryRatio, Flow } from '@pathwire/netsim';
import type { Keypair } from '@pathwire/transport';
import { describe, expect, it } from 'vitest';
import {
  KEEPALIVE_TIMEOUT,
  REJECT_AFTER_TIME,
  REKEY_AFTER_TIME,
  REKEY_TIMEOUT,
  REKEY_TIMEOUT_JITTER,
} from './constants.js';
import { eventsOf } from './test-support/attacker.js';
import { A_INNER, B_INNER, twoPeers } from './test-support/two-peers.js';
import { KEEPALIVE_BYTES, TYPE_DATA, TYPE_INITIATION, TYPE_RESPONSE } from './test-support/wire-tap.js';

/**
 * The references' values, written out here rather than imported from the engine, so a wrong
 * engine constant fails these tests: wireguard-go `device/constants.go` (RekeyAttemptTime 90 s,
 * RekeyTimeout 5 s, RekeyTimeoutJitterMaxMs 334, MaxTimerHandshakes = 90 / 5 = 18) and
 * `device/timers.go` `expiredRetransmitHandshake`, which retries while handshakeAttempts ≤ 18 and
 * gives up "after MaxTimerHandshakes + 2 attempts": the first initiation and 19 retransmissions,
 * 20 in all, giving up ≈ 100 s after the first (Linux `timers.c` is the same); whitepaper §6.4.
 */
const REFERENCE = {
  rekeyTimeout: 5_000,
  /** wireguard-go adds 0..333 ms (a random number below RekeyTimeoutJitterMaxMs = 334). */
  jitterBelow: 334,
  initiationsBeforeGivingUp: 20,
} as const;

describe('the timer constants (whitepaper §6.1, wireguard-go device/constants.go)', () => {
  it('are the references’ values, so the tests below that use them test the right thing', () => {
    expect({
      REKEY_AFTER_TIME,
      REJECT_AFTER_TIME,
      REKEY_TIMEOUT,
      REKEY_TIMEOUT_JITTER,
      KEEPALIVE_TIMEOUT,
    }).toEqual({
      REKEY_AFTER_TIME: 120_000,
      REJECT_AFTER_TIME: 180_000,
      REKEY_TIMEOUT: REFERENCE.rekeyTimeout,
      REKEY_TIMEOUT_JITTER: REFERENCE.jitterBelow,
      KEEPALIVE_TIMEOUT: 10_000,
    });
  });
});

/** Drop reasons that must never appear on a clean path. */
const LOSSY_REASONS = [
  'no-session',
  'expired-keypair',
  'unknown-index',
  'replay',
  'authentication',
  'staged-overflow',
  'handshake-gave-up',
  'no-endpoint',
  'malformed',
];

describe('rekey (REKEY_AFTER_TIME)', () => {
  it('rekeys every ~120 s under a 50 pps flow both ways for 400 s without losing a packet', () => {
    const world = twoPeers({ seed: 3 });
    const { sim, a, b } = world;
    const ab = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 400_000,
    });
    const ba = new Flow(sim, {
      from: b.handle,
      to: a.handle,
      rate: 50,
      size: 200,
      src: B_INNER,
      dst: A_INNER,
      start: 500,
      stop: 400_000,
    });
    sim.run(401_000);

    expect(ab.records.length).toBe(20_000);
    expect(ba.records.length).toBeGreaterThan(19_900);
    expect(deliveryRatio(ab.records)).toBe(1);
    expect(deliveryRatio(ba.records)).toBe(1);
    expect(ab.records.some((r) => r.duplicates)).toBe(false);
    expect(ba.records.some((r) => r.duplicates)).toBe(false);

    // Handshakes at ~0, ~120, ~240, ~360 s: all initiated by A (the initiator rekeys), all answered.
    const initiations = a.wire.select('out', TYPE_INITIATION);
    expect(initiations.length).toBe(4);
    expect(b.wire.select('out', TYPE_INITIATION)).toHaveLength(0);
    expect(a.device.counters.handshakesCompleted).toBeGreaterThanOrEqual(3);
    expect(b.device.counters.handshakesCompleted).toBe(a.device.counters.handshakesCompleted);
    expect(b.wire.select('out', TYPE_RESPONSE)).toHaveLength(4);
    for (let i = 1; i < initiations.length; i++) {
      const gap = initiations[i]!.time - initiations[i - 1]!.time;
      expect(gap).toBeGreaterThanOrEqual(REKEY_AFTER_TIME);
      expect(gap).toBeLessThan(REKEY_AFTER_TIME + 1_000);
    }

    for (const device of [a.device, b.device]) {
      for (const reason of LOSSY_REASONS) expect(device.counters.drops[reason] ?? 0, reason).toBe(0);
    }
    expect(eventsOf(world, 'a', 'handshake-failed')).toHaveLength(0);
    expect(eventsOf(world, 'b', 'endpoint-changed')).toHaveLength(1);
  });
});

describe('REJECT_AFTER_TIME and key zeroing', () => {
  it('does not send with a keypair older than 180 s: a new handshake comes first', () => {
    const world = twoPeers({ seed: 4, capture: true });
    const { sim, a, b } = world;
    const early = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      stop: 3_000,
    });
    // Phases are scripted with sim.at and the world runs once (see the netsim note in the report).
    const firstHandshake = 20; // initiation at 0, response back after 2 × 10 ms
    const sendAt = firstHandshake + REJECT_AFTER_TIME + 1;
    let oldKeypair: unknown;
    sim.at(10_000, () => {
      expect(a.wire.select('in', TYPE_RESPONSE)[0]!.time).toBe(firstHandshake);
      oldKeypair = a.device.peer(b.device.publicKey)!.current!;
      expect(deliveryRatio(early.records)).toBe(1);
    });
    const late = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 10,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      start: sendAt,
      count: 5,
    });
    sim.run(sendAt + 2_000);
    expect(oldKeypair).toBeDefined();

    const out = a.wire.entries.filter((e) => e.direction === 'out' && e.time >= sendAt);
    expect(out[0]!.type).toBe(TYPE_INITIATION);
    expect(out[0]!.time).toBe(sendAt);
    const newKeypair = a.device.peer(b.device.publicKey)!.current!;
    expect(newKeypair).not.toBe(oldKeypair);
    // Every data message after sendAt is addressed to the new session's receiver index at B.
    const data = out.filter((e) => e.type === TYPE_DATA);
    expect(data.length).toBeGreaterThanOrEqual(5);
    for (const entry of data)
      expect(new DataView(entry.bytes!.buffer).getUint32(4, true)).toBe(newKeypair.remoteIndex);
    expect(deliveryRatio(late.records)).toBe(1);
    expect(a.device.counters.handshakesInitiated).toBe(2);
    expect(b.device.counters.drops['expired-keypair'] ?? 0).toBe(0);
  });

  it('keeps using the keypair just before 180 s (no early handshake)', () => {
    const { sim, a, b } = twoPeers({ seed: 4 });
    new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      stop: 1_000,
    });
    const firstHandshake = 20;
    const sendAt = firstHandshake + REJECT_AFTER_TIME - 100;
    const late = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 10,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      start: sendAt,
      count: 1,
    });
    sim.run(sendAt + 50);
    expect(a.wire.select('in', TYPE_RESPONSE)[0]!.time).toBe(firstHandshake);
    const out = a.wire.entries.filter((e) => e.direction === 'out' && e.time >= sendAt);
    // The data goes out with the old keypair; an initiation follows it (the keypair is older than 120 s).
    expect(out[0]!.type).toBe(TYPE_DATA);
    expect(out[0]!.time).toBe(sendAt);
    expect(deliveryRatio(late.records)).toBe(1);
  });

  it('rejects data on a keypair older than 180 s (expired-keypair)', () => {
    const { sim, a, b } = twoPeers({ seed: 6, capture: true });
    new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      stop: 1_000,
    });
    const delivered: number[] = [];
    sim.at(2_000, () => b.handle.onTunnel((_packet, now) => delivered.push(now)));
    sim.at(REJECT_AFTER_TIME + 1_000, () => {
      const captured = b.wire
        .select('in', TYPE_DATA)
        .filter((e) => e.time < 2_000)
        .at(-1)!;
      a.handle.io.send({ address: b.address, port: 51820 }, captured.bytes!);
    });
    sim.run(REJECT_AFTER_TIME + 2_000);
    expect(b.device.counters.drops['expired-keypair']).toBe(1);
    expect(delivered).toHaveLength(0);
  });

  it('zeroes the key material 3 × 180 s after the last handshake, on both sides', () => {
    const world = twoPeers({ seed: 5 });
    const { sim, a, b } = world;
    new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      stop: 2_000,
    });
    // B consumes the initiation at 10 ms, A the response at 20 ms (10 ms each way).
    const handshakeAtB = 10;
    const handshakeAtA = 20;
    const peerAtA = () => a.device.peer(b.device.publicKey)!;
    const peerAtB = () => b.device.peer(a.device.publicKey)!;
    const keypairs: Record<string, Keypair | undefined> = {};
    const seen: Record<string, Keypair | undefined> = {};
    sim.at(5_000, () => {
      keypairs.a = peerAtA().current;
      keypairs.b = peerAtB().current;
    });
    sim.at(handshakeAtB + 3 * REJECT_AFTER_TIME - 1, () => {
      seen.bBefore = peerAtB().current;
    });
    sim.at(handshakeAtA + 3 * REJECT_AFTER_TIME - 1, () => {
      seen.aBefore = peerAtA().current;
    });
    sim.run(3 * REJECT_AFTER_TIME + 1_000);

    expect(a.wire.select('in', TYPE_RESPONSE)[0]!.time).toBe(handshakeAtA);
    expect(b.wire.select('in', TYPE_INITIATION)[0]!.time).toBe(handshakeAtB);
    expect(keypairs.a!.createdAt).toBe(handshakeAtA);
    expect(keypairs.b!.createdAt).toBe(handshakeAtB);
    expect(seen.aBefore).toBe(keypairs.a);
    expect(seen.bBefore).toBe(keypairs.b);
    for (const [peer, keypair] of [
      [peerAtA(), keypairs.a!],
      [peerAtB(), keypairs.b!],
    ] as const) {
      expect(peer.current).toBeUndefined();
      expect(peer.previous).toBeUndefined();
      expect(peer.next).toBeUndefined();
      expect(keypair.sendKey.every((byte) => byte === 0)).toBe(true);
      expect(keypair.receiveKey.every((byte) => byte === 0)).toBe(true);
    }
    expect(eventsOf(world, 'a', 'session-expired').map((e) => e.time)).toEqual([
      handshakeAtA + 3 * REJECT_AFTER_TIME,
    ]);
    expect(eventsOf(world, 'b', 'session-expired').map((e) => e.time)).toEqual([
      handshakeAtB + 3 * REJECT_AFTER_TIME,
    ]);
    // Nothing was sent while idle after the passive keepalive, and nothing wakes the devices again.
    expect(a.wire.select('out').filter((e) => e.time > 20_000)).toHaveLength(0);
    expect(b.wire.select('out').filter((e) => e.time > 20_000)).toHaveLength(0);
    expect(a.device.nextWake()).toBeUndefined();
    expect(b.device.nextWake()).toBeUndefined();
  });
});

describe('REKEY_ATTEMPT_TIME: giving up', () => {
  it('sends 20 initiations 5 s apart on a blackholed path, gives up ≈ 100 s after the first and drops the staged packets', () => {
    const world = twoPeers({ seed: 7 });
    const { sim, path, a, b } = world;
    path.blackhole(true);
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 10,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      count: 3,
    });
    sim.run(300_000);

    const initiations = a.wire.select('out', TYPE_INITIATION);
    const { rekeyTimeout, jitterBelow, initiationsBeforeGivingUp: count } = REFERENCE;
    expect(initiations).toHaveLength(count);
    expect(initiations[0]!.time).toBe(0);
    for (let i = 1; i < initiations.length; i++) {
      const gap = initiations[i]!.time - initiations[i - 1]!.time;
      expect(gap).toBeGreaterThanOrEqual(rekeyTimeout);
      expect(gap).toBeLessThan(rekeyTimeout + jitterBelow);
    }
    // The 20th initiation's retransmit timer expires: 20 timeouts after the first, plus jitter.
    const failed = eventsOf(world, 'a', 'handshake-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.time).toBeGreaterThanOrEqual(count * rekeyTimeout);
    expect(failed[0]!.time).toBeLessThan(count * (rekeyTimeout + jitterBelow));
    expect(initiations.at(-1)!.time).toBeLessThan(failed[0]!.time);
    expect(a.device.counters.drops['handshake-gave-up']).toBe(3);
    expect(deliveryRatio(flow.records)).toBe(0);
    expect(a.device.peer(b.device.publicKey)!.staged).toHaveLength(0);
    expect(b.wire.entries).toHaveLength(0);
  });

  it('starts over when a new packet comes after giving up, and then connects', () => {
    const world = twoPeers({ seed: 8 });
    const { sim, path, a, b } = world;
    path.blackhole(true);
    new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 10,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      count: 1,
    });
    let failedBefore = -1;
    sim.at(120_000, () => {
      failedBefore = eventsOf(world, 'a', 'handshake-failed').length;
      path.blackhole(false);
    });
    const later = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 10,
      size: 100,
      src: A_INNER,
      dst: B_INNER,
      start: 120_000,
      count: 5,
    });
    sim.run(125_000);
    expect(failedBefore).toBe(1);
    expect(a.wire.select('out', TYPE_INITIATION)).toHaveLength(REFERENCE.initiationsBeforeGivingUp + 1);
    expect(deliveryRatio(later.records)).toBe(1);
  });
});

describe('passive keepalive (KEEPALIVE_TIMEOUT)', () => {
  it('B answers one-way traffic with one 32-byte keepalive, KEEPALIVE_TIMEOUT after the first unanswered data', () => {
    const world = twoPeers({ seed: 9 });
    const { sim, a, b } = world;
    const flow = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 3_000,
    });
    sim.run(60_000);
    expect(deliveryRatio(flow.records)).toBe(1);

    const dataIn = b.wire.select('in', TYPE_DATA);
    const firstData = dataIn[0]!.time;
    const lastData = dataIn.at(-1)!.time;
    expect(lastData).toBeGreaterThan(2_900);
    const fromB = b.wire.select('out');
    // B's only datagrams: the handshake response, then exactly one keepalive.
    expect(fromB.map((e) => e.type)).toEqual([TYPE_RESPONSE, TYPE_DATA]);
    const keepalive = fromB[1]!;
    expect(keepalive.length).toBe(KEEPALIVE_BYTES);
    // wireguard-go / Linux: the timer is armed by the first data received while none is pending
    // and is not pushed back by later data, so it fires KEEPALIVE_TIMEOUT after the first one.
    expect(keepalive.time).toBe(firstData + KEEPALIVE_TIMEOUT);
    expect(keepalive.time - lastData).toBeGreaterThan(0);
    // The keepalive arrives and A does not start a handshake for lack of an answer.
    expect(a.wire.select('in', TYPE_DATA, KEEPALIVE_BYTES)).toHaveLength(1);
    expect(a.device.counters.handshakesInitiated).toBe(1);
  });

  it('sends no keepalive when B has data of its own to send back', () => {
    const { sim, a, b } = twoPeers({ seed: 10 });
    new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 30_000,
    });
    new Flow(sim, {
      from: b.handle,
      to: a.handle,
      rate: 1,
      size: 200,
      src: B_INNER,
      dst: A_INNER,
      start: 1_000,
      stop: 30_000,
    });
    sim.run(30_000);
    expect(b.wire.select('out', TYPE_DATA, KEEPALIVE_BYTES)).toHaveLength(0);
    expect(b.wire.select('out', TYPE_DATA).length).toBeGreaterThanOrEqual(29);
  });

  it('starts a new handshake when data sent gets no answer for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT', () => {
    const world = twoPeers({ seed: 11 });
    const { sim, path, a, b } = world;
    new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 1_000,
    });
    // B's answers are lost from 30 s on.
    sim.at(30_000, () => path.blackhole(true, 'reverse'));
    const sendAt = 31_000;
    new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 1,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      start: sendAt,
      count: 1,
    });
    sim.run(60_000);
    expect(a.wire.select('out', TYPE_INITIATION).filter((e) => e.time < sendAt)).toHaveLength(1);
    const initiations = a.wire.select('out', TYPE_INITIATION).filter((e) => e.time > sendAt);
    expect(initiations.length).toBeGreaterThanOrEqual(1);
    expect(initiations[0]!.time).toBeGreaterThanOrEqual(sendAt + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT);
    expect(initiations[0]!.time).toBeLessThan(
      sendAt + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + REKEY_TIMEOUT_JITTER,
    );
  });
});

describe('persistent keepalive', () => {
  it('keeps an idle tunnel alive with a keepalive every 25 s', () => {
    const world = twoPeers({ seed: 12, persistentKeepalive: 25 });
    const { sim, a, b } = world;
    sim.run(110_000);
    // Turning it on triggers a handshake at once (no session yet), then keepalives every 25 s.
    expect(a.wire.select('out', TYPE_INITIATION).map((e) => e.time)).toEqual([0]);
    const keepalives = a.wire.select('out', TYPE_DATA, KEEPALIVE_BYTES);
    expect(keepalives.length).toBe(5);
    const first = keepalives[0]!.time;
    expect(first).toBe(a.wire.select('in', TYPE_RESPONSE)[0]!.time);
    for (let i = 1; i < keepalives.length; i++)
      expect(keepalives[i]!.time - keepalives[i - 1]!.time).toBe(25_000);
    // They arrive and are authenticated, yet B answers none of them (a keepalive asks for nothing).
    expect(b.wire.select('in', TYPE_DATA, KEEPALIVE_BYTES)).toHaveLength(5);
    expect(b.wire.select('out', TYPE_DATA)).toHaveLength(0);
    expect(b.device.peer(a.device.publicKey)!.lastAuthenticatedAt).toBe(keepalives.at(-1)!.time + 10);
  });

  it('is postponed by other traffic: no keepalive while data flows', () => {
    const { sim, a, b } = twoPeers({ seed: 13, persistentKeepalive: 25 });
    new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 1,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      start: 1_000,
      stop: 100_000,
    });
    sim.run(100_000);
    const keepalives = a.wire.select('out', TYPE_DATA, KEEPALIVE_BYTES);
    // Only the one sent when the first handshake completed.
    expect(keepalives).toHaveLength(1);
  });

  // Regression test (the bug is fixed): wireguard-go calls keepKeyFreshSending after every
  // send, keepalives included (RoutineSequentialSender; Linux: keep_key_fresh in
  // wg_packet_create_data_done), so an idle tunnel kept up by persistent keepalives rekeys on
  // the first keepalive after REKEY_AFTER_TIME (125 s) and its session never lapses. The engine
  // once sent keepalives without that check: the keepalives at 125/150/175 s used the old
  // keypair, it expired at 180 s, and the keepalive at 200 s had to start a fresh handshake.
  it('rekeys an idle persistent-keepalive tunnel at ~120 s instead of letting the session expire', () => {
    const world = twoPeers({ seed: 14, persistentKeepalive: 25 });
    const { sim, a, b } = world;
    sim.run(400_000);
    const initiations = a.wire.select('out', TYPE_INITIATION).map((e) => e.time);
    expect(initiations.length).toBeGreaterThanOrEqual(3);
    // The second handshake starts with the first keepalive past 120 s (at 125 s), well before 180 s.
    expect(initiations[1]).toBeGreaterThanOrEqual(REKEY_AFTER_TIME);
    expect(initiations[1]).toBeLessThan(REKEY_AFTER_TIME + 25_000 + 1_000);
    // At no time did A hold only an expired session while keeping the tunnel alive.
    for (let i = 1; i < initiations.length; i++) {
      expect(initiations[i]! - initiations[i - 1]!).toBeLessThan(REJECT_AFTER_TIME);
    }
    expect(b.device.counters.drops['expired-keypair'] ?? 0).toBe(0);
  });
});
