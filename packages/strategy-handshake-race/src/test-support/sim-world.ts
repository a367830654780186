/**
 * Whole peers on virtual time for the strategy's scenarios: a client and a server host in
 * `@pathwire/netsim`, an engine `Device` on each (seeded), any addresses and paths, and a
 * sticky-source wrapper so that a multi-homed host answers from the address a peer reached it on.
 *
 * Why the wrapper: the engine's `DeviceNode` sends without a local address, so netsim picks the
 * host's first address with a path: a multi-homed server would answer every client from its first
 * address, through the very ISP that was blackholed. WireGuard (Linux and wireguard-go) keeps the
 * local address each peer's packets arrive on ("sticky sockets") and sends from it; so does this
 * wrapper, learning only from datagrams the device accepted (its drop counters did not move).
 */
import { nobleBackend } from '@pathwire/crypto';
import { Device, DeviceNode } from '@pathwire/engine';
import {
  type Endpoint,
  type Host,
  type HostSpec,
  type LinkProps,
  type NodeHandle,
  type NodeIO,
  type Path,
  Random,
  type SendResult,
  type SimNode,
  Simulator,
  type TimelineEntry,
} from '@pathwire/netsim';
import type { StrategyV1 } from '@pathwire/strategy';

export const PORT = 51820;
export const CLIENT_INNER = '10.0.0.1';
export const SERVER_INNER = '10.0.0.2';
/** The wall clock at virtual time 0 (TAI64N timestamps must be realistic). */
export const EPOCH = Date.UTC(2026, 0, 1);

function totalDrops(device: Device): number {
  let total = 0;
  for (const count of Object.values(device.counters.drops)) total += count;
  return total;
}

/** Sends from the local address the peer's accepted datagrams arrived at (WireGuard's sticky source). */
export class StickySourceNode implements SimNode {
  private readonly sticky = new Map<string, Endpoint>();
  /** Datagrams sent and received by WireGuard message type (1 initiation, 2 response, 3 cookie, 4 data). */
  readonly sent: Record<number, number> = {};
  readonly received: Record<number, number> = {};

  constructor(
    private readonly inner: DeviceNode,
    private readonly device: Device,
  ) {}

  private wrap(io: NodeIO): NodeIO {
    const sticky = this.sticky;
    const sent = this.sent;
    return {
      get now() {
        return io.now;
      },
      send(remote: Endpoint, bytes: Uint8Array, local?: Endpoint): SendResult {
        const key = `${remote.address}|${remote.port}`;
        const from = local ?? sticky.get(key);
        const type = bytes[0]!;
        sent[type] = (sent[type] ?? 0) + 1;
        const result = io.send(remote, bytes, from);
        if (!result.ok && result.code === 'EADDRNOTAVAIL' && local === undefined && from !== undefined) {
          sticky.delete(key); // the address went away: let the host choose again
          return io.send(remote, bytes);
        }
        return result;
      },
      deliverToTunnel: (packet) => io.deliverToTunnel(packet),
      random: () => io.random(),
      record: (kind, data) => io.record(kind, data),
    };
  }

  onDatagram(io: NodeIO, local: Endpoint, remote: Endpoint, bytes: Uint8Array): void {
    this.received[bytes[0]!] = (this.received[bytes[0]!] ?? 0) + 1;
    // The answer to this datagram (a handshake response) must already leave from `local`; if the
    // device drops the datagram, the previous sticky address comes back.
    const key = `${remote.address}|${remote.port}`;
    const previous = this.sticky.get(key);
    this.sticky.set(key, { address: local.address, port: local.port });
    const before = totalDrops(this.device);
    this.inner.onDatagram(this.wrap(io), local, remote, bytes);
    if (totalDrops(this.device) !== before) {
      if (previous) this.sticky.set(key, previous);
      else this.sticky.delete(key);
    }
  }

  onTunnelPacket(io: NodeIO, packet: Uint8Array): void {
    this.inner.onTunnelPacket(this.wrap(io), packet);
  }

  onWake(io: NodeIO): void {
    this.inner.onWake(this.wrap(io));
  }

  nextWake(): number | undefined {
    return this.inner.nextWake();
  }
}

/** A deterministic 32-byte secret from a seed, so simulated runs replay exactly. */
export function seededKey(seed: number): Uint8Array {
  return Random.fromSeed(seed).nextBytes(32);
}

export interface SimSide {
  readonly name: string;
  readonly host: Host;
  readonly handle: NodeHandle;
  readonly device: Device;
  readonly wire: StickySourceNode;
}

export interface SimWorld {
  readonly sim: Simulator;
  readonly client: SimSide;
  readonly server: SimSide;
  /** The path between two addresses (created by `paths`). */
  path(a: string, b: string): Path;
  /** Timeline entries of one side, optionally of one kind (device events: `endpoint-changed`, …). */
  events(side: 'client' | 'server', kind?: string): TimelineEntry[];
  /** The active endpoint key each side uses for the other. */
  activeAt(side: 'client' | 'server'): string | undefined;
}

export interface SimWorldOptions {
  readonly seed: number;
  readonly client: HostSpec;
  readonly server: HostSpec;
  readonly paths: readonly (readonly [string, string, Partial<LinkProps>?])[];
  /** The client's configured endpoints for the server, in candidate order. */
  readonly serverEndpoints: readonly string[];
  readonly clientStrategy: StrategyV1;
  /** Default: the engine's (roaming). */
  readonly serverStrategy?: StrategyV1;
  /** The server's configured endpoints for the client (default none: it learns, like a server). */
  readonly clientEndpoints?: readonly string[];
}

function makeDevice(seed: number): { node: DeviceNode; device: Device } {
  const node = new DeviceNode();
  const random = Random.fromSeed(seed);
  const device = new Device({
    backend: nobleBackend,
    privateKey: seededKey(seed + 1000),
    io: node.deviceIO,
    random: () => random.next(),
    wallClock: (now) => EPOCH + now,
  });
  node.attach(device);
  return { node, device };
}

const endpoint = (address: string): Endpoint => ({ address, port: PORT });

export function createSimWorld(options: SimWorldOptions): SimWorld {
  const sim = new Simulator({ seed: options.seed });
  const clientHost = sim.addHost('client-host', options.client);
  const serverHost = sim.addHost('server-host', options.server);
  for (const [a, b, props] of options.paths) sim.path(a, b, props ?? {});
  const c = makeDevice(options.seed * 10 + 1);
  const s = makeDevice(options.seed * 10 + 2);
  c.device.setPeer(
    {
      publicKey: s.device.publicKey,
      allowedIPs: [`${SERVER_INNER}/32`],
      endpoints: options.serverEndpoints.map(endpoint),
      strategy: options.clientStrategy,
    },
    0,
  );
  s.device.setPeer(
    {
      publicKey: c.device.publicKey,
      allowedIPs: [`${CLIENT_INNER}/32`],
      ...(options.clientEndpoints ? { endpoints: options.clientEndpoints.map(endpoint) } : {}),
      ...(options.serverStrategy ? { strategy: options.serverStrategy } : {}),
    },
    0,
  );
  const clientWire = new StickySourceNode(c.node, c.device);
  const serverWire = new StickySourceNode(s.node, s.device);
  const clientHandle = sim.attach(clientWire, {
    host: clientHost,
    port: PORT,
    name: 'client',
  });
  const serverHandle = sim.attach(serverWire, {
    host: serverHost,
    port: PORT,
    name: 'server',
  });
  const client = {
    name: 'client',
    host: clientHost,
    handle: clientHandle,
    device: c.device,
    wire: clientWire,
  };
  const server = {
    name: 'server',
    host: serverHost,
    handle: serverHandle,
    device: s.device,
    wire: serverWire,
  };
  return {
    sim,
    client,
    server,
    path(a, b) {
      const path = sim.getPath(a, b);
      if (!path) throw new Error(`no path ${a} <-> ${b}`);
      return path;
    },
    events(side, kind) {
      return sim.timeline.entries.filter((e) => e.source === side && (kind === undefined || e.kind === kind));
    },
    activeAt(side) {
      const self = side === 'client' ? client : server;
      const other = side === 'client' ? server : client;
      return self.device.peer(other.device.publicKey)?.active?.key;
    },
  };
}
