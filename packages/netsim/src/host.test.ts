import { describe, expect, it } from 'vitest';
import type { Endpoint } from './endpoint.js';
import { NetsimError } from './errors.js';
import type { NodeIO, SimNode } from './node.js';
import { Simulator } from './simulator.js';
import { deliveryRatio } from './stats.js';
import { EchoNode, TunnelNode } from './test-nodes.js';
import { Flow } from './traffic.js';

class Recorder implements SimNode {
  readonly got: { local: Endpoint; remote: Endpoint; at: number }[] = [];
  onDatagram(io: NodeIO, local: Endpoint, remote: Endpoint): void {
    this.got.push({ local, remote, at: io.now });
  }
  onWake(): void {}
  nextWake(): number | undefined {
    return undefined;
  }
}

function dualStack() {
  const sim = new Simulator({ seed: 1 });
  const client = sim.addHost('client', { addresses: ['192.0.2.1'] });
  const server = sim.addHost('server', {
    interfaces: [
      { name: 'eth0', addresses: ['198.51.100.1', '2001:db8::1'] },
      { name: 'wlan0', addresses: ['203.0.113.1'] },
    ],
  });
  sim.path('192.0.2.1', '198.51.100.1', { delay: 10 });
  const c = sim.attach(new Recorder(), { host: client, port: 51820 });
  const s = sim.attach(new EchoNode(), { host: server, port: 51820 });
  return { sim, client, server, c, s };
}

describe('send errors are synchronous', () => {
  it('ENETUNREACH when the host has no address of the family', () => {
    const { sim, c } = dualStack();
    expect(c.io.send({ address: '2001:db8::1', port: 51820 }, new Uint8Array(4))).toEqual({
      ok: false,
      code: 'ENETUNREACH',
    });
    expect(sim.counters.sendErrors.ENETUNREACH).toBe(1);
  });

  it('ENETUNREACH while the family is disabled, ok again once restored', () => {
    const { sim, s } = dualStack();
    const remote = { address: '2001:db8::99', port: 1 };
    expect(s.io.send(remote, new Uint8Array(1)).ok).toBe(true); // no path: dropped, counted
    expect(sim.counters.noPath).toBe(1);
    s.host.setFamilyAvailable(6, false);
    expect(s.io.send(remote, new Uint8Array(1))).toEqual({ ok: false, code: 'ENETUNREACH' });
    expect(s.io.send({ address: '192.0.2.1', port: 51820 }, new Uint8Array(1)).ok).toBe(true);
    s.host.setFamilyAvailable(6, true);
    expect(s.io.send(remote, new Uint8Array(1)).ok).toBe(true);
    expect(sim.timeline.ofKind('family').length).toBe(2);
  });

  it('EADDRNOTAVAIL for a local address not on the host; EMSGSIZE for oversize', () => {
    const { c } = dualStack();
    const remote = { address: '198.51.100.1', port: 51820 };
    expect(c.io.send(remote, new Uint8Array(1), { address: '192.0.2.9', port: 51820 }).ok).toBe(false);
    expect(c.io.send(remote, new Uint8Array(1), { address: '192.0.2.1', port: 1 })).toEqual({
      ok: false,
      code: 'EADDRNOTAVAIL',
    });
    expect(c.io.send(remote, new Uint8Array(65508))).toEqual({ ok: false, code: 'EMSGSIZE' });
  });

  it('interface down: its addresses are unusable and arrivals on them drop', () => {
    const { sim, server, s } = dualStack();
    server.setInterfaceUp('eth0', false);
    expect(server.addresses()).toEqual(['203.0.113.1']);
    expect(s.io.send({ address: '2001:db8::5', port: 1 }, new Uint8Array(1))).toEqual({
      ok: false,
      code: 'ENETUNREACH',
    });
    const path = sim.getPath('192.0.2.1', '198.51.100.1')!;
    sim
      .host('client')!
      .ports.get(51820)!
      .io.send({ address: '198.51.100.1', port: 51820 }, new Uint8Array(1));
    sim.run(100);
    expect(path.forward.counters.dropped.unreachable).toBe(1);
  });
});

describe('delivery', () => {
  it('an echo answers from the address the datagram arrived at', () => {
    const { sim, c } = dualStack();
    c.io.send({ address: '198.51.100.1', port: 51820 }, new Uint8Array(3));
    sim.run(100);
    const rec = c.node as Recorder;
    expect(rec.got).toEqual([
      {
        local: { address: '192.0.2.1', port: 51820 },
        remote: { address: '198.51.100.1', port: 51820 },
        at: 20,
      },
    ]);
  });

  it('a datagram to an unbound port is dropped and counted', () => {
    const { sim, c } = dualStack();
    c.io.send({ address: '198.51.100.1', port: 9 }, new Uint8Array(3));
    sim.run(100);
    expect(sim.getPath('198.51.100.1', '192.0.2.1')!.forward.counters.dropped.unbound).toBe(1);
  });

  it('picks a source address that has a path', () => {
    const sim = new Simulator();
    const a = sim.addHost('a', { addresses: ['10.0.0.1', '10.0.1.1'] });
    sim.addHost('b', { addresses: ['10.0.2.1'] });
    sim.path('10.0.1.1', '10.0.2.1', { delay: 1 });
    const h = sim.attach(new Recorder(), { host: a, port: 5 });
    const rb = new Recorder();
    sim.attach(rb, { host: sim.host('b')!, port: 5 });
    h.io.send({ address: '10.0.2.1', port: 5 }, new Uint8Array(1));
    sim.run(10);
    expect(rb.got[0]?.remote).toEqual({ address: '10.0.1.1', port: 5 });
  });

  it('rejects duplicate addresses, ports and paths with typed errors', () => {
    const { sim, client } = dualStack();
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof NetsimError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => sim.addHost('x', { addresses: ['10.9.0.1', '192.0.2.1'] }))).toBe('DUPLICATE_ADDRESS');
    expect(sim.ownerOf('10.9.0.1')).toBeUndefined();
    expect(code(() => sim.addHost('y', { addresses: ['10.9.0.1', '10.9.0.01'] }))).toBe('INVALID_ADDRESS');
    expect(code(() => sim.addHost('y', { addresses: ['fd00::1', 'FD00:0::1'] }))).toBe('DUPLICATE_ADDRESS');
    expect(code(() => sim.attach(new EchoNode(), { host: client, port: 51820 }))).toBe('PORT_IN_USE');
    expect(code(() => sim.path('198.51.100.1', '192.0.2.1'))).toBe('DUPLICATE_PATH');
    expect(code(() => sim.path('192.0.2.1', '2001:db8::1'))).toBe('INVALID_ARGUMENT');
    expect(code(() => client.replaceAddress('10.9.9.9', '10.9.9.8'))).toBe('UNKNOWN_ADDRESS');
    expect(code(() => sim.path('192.0.2.1', '198.51.100.2', { loss: 2 }))).toBe('INVALID_ARGUMENT');
  });
});

describe('NAT rebinding / roaming', () => {
  it('after the client address changes, the server sees the new source and follows it', () => {
    const sim = new Simulator({ seed: 11 });
    const client = sim.addHost('client', { addresses: ['192.0.2.1'] });
    const server = sim.addHost('server', { addresses: ['198.51.100.1'] });
    sim.path('192.0.2.1', '198.51.100.1', { delay: 15 });
    const port = 51820;
    const c = sim.attach(new TunnelNode({ address: '198.51.100.1', port }), {
      host: client,
      port,
      name: 'c',
    });
    const s = sim.attach(new TunnelNode({ address: '192.0.2.1', port }), { host: server, port, name: 's' });
    const up = new Flow(sim, { from: c, to: s, rate: 50, stop: 10_000 });
    const down = new Flow(sim, { from: s, to: c, rate: 50, stop: 10_000 });
    sim.at(5_000, () => client.replaceAddress('192.0.2.1', '192.0.2.77'));
    sim.run(11_000);

    const roams = sim.timeline.fromSource('s').filter((e) => e.kind === 'roam');
    expect(roams).toHaveLength(1);
    expect(roams[0]!.time).toBeGreaterThanOrEqual(5_000);
    expect((roams[0]!.data as { to: Endpoint }).to).toEqual({ address: '192.0.2.77', port });
    expect(deliveryRatio(up.records)).toBe(1);
    // Downstream packets in flight to the old address are lost, then the server follows.
    const lost = down.records.filter((r) => r.deliveredAt === undefined);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.length).toBeLessThanOrEqual(3);
    expect(lost.every((r) => r.sentAt >= 4_980 && r.sentAt <= 5_040)).toBe(true);
    expect(sim.getPath('192.0.2.77', '198.51.100.1')).toBeDefined();
    expect(sim.ownerOf('192.0.2.1')).toBeUndefined();
  });
});
