import { deliveryRatio, Flow, Ping } from '@pathwire/netsim';
import { describe, expect, it } from 'vitest';
import { A_INNER, B_INNER, twoPeers } from './test-support/two-peers.js';

describe('Device on virtual time', () => {
  it('completes a handshake and carries data both ways', () => {
    const { sim, a, b } = twoPeers();
    const ab = new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 50,
      size: 200,
      src: A_INNER,
      dst: B_INNER,
      stop: 5_000,
    });
    const ba = new Flow(sim, {
      from: b.handle,
      to: a.handle,
      rate: 50,
      size: 200,
      src: B_INNER,
      dst: A_INNER,
      start: 1_000,
      stop: 5_000,
    });
    sim.run(6_000);
    expect(deliveryRatio(ab.records)).toBe(1);
    expect(deliveryRatio(ba.records)).toBe(1);
    expect(a.device.counters.handshakesCompleted).toBe(1);
    expect(b.device.counters.handshakesCompleted).toBe(1);
    const peerAtB = b.device.peer(a.device.publicKey)!;
    expect(peerAtB.active?.key).toBe('192.0.2.1:51820');
  });

  it('answers pings through the tunnel', () => {
    const { sim, a, b } = twoPeers();
    const ping = new Ping(sim, {
      from: a.handle,
      to: b.handle,
      src: A_INNER,
      dst: B_INNER,
      interval: 100,
      stop: 3_000,
    });
    sim.run(4_000);
    expect(deliveryRatio(ping.records)).toBe(1);
  });
});
