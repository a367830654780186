/**
 * The SimNode contract: what a simulated participant (an engine adapter, a test fake)
 * implements, and the `NodeIO` the simulator hands it. The simulator never calls a node
 * from inside one of that node's own callbacks: everything a node causes (datagrams, tunnel
 * deliveries) happens in later events, so a sans-I/O state machine needs no reentrancy.
 */
import type { Endpoint } from './endpoint.js';

/** Errors a send can fail with at once, as a UDP socket's `sendto` would. */
export type SendErrorCode =
  /** The host has no usable address or route of the destination's family. */
  | 'ENETUNREACH'
  /** The requested local address is not (or no longer) on the host, or is of another family. */
  | 'EADDRNOTAVAIL'
  /** Larger than a UDP datagram can be (65507 bytes over IPv4, 65527 over IPv6). */
  | 'EMSGSIZE';

export type SendResult = { readonly ok: true } | { readonly ok: false; readonly code: SendErrorCode };

/** What the simulator lends a node during a callback. Valid only for the node it was given to. */
export interface NodeIO {
  /** Virtual time, milliseconds. */
  readonly now: number;
  /**
   * Send a UDP datagram from this node's port. `local` picks the source address (it must be
   * on the host, same port); without it the host picks the first usable address of the
   * destination's family that has a path to it. The bytes are copied: the caller may reuse
   * its buffer. A returned `ok: true` does not mean delivery: the path may drop it.
   */
  send(remote: Endpoint, bytes: Uint8Array, local?: Endpoint): SendResult;
  /** Hand an inner packet to this node's tunnel (the simulated TUN device). Copied. */
  deliverToTunnel(packet: Uint8Array): void;
  /** Uniform in [0, 1), from this node's own seeded stream. */
  random(): number;
  /** Append a tagged entry to the simulation timeline. */
  record(kind: string, data?: unknown): void;
}

export interface SimNode {
  /** A datagram arrived at `local` (this host's address and the node's port) from `remote`. */
  onDatagram(io: NodeIO, local: Endpoint, remote: Endpoint, bytes: Uint8Array): void;
  /** The tunnel produced an inner packet (from a traffic generator). Optional. */
  onTunnelPacket?(io: NodeIO, packet: Uint8Array): void;
  /** The time returned by `nextWake` has come. */
  onWake(io: NodeIO): void;
  /**
   * Absolute virtual time (ms) this node next wants `onWake`, or undefined. Queried after
   * attach and after every callback; the simulator keeps exactly one pending wake per node.
   * A time at or before `now` wakes the node at `now`, after events already queued for `now`.
   */
  nextWake(): number | undefined;
}
