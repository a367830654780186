/**
 * What sits between an engine device and the simulated network, on each host: it counts every
 * datagram by kind (for the overhead metric), drops what the scenario's paths drop and netsim does
 * not model (datagrams over a size limit, server datagrams into an expired NAT mapping), logs the
 * path the client's data takes (the "chosen path" of the timelines), and for send-on-every-path
 * copies every data message onto every other path.
 */
import type { DeviceNode } from '@pathwire/engine';
import type { Endpoint, Host, NodeIO, SendResult, SimNode } from '@pathwire/netsim';
import type { PathTable, SimPath } from './path-table.js';

/** Bytes sent by one side, by kind (WireGuard message types, whitepaper §5.4). */
export interface WireCounters {
  handshakeBytes: number;
  keepaliveBytes: number;
  /** Data messages whose counter was already sent (a copy, by us or by the strategy). */
  duplicateBytes: number;
  /** Data messages of a size the application never sends: in-band probes. */
  probeBytes: number;
  /** Data messages carrying application packets, first copy. */
  applicationBytes: number;
  /** Datagrams the scenario's paths dropped at the sender: over the size limit, into an expired NAT mapping. */
  droppedBySize: number;
  droppedByNat: number;
}

export function emptyWireCounters(): WireCounters {
  return {
    handshakeBytes: 0,
    keepaliveBytes: 0,
    duplicateBytes: 0,
    probeBytes: 0,
    applicationBytes: 0,
    droppedBySize: 0,
    droppedByNat: 0,
  };
}

/** A change of the path the client's data takes. */
export interface ChosenChange {
  readonly at: number;
  readonly path: string | null;
}

export interface WireOptions {
  readonly side: 'client' | 'server';
  readonly host: Host;
  readonly table: PathTable;
  /** Datagram sizes of application packets (everything else of type 4 but keepalives is a probe). */
  readonly applicationSizes: ReadonlySet<number>;
  /** Copy every data message onto every other path to the same peer. */
  readonly duplicate: boolean;
  /** The UDP port both peers use. */
  readonly port: number;
}

type DatagramKind = 'handshake' | 'keepalive' | 'duplicate' | 'probe' | 'application';

const MESSAGE_TRANSPORT = 4;
const KEEPALIVE_LENGTH = 32;

export class WireNode implements SimNode {
  readonly counters = emptyWireCounters();
  /** Client side: the path of each change of the data path. */
  readonly chosen: ChosenChange[] = [];
  /** Times the device's own timers woke it. */
  wakeups = 0;
  /** Times a process beside the device (resolver, oracle) woke. */
  sideWakeups = 0;
  /** Work of processes beside the device (a resolver, an oracle), run from this node's wakes. */
  private readonly timers: { at: number; fn: () => void }[] = [];
  private readonly maxCounter = new Map<number, number>();
  private wrapped: NodeIO | undefined;
  private wrappedFor: NodeIO | undefined;

  constructor(
    private readonly inner: DeviceNode,
    private readonly options: WireOptions,
  ) {}

  onDatagram(io: NodeIO, local: Endpoint, remote: Endpoint, bytes: Uint8Array): void {
    this.inner.onDatagram(this.wrap(io), local, remote, bytes);
  }

  onTunnelPacket(io: NodeIO, packet: Uint8Array): void {
    this.inner.onTunnelPacket(this.wrap(io), packet);
  }

  onWake(io: NodeIO): void {
    const wrapped = this.wrap(io);
    while (this.timers.length > 0 && this.timers[0]!.at <= io.now) {
      this.sideWakeups++;
      this.timers.shift()!.fn();
    }
    const due = this.inner.nextWake();
    if (due !== undefined && due <= io.now) {
      this.wakeups++;
      this.inner.onWake(wrapped);
    }
  }

  nextWake(): number | undefined {
    const inner = this.inner.nextWake();
    const side = this.timers[0]?.at;
    return inner === undefined ? side : side === undefined ? inner : Math.min(inner, side);
  }

  /**
   * Runs `fn` at `at` from this node's own wake, so whatever it does to the device (a command, new
   * endpoints) happens inside a node callback and the simulator sees the device's next wake.
   * Equal times run in scheduling order.
   */
  schedule(at: number, fn: () => void): void {
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.at > at) i--;
    this.timers.splice(i, 0, { at, fn });
  }

  private wrap(io: NodeIO): NodeIO {
    if (this.wrappedFor !== io) {
      this.wrappedFor = io;
      this.wrapped = {
        get now() {
          return io.now;
        },
        send: (remote, bytes, local) => this.send(io, remote, bytes, local),
        deliverToTunnel: (packet) => io.deliverToTunnel(packet),
        random: () => io.random(),
        record: (kind, data) => io.record(kind, data),
      };
    }
    return this.wrapped!;
  }

  private send(io: NodeIO, remote: Endpoint, bytes: Uint8Array, local: Endpoint | undefined): SendResult {
    const { host, table, side } = this.options;
    const family = remote.address.includes(':') ? 6 : 4;
    const source =
      local?.address ?? host.pickSource(family, remote.address, (a, b) => table.between(a, b) !== undefined);
    const path = source === undefined ? undefined : table.between(source, remote.address);
    const isData = bytes[0] === MESSAGE_TRANSPORT;
    const kind = this.count(bytes);
    // A datagram the path drops still left the host (and its copies still go out on the other paths).
    const result =
      path && this.dropped(path, bytes.length, io.now)
        ? ({ ok: true } as const)
        : io.send(remote, bytes, local);
    if (!result.ok || !isData) return result;
    // The chosen path is the one application data takes (not probes, keepalives or copies).
    if (side === 'client' && kind === 'application') this.noteChosen(io.now, path?.name ?? null);
    if (this.options.duplicate && path) this.copyToOtherPaths(io, path, remote.port, bytes);
    return result;
  }

  /** Counts the datagram by kind, and returns the kind. */
  private count(bytes: Uint8Array): DatagramKind {
    const c = this.counters;
    if (bytes[0] !== MESSAGE_TRANSPORT) {
      c.handshakeBytes += bytes.length;
      return 'handshake';
    }
    const receiver = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
    const counter =
      (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16)) + bytes[11]! * 0x100_0000 + bytes[12]! * 2 ** 32;
    const max = this.maxCounter.get(receiver);
    if (max !== undefined && counter <= max) {
      c.duplicateBytes += bytes.length;
      return 'duplicate';
    }
    this.maxCounter.set(receiver, counter);
    if (bytes.length === KEEPALIVE_LENGTH) {
      c.keepaliveBytes += bytes.length;
      return 'keepalive';
    }
    if (this.options.applicationSizes.has(bytes.length)) {
      c.applicationBytes += bytes.length;
      return 'application';
    }
    c.probeBytes += bytes.length;
    return 'probe';
  }

  /** What the scenario's path drops that netsim does not model. */
  private dropped(path: SimPath, length: number, now: number): boolean {
    const client = this.options.side === 'client';
    const direction = client ? path.up : path.down;
    if (client) path.lastClientSend = now;
    else if (path.natTimeoutMs !== undefined && now - path.lastClientSend > path.natTimeoutMs) {
      this.counters.droppedByNat++;
      return true;
    }
    if (direction.maxDatagram > 0 && length > direction.maxDatagram) {
      this.counters.droppedBySize++;
      return true;
    }
    return false;
  }

  private noteChosen(now: number, path: string | null): void {
    const last = this.chosen.at(-1);
    if (last?.path === path) return;
    if (last?.at === now) this.chosen.pop();
    this.chosen.push({ at: now, path });
  }

  /** Send-on-every-path: the same bytes over every other path between these two peers. */
  private copyToOtherPaths(io: NodeIO, used: SimPath, port: number, bytes: Uint8Array): void {
    const client = this.options.side === 'client';
    for (const other of this.options.table.ofReplica(used.replica)) {
      if (other === used) continue;
      const from = client ? other.client : other.server;
      const to = client ? other.server : other.client;
      if (!this.options.host.hasAddress(from)) continue;
      this.count(bytes);
      if (this.dropped(other, bytes.length, io.now)) continue;
      io.send({ address: to, port }, bytes, { address: from, port: this.options.port });
    }
  }
}
