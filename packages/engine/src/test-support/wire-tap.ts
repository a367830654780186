/**
 * A wire tap for engine tests: a `SimNode` wrapper that logs every datagram a node sends and
 * receives (time, direction, remote endpoint, WireGuard message type, length, optionally the
 * bytes) and can withhold chosen inbound datagrams (to reorder or replay them later from a
 * script). It changes nothing else: calls go straight through to the wrapped node.
 */
import type { Endpoint, NodeIO, SendResult, SimNode } from '@pathwire/netsim';
import { readCounter, readReceiverIndex } from '@pathwire/transport';

export const TYPE_INITIATION = 1;
export const TYPE_RESPONSE = 2;
export const TYPE_COOKIE_REPLY = 3;
export const TYPE_DATA = 4;
/** A keepalive on the wire: header (16) + tag of an empty payload (16). */
export const KEEPALIVE_BYTES = 32;
/** Not an IP packet: marks an `act` request on the tunnel side. */
const ACT_MARKER = new Uint8Array([0xff]);

export interface WireEntry {
  readonly time: number;
  readonly direction: 'in' | 'out';
  /** The other side: destination of an `out`, source of an `in`. */
  readonly remote: Endpoint;
  /** First byte when the next three are zero, else -1. */
  readonly type: number;
  readonly length: number;
  /** Only when the tap captures bytes. */
  readonly bytes?: Uint8Array;
}

/** Return 'withhold' to keep an inbound datagram from the node (the tap still logs it, as `withheld`). */
export type InboundFilter = (remote: Endpoint, bytes: Uint8Array, now: number) => 'pass' | 'withhold';

export function wireType(bytes: Uint8Array): number {
  return bytes.length >= 4 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0 ? bytes[0]! : -1;
}

/** The counter of a data message (type 4), or undefined. */
export function dataCounter(bytes: Uint8Array): number | undefined {
  return wireType(bytes) === TYPE_DATA && bytes.length >= 32 ? readCounter(bytes) : undefined;
}

/** The receiver index of a data message (type 4), or undefined. */
export function dataReceiver(bytes: Uint8Array): number | undefined {
  return wireType(bytes) === TYPE_DATA && bytes.length >= 32 ? readReceiverIndex(bytes) : undefined;
}

export class WireTap implements SimNode {
  readonly entries: WireEntry[] = [];
  readonly withheld: WireEntry[] = [];
  /** Keep a copy of every datagram's bytes in the log. */
  capture = false;
  inbound: InboundFilter | undefined;
  private readonly actions: ((now: number) => void)[] = [];

  constructor(private readonly inner: SimNode) {}

  /**
   * Runs `fn` inside one of this node's own callbacks, at the current virtual time, so that what
   * it makes the wrapped node do (sends, new timers) goes through the simulator: the wrapped
   * node gets its I/O first (an `onWake`, harmless when nothing is due) and the simulator asks
   * for its next wake afterwards. Direct calls from a `sim.at` script would bypass both.
   */
  act(handle: { injectTunnel(packet: Uint8Array): void }, fn: (now: number) => void): void {
    this.actions.push(fn);
    handle.injectTunnel(ACT_MARKER);
  }

  private log(
    list: WireEntry[],
    time: number,
    direction: 'in' | 'out',
    remote: Endpoint,
    bytes: Uint8Array,
  ): void {
    list.push({
      time,
      direction,
      remote: { address: remote.address, port: remote.port },
      type: wireType(bytes),
      length: bytes.length,
      ...(this.capture || list === this.withheld ? { bytes: bytes.slice() } : {}),
    });
  }

  private wrap(io: NodeIO): NodeIO {
    const log = (remote: Endpoint, bytes: Uint8Array): void =>
      this.log(this.entries, io.now, 'out', remote, bytes);
    return {
      get now() {
        return io.now;
      },
      send(remote: Endpoint, bytes: Uint8Array, local?: Endpoint): SendResult {
        log(remote, bytes);
        return io.send(remote, bytes, local);
      },
      deliverToTunnel: (packet) => io.deliverToTunnel(packet),
      random: () => io.random(),
      record: (kind, data) => io.record(kind, data),
    };
  }

  onDatagram(io: NodeIO, local: Endpoint, remote: Endpoint, bytes: Uint8Array): void {
    if (this.inbound?.(remote, bytes, io.now) === 'withhold') {
      this.log(this.withheld, io.now, 'in', remote, bytes);
      return;
    }
    this.log(this.entries, io.now, 'in', remote, bytes);
    this.inner.onDatagram(this.wrap(io), local, remote, bytes);
  }

  onTunnelPacket(io: NodeIO, packet: Uint8Array): void {
    if (packet.length === ACT_MARKER.length && packet[0] === ACT_MARKER[0] && this.actions.length > 0) {
      const wrapped = this.wrap(io);
      this.inner.onWake(wrapped);
      this.actions.shift()!(io.now);
      return;
    }
    this.inner.onTunnelPacket?.(this.wrap(io), packet);
  }

  onWake(io: NodeIO): void {
    this.inner.onWake(this.wrap(io));
  }

  nextWake(): number | undefined {
    return this.inner.nextWake();
  }

  /** Entries matching a direction and optionally a type and length. */
  select(direction: 'in' | 'out', type?: number, length?: number): WireEntry[] {
    return this.entries.filter(
      (e) =>
        e.direction === direction &&
        (type === undefined || e.type === type) &&
        (length === undefined || e.length === length),
    );
  }
}

/** A node that only listens: it logs what it receives (an attacker's port, say). */
export class ListenerNode implements SimNode {
  readonly received: { time: number; remote: Endpoint; bytes: Uint8Array }[] = [];

  onDatagram(io: NodeIO, _local: Endpoint, remote: Endpoint, bytes: Uint8Array): void {
    this.received.push({
      time: io.now,
      remote: { address: remote.address, port: remote.port },
      bytes: bytes.slice(),
    });
  }

  onWake(): void {}

  nextWake(): number | undefined {
    return undefined;
  }
}
