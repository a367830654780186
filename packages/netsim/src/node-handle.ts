/**
 * A node as attached to the simulator: its host and port, its seeded random stream, its
 * pending wake, and the tunnel side that traffic generators use (inject inner packets,
 * listen to packets the node delivers to its tunnel).
 */

import type { Random } from '@pathwire/random';
import type { Endpoint } from './endpoint.js';
import { NetsimError } from './errors.js';
import type { Host } from './host.js';
import type { NodeIO, SendResult, SimNode } from './node.js';

/** The simulator operations a handle forwards to (implemented by `Simulator`). */
export interface NodeDriver {
  readonly now: number;
  sendFrom(handle: NodeHandle, remote: Endpoint, bytes: Uint8Array, local?: Endpoint): SendResult;
  tunnelOut(handle: NodeHandle, packet: Uint8Array): void;
  /** `owned`: the caller gives up the buffer, no copy is needed. */
  tunnelIn(handle: NodeHandle, packet: Uint8Array, owned?: boolean): void;
  recordFrom(handle: NodeHandle, kind: string, data: unknown): void;
}

export type TunnelListener = (packet: Uint8Array, now: number) => void;

class BoundIO implements NodeIO {
  constructor(
    private readonly driver: NodeDriver,
    private readonly handle: NodeHandle,
    private readonly rng: Random,
  ) {}

  get now(): number {
    return this.driver.now;
  }

  send(remote: Endpoint, bytes: Uint8Array, local?: Endpoint): SendResult {
    return this.driver.sendFrom(this.handle, remote, bytes, local);
  }

  deliverToTunnel(packet: Uint8Array): void {
    this.driver.tunnelOut(this.handle, packet);
  }

  random(): number {
    return this.rng.next();
  }

  record(kind: string, data?: unknown): void {
    this.driver.recordFrom(this.handle, kind, data);
  }
}

export class NodeHandle {
  readonly io: NodeIO;
  /** @internal wake bookkeeping, owned by the simulator. */
  wakeAt: number | undefined = undefined;
  /** @internal */
  wakeGen = 0;
  /** @internal */
  attached = true;
  /** @internal */
  readonly tunnelListeners: TunnelListener[] = [];

  constructor(
    private readonly driver: NodeDriver,
    readonly name: string,
    readonly host: Host,
    readonly port: number,
    readonly node: SimNode,
    rng: Random,
  ) {
    this.io = new BoundIO(driver, this, rng);
  }

  /** This node's current endpoints: every usable host address at the node's port. */
  endpoints(family?: 4 | 6): Endpoint[] {
    return this.host.addresses(family).map((address) => ({ address, port: this.port }));
  }

  /** The first usable endpoint of a family (default IPv4, else IPv6). */
  endpoint(family?: 4 | 6): Endpoint {
    const e =
      family === undefined ? (this.endpoints(4)[0] ?? this.endpoints(6)[0]) : this.endpoints(family)[0];
    if (!e) throw new NetsimError('UNKNOWN_ADDRESS', `node ${this.name} has no usable address`);
    return e;
  }

  /** Inject an inner packet into the node's tunnel: `onTunnelPacket` runs at `now` (as an event). */
  injectTunnel(packet: Uint8Array): void {
    this.driver.tunnelIn(this, packet);
  }

  /** @internal like `injectTunnel`, handing over the buffer (generators' fresh packets). */
  injectOwned(packet: Uint8Array): void {
    this.driver.tunnelIn(this, packet, true);
  }

  /** Listen to packets the node delivers to its tunnel. Returns an unsubscribe function. */
  onTunnel(listener: TunnelListener): () => void {
    this.tunnelListeners.push(listener);
    return () => {
      const i = this.tunnelListeners.indexOf(listener);
      if (i >= 0) this.tunnelListeners.splice(i, 1);
    };
  }
}
