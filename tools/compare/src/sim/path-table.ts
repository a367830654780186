/**
 * The scenario's paths as the simulator run sees them: one entry per (client copy, path), found by
 * its two addresses, with the state netsim does not model (size limits, NAT mappings) and the
 * bookkeeping the wire needs (which path a datagram takes).
 */
import { type DirectionState, pathStatesAt } from '../scenario/ground-truth.js';
import type { PathDef, ScenarioDefinition } from '../scenario/types.js';

export interface SimPath {
  readonly name: string;
  /** Index of the client copy (hub scenarios have several). */
  readonly replica: number;
  readonly client: string;
  readonly server: string;
  readonly up: DirectionState;
  readonly down: DirectionState;
  readonly natTimeoutMs: number | undefined;
  /** Last time the client sent a datagram over this path (opens / refreshes its NAT mapping). */
  lastClientSend: number;
}

/** The address of client copy `replica`: the last group of the original raised by `replica`. */
export function replicaAddress(address: string, replica: number): string {
  if (replica === 0) return address;
  if (address.includes(':')) {
    const i = address.lastIndexOf(':');
    return `${address.slice(0, i + 1)}${(Number.parseInt(address.slice(i + 1) || '0', 16) + replica).toString(16)}`;
  }
  const i = address.lastIndexOf('.');
  const last = Number(address.slice(i + 1)) + replica;
  if (last > 254) throw new Error(`client copy ${replica} of ${address} runs out of addresses`);
  return `${address.slice(0, i + 1)}${last}`;
}

export class PathTable {
  readonly paths: SimPath[] = [];
  private readonly byAddresses = new Map<string, SimPath>();

  constructor(scenario: ScenarioDefinition, replicas: number) {
    const initial = pathStatesAt(scenario, -1);
    for (let replica = 0; replica < replicas; replica++) {
      for (const [i, def] of scenario.paths.entries())
        this.add(def, replica, initial[i]!.up, initial[i]!.down);
    }
  }

  private add(def: PathDef, replica: number, up: DirectionState, down: DirectionState): void {
    const path: SimPath = {
      name: def.name,
      replica,
      client: replicaAddress(def.client, replica),
      server: def.server,
      up: { ...up },
      down: { ...down },
      natTimeoutMs: def.natTimeoutMs,
      lastClientSend: Number.NEGATIVE_INFINITY,
    };
    this.paths.push(path);
    this.byAddresses.set(`${path.client}>${path.server}`, path);
    this.byAddresses.set(`${path.server}>${path.client}`, path);
  }

  /** The path a datagram from `source` to `destination` takes, if there is one. */
  between(source: string, destination: string): SimPath | undefined {
    return this.byAddresses.get(`${source}>${destination}`);
  }

  named(name: string): SimPath[] {
    return this.paths.filter((p) => p.name === name);
  }

  ofReplica(replica: number): SimPath[] {
    return this.paths.filter((p) => p.replica === replica);
  }
}
