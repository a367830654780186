/**
 * The engine's probe rules (probes.ts; DESIGN.md, heartbeat-probe), through whole devices on
 * virtual time: HELLO only on the active endpoint until HELLO_ACK; a probe never moves the
 * receiver's endpoint; a PONG goes to the PING's source; a PING behind the replay window is
 * answered once and a replay of it never; rate limits; counters per reason.
 */
import { Flow } from '@pathwire/netsim';
import { createRoaming, type StrategyDecision, type StrategyV1 } from '@pathwire/strategy';
import { REPLAY_WINDOW_SIZE } from '@pathwire/transport';
import { describe, expect, it } from 'vitest';
import { addAttacker, endpointOf } from './test-support/attacker.js';
import { A_INNER, B_INNER, onNode, type TwoPeers, twoPeers } from './test-support/two-peers.js';
import { TYPE_DATA } from './test-support/wire-tap.js';

/** A sealed 24-byte probe request: 16 header + 32 padded + 16 tag. */
const SEALED_REQUEST = 64;
const B_KEY = '198.51.100.1:51820';
const OTHER = { address: '203.0.113.9', port: 51820 };

/** Roaming, plus `command` events that turn into probe decisions (so a test can ask for probes). */
function commandable(): StrategyV1 {
  const roaming = createRoaming({});
  return {
    specificationVersion: 'v1',
    name: 'test-probes',
    handle(event, context) {
      if (event.type !== 'command') return roaming.handle(event, context);
      const command = event.command as { probe: string; count?: number };
      const decisions: StrategyDecision[] = [];
      for (let i = 0; i < (command.count ?? 1); i++)
        decisions.push({ type: 'probe', endpoint: command.probe });
      return decisions;
    },
  };
}

/** A and B with a session (a short flow), A's strategy commandable. */
function world(seed: number): TwoPeers {
  const w = twoPeers({ seed, capture: true, strategyA: commandable() });
  new Flow(w.sim, {
    from: w.a.handle,
    to: w.b.handle,
    rate: 10,
    size: 100,
    src: A_INNER,
    dst: B_INNER,
    stop: 500,
  });
  return w;
}

function probeFromA(w: TwoPeers, endpoint: string, at: number, count = 1): void {
  onNode(
    w,
    'a',
    (now) => w.a.device.command(w.a.device.peer(w.b.device.publicKey)!, { probe: endpoint, count }, now),
    at,
  );
}

describe('HELLO before anything else', () => {
  it('a probe to a peer not known yet is a HELLO on the active endpoint; elsewhere it is refused', () => {
    const w = world(41);
    const { a, b, sim } = w;
    onNode(
      w,
      'a',
      (now) => {
        const peer = a.device.peer(b.device.publicKey)!;
        a.device.setEndpoints(peer, [endpointOf(b), OTHER], now);
      },
      1_000,
    );
    probeFromA(w, `${OTHER.address}:51820`, 1_100);
    probeFromA(w, B_KEY, 1_200);
    sim.run(3_000);
    expect(a.device.counters.drops['probe-refused']).toBe(1);
    expect(a.wire.select('out').filter((e) => e.remote.address === OTHER.address)).toHaveLength(0);
    expect(a.device.counters.probes['hello-sent']).toBe(1);
    expect(b.device.counters.probes['hello-received']).toBe(1);
    expect(b.device.counters.probes['hello-ack-sent']).toBe(1);
    expect(a.device.counters.probes['hello-ack-received']).toBe(1);
    expect(a.device.peer(b.device.publicKey)!.probeSupport).toBe('yes');
    // A HELLO is also proof to B that A speaks probes.
    expect(b.device.peer(a.device.publicKey)!.probeSupport).toBe('yes');
    const record = a.device.peer(b.device.publicKey)!.endpoints.get(B_KEY)!;
    expect([record.probesSent, record.probesAnswered, record.probesLost]).toEqual([1, 1, 0]);
  });

  it('after the HELLO_ACK, PINGs may go to any endpoint; unanswered ones are lost and the endpoint turns suspect, then down', () => {
    const w = world(42);
    const { a, b, sim } = w;
    probeFromA(w, B_KEY, 1_000);
    onNode(
      w,
      'a',
      (now) => {
        const peer = a.device.peer(b.device.publicKey)!;
        a.device.setEndpoints(peer, [endpointOf(b), OTHER], now);
      },
      1_500,
    );
    for (const at of [2_000, 2_100, 2_200]) probeFromA(w, `${OTHER.address}:51820`, at);
    sim.run(10_000);
    const other = a.device.peer(b.device.publicKey)!.endpoints.get(`${OTHER.address}:51820`)!;
    expect(a.device.counters.probes['ping-sent']).toBe(3);
    expect(other.probesLost).toBe(3);
    expect(other.state).toBe('down');
    expect(a.device.counters.probes.lost).toBe(3);
  });
});

describe('receiver rules', () => {
  it('a PING behind the replay window is answered once, to its source, without moving the endpoint; its replay never', () => {
    const w = world(43);
    const { a, b, sim } = w;
    const attacker = addAttacker(w, b);
    probeFromA(w, B_KEY, 1_000); // HELLO → A knows B answers
    // Withhold A's next PING from B, then let > REPLAY_WINDOW_SIZE data packets overtake it.
    let withhold = false;
    b.wire.inbound = (_remote, bytes) => {
      if (!withhold || bytes[0] !== TYPE_DATA || bytes.length !== SEALED_REQUEST) return 'pass';
      withhold = false;
      return 'withhold';
    };
    sim.at(1_900, () => {
      withhold = true;
    });
    probeFromA(w, B_KEY, 2_000);
    new Flow(sim, {
      from: a.handle,
      to: b.handle,
      rate: 10_000,
      size: 60,
      src: A_INNER,
      dst: B_INNER,
      start: 2_100,
      stop: 2_100 + ((REPLAY_WINDOW_SIZE + 200) / 10_000) * 1000,
    });
    const ping = () => b.wire.withheld[0]!.bytes!;
    // The stale PING arrives from another address (an attacker replaying it, or a NAT rebinding).
    sim.at(4_000, () => attacker.send(endpointOf(b), ping()));
    sim.at(4_100, () => attacker.send(endpointOf(b), ping()));
    sim.at(4_200, () => a.handle.io.send(endpointOf(b), ping()));
    sim.run(5_000);
    expect(b.wire.withheld).toHaveLength(1);
    expect(b.device.counters.probes['ping-received']).toBe(1);
    expect(b.device.counters.probes['pong-sent']).toBe(1);
    expect(b.device.counters.drops['probe-replay']).toBe(2);
    // The PONG went to the PING's source; B still sends to A's real address.
    expect(attacker.node.received.filter((r) => r.bytes[0] === TYPE_DATA)).toHaveLength(1);
    expect(b.device.peer(a.device.publicKey)!.active?.key).toBe(`${a.address}:51820`);
    expect(b.device.peer(a.device.publicKey)!.endpoints.size).toBe(1);
  });

  it('a fresh PING from a new source is answered there and never learned or followed', () => {
    const w = world(44);
    const { a, b, sim } = w;
    const attacker = addAttacker(w, b);
    probeFromA(w, B_KEY, 1_000);
    let withhold = false;
    b.wire.inbound = (_remote, bytes) => {
      if (!withhold || bytes.length !== SEALED_REQUEST) return 'pass';
      withhold = false;
      return 'withhold';
    };
    sim.at(1_900, () => {
      withhold = true;
    });
    probeFromA(w, B_KEY, 2_000);
    sim.at(3_000, () => attacker.send(endpointOf(b), b.wire.withheld[0]!.bytes!));
    sim.run(4_000);
    expect(b.device.counters.probes['pong-sent']).toBe(1);
    expect(attacker.node.received).toHaveLength(1);
    expect(b.device.peer(a.device.publicKey)!.active?.key).toBe(`${a.address}:51820`);
    expect(b.device.peer(a.device.publicKey)!.endpoints.size).toBe(1);
  });
});

describe('rate limits', () => {
  it('sends at most the burst of probes at once; the rest are counted, not sent', () => {
    const w = world(45);
    const { a, b, sim } = w;
    probeFromA(w, B_KEY, 1_000);
    probeFromA(w, B_KEY, 2_000, 100);
    sim.run(3_000);
    const sent = a.device.counters.probes['ping-sent']!;
    expect(sent).toBeLessThanOrEqual(25);
    expect(sent + a.device.counters.drops['probe-rate-limited']!).toBe(100);
    expect(b.device.counters.probes['pong-sent']).toBe(sent);
  });
});
