/**
 * An attacker for engine tests: its own host and port with a path to one side of a two-peer
 * world, a listening node that logs what comes back (cookie replies, say), and helpers to
 * fire datagrams from that port at virtual times.
 */
import type { Endpoint, Host, NodeHandle, Path, TimelineEntry } from '@pathwire/netsim';
import { PORT, type Side, type TwoPeers } from './two-peers.js';
import { ListenerNode } from './wire-tap.js';

export interface Attacker {
  readonly host: Host;
  readonly path: Path;
  readonly node: ListenerNode;
  readonly handle: NodeHandle;
  readonly address: string;
  /** Sends `bytes` from the attacker's port to `to` now (call from a `sim.at` script). */
  send(to: Endpoint, bytes: Uint8Array): void;
}

export function addAttacker(
  world: TwoPeers,
  target: Side,
  address = '203.0.113.66',
  port = 40_000,
): Attacker {
  const host = world.sim.addHost(`attacker-${address}-${port}`, { addresses: [address] });
  const path = world.sim.path(address, target.address, { delay: 5 });
  const node = new ListenerNode();
  const handle = world.sim.attach(node, { host, port, name: `attacker-${address}-${port}` });
  return {
    host,
    path,
    node,
    handle,
    address,
    send: (to, bytes) => {
      const result = handle.io.send(to, bytes);
      if (!result.ok) throw new Error(`attacker send failed: ${result.code}`);
    },
  };
}

/** The endpoint a side listens on. */
export function endpointOf(side: Side): Endpoint {
  return { address: side.address, port: PORT };
}

/** Device events a node recorded in the simulator timeline (DeviceNode records each event by its type). */
export function eventsOf(world: TwoPeers, source: 'a' | 'b', kind?: string): TimelineEntry[] {
  return world.sim.timeline.entries.filter(
    (e) => e.source === source && (kind === undefined || e.kind === kind),
  );
}
