/**
 * Run-time configuration must never weaken the protocol: re-applying the same private key (every
 * `wg setconf` does) or changing a preshared key keeps the replay state, so a captured old
 * initiation cannot be replayed to move a peer's endpoint; removed peers ignore late updates.
 */
import { nobleBackend } from '@pathwire/crypto';
import type { StrategyV1 } from '@pathwire/strategy';
import { describe, expect, it } from 'vitest';
import { Device } from './device.js';
import type { DeviceEvent } from './events.js';

function wired() {
  const toB: Uint8Array[] = [];
  const toA: Uint8Array[] = [];
  const events: DeviceEvent[] = [];
  const a = new Device({
    backend: nobleBackend,
    privateKey: nobleBackend.generateSecretKey(),
    io: { sendDatagram: (_to, bytes) => toB.push(bytes), writePacket: () => {} },
  });
  const bKey = nobleBackend.generateSecretKey();
  const b = new Device({
    backend: nobleBackend,
    privateKey: bKey,
    io: {
      sendDatagram: (_to, bytes) => toA.push(bytes),
      writePacket: () => {},
      event: (e) => events.push(e),
    },
  });
  const psk = nobleBackend.generateSecretKey();
  a.setPeer(
    {
      publicKey: b.publicKey,
      presharedKey: psk,
      allowedIPs: ['10.0.0.2/32'],
      endpoints: [{ address: '198.51.100.2', port: 51820 }],
    },
    0,
  );
  b.setPeer({ publicKey: a.publicKey, presharedKey: psk, allowedIPs: ['10.0.0.1/32'] }, 0);
  return { a, b, bKey, toA, toB, events };
}

const A_SOURCE = { address: '192.0.2.1', port: 51820 };
const ATTACKER = { address: '203.0.113.66', port: 666 };
const packet = Uint8Array.from([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);

describe('configuration keeps the replay state', () => {
  for (const change of ['the same private key again', 'a new preshared key'] as const) {
    it(`a replayed initiation after ${change} is rejected and moves nothing`, () => {
      const { a, b, bKey, toB } = wired();
      a.sendPacket(0, packet);
      const initiation = toB.find((d) => d[0] === 1)!;
      b.receiveDatagram(0, A_SOURCE, initiation);
      const peer = b.peer(a.publicKey)!;
      expect(peer.active?.key).toBe('192.0.2.1:51820');
      if (change === 'the same private key again') b.setPrivateKey(Uint8Array.from(bKey));
      else b.setPeer({ publicKey: a.publicKey, presharedKey: nobleBackend.generateSecretKey() }, 100);
      const rejectedBefore = b.counters.drops['handshake-rejected'] ?? 0;
      b.receiveDatagram(5_000, ATTACKER, initiation);
      expect(b.counters.drops['handshake-rejected']).toBe(rejectedBefore + 1);
      expect(peer.active?.key).toBe('192.0.2.1:51820');
      expect(peer.endpoints.get('203.0.113.66:666')).toBeUndefined();
    });
  }

  it('the same private key keeps the sessions', () => {
    const { a, b, bKey, toA, toB } = wired();
    a.sendPacket(0, packet);
    b.receiveDatagram(0, A_SOURCE, toB.shift()!);
    a.receiveDatagram(0, { address: '198.51.100.2', port: 51820 }, toA.shift()!);
    expect(a.peer(b.publicKey)!.current).toBeDefined();
    b.setPrivateKey(Uint8Array.from(bKey));
    // B's keypair from that handshake survives, so the staged packet A sent still opens at B.
    expect(b.peer(a.publicKey)!.next ?? b.peer(a.publicKey)!.current).toBeDefined();
    const dropsBefore = Object.values(b.counters.drops).reduce((x, y) => x + y, 0);
    for (const datagram of toB.splice(0)) b.receiveDatagram(1, A_SOURCE, datagram);
    expect(Object.values(b.counters.drops).reduce((x, y) => x + y, 0)).toBe(dropsBefore);
  });
});

describe('a device without a private key (as wireguard-go before `wg set private-key`)', () => {
  it('sends no initiation until it has a key, then handshakes', () => {
    const { a, b, toA, toB } = wired();
    a.setPrivateKey(new Uint8Array(32));
    expect(a.hasPrivateKey).toBe(false);
    a.sendPacket(0, packet);
    expect(toB.filter((d) => d[0] === 1)).toHaveLength(0);
    expect(a.counters.drops['no-private-key']).toBe(1);
    const key = nobleBackend.generateSecretKey();
    a.setPrivateKey(key);
    b.setPeer({ publicKey: a.publicKey, allowedIPs: ['10.0.0.1/32'] }, 0);
    a.sendPacket(10, packet);
    const initiation = toB.find((d) => d[0] === 1)!;
    b.receiveDatagram(10, A_SOURCE, initiation);
    expect(toA.some((d) => d[0] === 2)).toBe(true);
  });
});

describe('sticky source address, not too sticky (wireguard-go markEndpointSrcForClearing)', () => {
  function stuck() {
    const sent: { bytes: Uint8Array; from: string | undefined }[] = [];
    const toA: Uint8Array[] = [];
    const a = new Device({
      backend: nobleBackend,
      privateKey: nobleBackend.generateSecretKey(),
      io: { sendDatagram: (_to, bytes, from) => sent.push({ bytes, from }), writePacket: () => {} },
    });
    const b = new Device({
      backend: nobleBackend,
      privateKey: nobleBackend.generateSecretKey(),
      io: { sendDatagram: (_to, bytes) => toA.push(bytes), writePacket: () => {} },
    });
    const B = { address: '198.51.100.2', port: 51820 };
    a.setPeer({ publicKey: b.publicKey, allowedIPs: ['10.0.0.2/32'], endpoints: [B] }, 0);
    b.setPeer({ publicKey: a.publicKey, allowedIPs: ['10.0.0.1/32'] }, 0);
    a.sendPacket(0, packet);
    b.receiveDatagram(0, A_SOURCE, sent.shift()!.bytes);
    // The response reaches A at its second address: A answers from it from now on.
    a.receiveDatagram(1, B, toA.shift()!, '192.0.2.77');
    const record = a.peer(b.publicKey)!.active!;
    expect(record.localAddress).toBe('192.0.2.77');
    return { a, b, sent, record };
  }

  it('a new-handshake timer (data sent, nothing back) clears it before the initiation', () => {
    const { a, sent, record } = stuck();
    sent.length = 0;
    a.sendPacket(2, packet);
    for (let t = 2; t <= 20_000; t += 250) a.tick(t);
    const initiation = sent.find((datagram) => datagram.bytes[0] === 1);
    expect(initiation).toBeDefined();
    expect(initiation!.from).toBeUndefined();
    expect(record.localAddress).toBeUndefined();
  });

  it("clearSourceAddresses() (listen-port change, address removed) forgets every peer's", () => {
    const { a, record } = stuck();
    a.clearSourceAddresses();
    expect(record.localAddress).toBeUndefined();
  });
});

describe('keypair rotation', () => {
  it('a response arriving while a next keypair is pending retires the old current (no index leak)', () => {
    const { a, b, toA, toB } = wired();
    a.setPeer({ publicKey: b.publicKey, allowedIPs: ['10.0.0.2/32'] }, 0);
    b.setPeer({ publicKey: a.publicKey, endpoints: [{ address: '192.0.2.1', port: 51820 }] }, 0);
    const indices = (device: Device) => device.indexCount;
    let now = 0;
    for (let round = 0; round < 6; round++) {
      // Past REJECT_AFTER_TIME: both sessions are unusable, so both sides initiate again.
      now += 181_000;
      // B initiates, A answers (A now holds a next keypair), the response is lost.
      b.sendPacket(
        now,
        Uint8Array.from([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1]),
      );
      for (const d of toA.splice(0))
        if (d[0] === 1) a.receiveDatagram(now, { address: '198.51.100.2', port: 51820 }, d);
      toB.length = 0;
      // A initiates its own handshake and completes it.
      now += 6_000;
      a.sendPacket(now, packet);
      for (const d of toB.splice(0)) if (d[0] === 1) b.receiveDatagram(now, A_SOURCE, d);
      for (const d of toA.splice(0))
        if (d[0] === 2) a.receiveDatagram(now, { address: '198.51.100.2', port: 51820 }, d);
      toB.length = 0;
    }
    // current + previous (+ at most one handshake in flight): bounded, not one more per round.
    expect(indices(a)).toBeLessThanOrEqual(3);
  });
});

describe('hosting a misbehaving strategy', () => {
  it('bad decisions are reported as strategy errors and never thrown out of the device', () => {
    const events: DeviceEvent[] = [];
    const answers: unknown[] = [
      undefined,
      [{ type: 'wake', at: Number.NaN }],
      [{ type: 'initiate', targets: [{ endpoint: 'x', delayMs: Number.NaN }] }],
      [{ type: 'initiate' }],
      'nope',
    ];
    let call = 0;
    const strategy = {
      specificationVersion: 'v1',
      name: 'broken',
      handle: () => answers[call++ % answers.length],
    } as unknown as StrategyV1;
    const device = new Device({
      backend: nobleBackend,
      privateKey: nobleBackend.generateSecretKey(),
      io: { sendDatagram: () => {}, writePacket: () => {}, event: (e) => events.push(e) },
    });
    expect(() => {
      device.setPeer(
        {
          publicKey: nobleBackend.publicKey(nobleBackend.generateSecretKey()),
          allowedIPs: ['10.0.0.2/32'],
          endpoints: [{ address: '198.51.100.2', port: 1 }],
          strategy,
        },
        0,
      );
      for (let t = 0; t < 20; t++) {
        device.sendPacket(t * 1000, packet);
        device.tick(t * 1000);
      }
    }).not.toThrow();
    expect(events.filter((e) => e.type === 'strategy-error').length).toBeGreaterThan(3);
  });

  it('a removed peer ignores late endpoint updates (a resolver still running)', () => {
    const { b, a } = wired();
    const peer = b.peer(a.publicKey)!;
    b.removePeer(a.publicKey);
    b.setEndpoints(peer, [{ address: '192.0.2.9', port: 1 }], 10);
    expect(peer.endpoints.size).toBe(0);
    expect(b.nextWake()).toBeUndefined();
  });
});
