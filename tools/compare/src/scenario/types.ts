/**
 * A scenario as plain data: hosts, paths with their link properties, timed faults, traffic. Nothing
 * here refers to the simulator, so the same definition can drive `@pathwire/netsim` (the `sim`
 * mode) and real network namespaces (the lab's `--real` mode). Times are ms from the run's start;
 * addresses are documentation ranges (RFC 5737, RFC 3849).
 */

/** Properties of one path, the same both ways unless a fault says otherwise. */
export interface LinkSpec {
  /** Round-trip time, ms (half of it each way). */
  readonly rttMs: number;
  /** Each packet's one-way delay varies uniformly by ± this, ms. */
  readonly jitterMs?: number;
  /** Random loss probability per packet, each way, in [0, 1]. */
  readonly loss?: number;
  /** Bottleneck rate, Mbit/s (0 or absent: unlimited). */
  readonly rateMbps?: number;
  /** With a rate: the buffer, in ms of backlog, before tail drop. */
  readonly bufferMs?: number;
}

/** A change of a path in one or both directions (`up` = client to server, `down` = server to client). */
export interface PathChange extends Partial<LinkSpec> {
  /** Drop everything, silently. */
  readonly blackhole?: boolean;
  /** Datagrams larger than this many bytes (UDP payload) are dropped; 0 lifts the limit. */
  readonly maxDatagram?: number;
}

export type Direction = 'both' | 'up' | 'down';

export type FaultSpec =
  /** Change a path (by name). */
  | { readonly at: number; readonly path: string; readonly direction?: Direction; readonly set: PathChange }
  /** Take an interface of the client down or up (Wi-Fi lost, LTE back). */
  | { readonly at: number; readonly iface: string; readonly up: boolean }
  /** The server's hostname resolves to these addresses from now on (clients see it on their next lookup). */
  | { readonly at: number; readonly dns: readonly string[] };

export interface InterfaceDef {
  readonly name: string;
  readonly addresses: readonly string[];
}

/** A path between one client address and one server address. */
export interface PathDef {
  readonly name: string;
  readonly client: string;
  readonly server: string;
  readonly link: LinkSpec;
  /**
   * A NAT in front of the client on this path: a mapping expires after this much time without a
   * datagram from the client, and datagrams from the server are dropped until the client sends again.
   */
  readonly natTimeoutMs?: number;
}

/** Bulk application traffic that competes with the probe stream (e.g. a TCP download). */
export interface LoadSpec {
  /** Offered rate, Mbit/s of inner packets. */
  readonly rateMbps: number;
  /** Inner packet size, bytes. */
  readonly size: number;
  /** Server to client (a download) or client to server. */
  readonly direction: 'up' | 'down';
  /** [start, stop) windows, ms. */
  readonly windows: readonly (readonly [number, number])[];
}

export interface ScenarioDefinition {
  /** Stable identifier used on the command line and in results.json. */
  readonly name: string;
  /** One line for people. */
  readonly title: string;
  /** What happens, and what the right answer is. */
  readonly description: string;
  /** Virtual length of one run, ms. */
  readonly durationMs: number;
  /** The client's interfaces (the client is the peer whose strategy is compared). */
  readonly client: readonly InterfaceDef[];
  /** The server's interfaces. */
  readonly server: readonly InterfaceDef[];
  readonly paths: readonly PathDef[];
  /** The client's configured endpoints for the server (addresses, port 51820), in order. */
  readonly endpoints: readonly string[];
  /** The endpoints came from a hostname whose records the client re-reads every `ttlMs`. */
  readonly dns?: { readonly ttlMs: number };
  /** Inner size of the probe stream's packets, bytes (default 48). */
  readonly streamSize?: number;
  readonly load?: LoadSpec;
  /**
   * A hub: this many clients, each a copy of `client` whose addresses' last group is raised by
   * its index, with its own copy of every path (faults apply to every copy).
   */
  readonly clients?: number;
  readonly faults: readonly FaultSpec[];
}
