/**
 * One run of one scenario with one strategy and one seed on virtual time: the scenario's hosts and
 * paths in `@pathwire/netsim`, an engine device on the server and on each client, a probe stream
 * through every client's tunnel, the scenario's load and faults, the strategy's resolver and oracle
 * habits. Returns what was observed; `metrics/` turns it into numbers.
 */
import type { Peer } from '@pathwire/engine';
import {
  type DeliveryRecord,
  Flow,
  type Host,
  type LinkProps,
  type NodeHandle,
  Ping,
  type Simulator as Sim,
  Simulator,
} from '@pathwire/netsim';
import { isUserspaceOracle } from '@pathwire/strategy-userspace-oracle';
import { groundTruth, streamDatagramSize, type TruthSegment } from '../scenario/ground-truth.js';
import type { FaultSpec, LinkSpec, PathChange, ScenarioDefinition } from '../scenario/types.js';
import type { OracleView, RunContext, StrategyEntry } from '../strategies/types.js';
import { EPOCH, makeDevice, type SimDevice } from './devices.js';
import { PathTable, replicaAddress } from './path-table.js';
import { type ChosenChange, emptyWireCounters, type WireCounters, WireNode } from './wire-node.js';

export const PORT = 51820;
export const SERVER_INNER = '10.0.0.1';
/** Inner address of client copy `replica`. */
export const clientInner = (replica: number) => `10.1.${replica >> 8}.${(replica & 255) + 1}`;

const endpointKey = (address: string) =>
  address.includes(':') ? `[${address}]:${PORT}` : `${address}:${PORT}`;
const endpoint = (address: string) => ({ address, port: PORT });

export interface SimOptions {
  /** Probe stream rate, packets per second (each an echo request answered by the server). */
  readonly streamHz: number;
}

export interface SwitchEvent {
  readonly at: number;
  readonly from: string;
  readonly to: string;
}

export interface ClientObservation {
  /** The probe stream: send time, and the time the echo reply came back (RTT = difference). */
  readonly stream: readonly DeliveryRecord[];
  /** Each change of the path the client's data takes. */
  readonly chosen: readonly ChosenChange[];
  /** Each change of the active endpoint after the first. */
  readonly switches: readonly SwitchEvent[];
  /** Times the device was woken by its timers, plus the oracle process's wake-ups. */
  readonly wakeups: number;
}

export interface Observations {
  readonly scenario: ScenarioDefinition;
  readonly truth: readonly TruthSegment[];
  readonly streamIntervalMs: number;
  readonly clients: readonly ClientObservation[];
  /** Both peers' datagrams by kind, summed over every device. */
  readonly wire: WireCounters;
  readonly eventsProcessed: number;
}

function linkProps(link: Partial<LinkSpec> & PathChange): Partial<LinkProps> {
  const props: Partial<LinkProps> = {};
  if (link.rttMs !== undefined) props.delay = link.rttMs / 2;
  if (link.jitterMs !== undefined) props.jitter = link.jitterMs;
  if (link.loss !== undefined) props.loss = link.loss;
  if (link.rateMbps !== undefined) props.bandwidth = link.rateMbps * 1e6;
  if (link.bufferMs !== undefined) props.queueLimit = link.bufferMs;
  if (link.blackhole !== undefined) props.blackhole = link.blackhole;
  return props;
}

interface Client {
  readonly replica: number;
  readonly host: Host;
  readonly device: SimDevice;
  readonly wire: WireNode;
  readonly handle: NodeHandle;
  readonly peer: Peer;
}

export function simulate(
  scenario: ScenarioDefinition,
  entry: StrategyEntry,
  seed: number,
  options: SimOptions,
): Observations {
  const sim = new Simulator({ seed });
  const replicas = scenario.clients ?? 1;
  const table = new PathTable(scenario, replicas);
  const truth = groundTruth(scenario);
  const context: RunContext = {
    scenario,
    truth,
    seed,
    endpointOfPath: new Map(scenario.paths.map((p) => [p.name, endpointKey(p.server)])),
  };
  const applicationSizes = new Set([streamDatagramSize(scenario)]);
  if (scenario.load)
    applicationSizes.add(streamDatagramSize({ ...scenario, streamSize: scenario.load.size }));

  const serverHost = sim.addHost('server', {
    interfaces: scenario.server.map((i) => ({ name: i.name, addresses: [...i.addresses] })),
  });
  const clientHosts = Array.from({ length: replicas }, (_, r) =>
    sim.addHost(`client-${r}`, {
      interfaces: scenario.client.map((i) => ({
        name: i.name,
        addresses: i.addresses.map((a) => replicaAddress(a, r)),
      })),
    }),
  );
  for (const p of table.paths) {
    const def = scenario.paths.find((d) => d.name === p.name)!;
    sim.path(p.client, p.server, linkProps(def.link), linkProps(def.link));
  }

  const server = makeDevice(sim.forkRandom('device:server'));
  const serverWire = new WireNode(server.node, {
    side: 'server',
    host: serverHost,
    table,
    applicationSizes,
    duplicate: entry.duplicate ?? false,
    port: PORT,
  });
  const serverHandle = sim.attach(serverWire, { host: serverHost, port: PORT, name: 'server' });

  const clients: Client[] = clientHosts.map((host, replica) => {
    const device = makeDevice(sim.forkRandom(`device:client-${replica}`));
    server.device.setPeer(
      { publicKey: device.device.publicKey, allowedIPs: [`${clientInner(replica)}/32`] },
      0,
    );
    const peer = device.device.setPeer(
      {
        publicKey: server.device.publicKey,
        allowedIPs: [`${SERVER_INNER}/32`],
        endpoints: scenario.endpoints.map(endpoint),
        strategy: entry.client(context),
      },
      0,
    );
    const wire = new WireNode(device.node, {
      side: 'client',
      host,
      table,
      applicationSizes,
      duplicate: entry.duplicate ?? false,
      port: PORT,
    });
    const handle = sim.attach(wire, { host, port: PORT, name: `client-${replica}` });
    return { replica, host, device, wire, handle, peer };
  });

  const streamIntervalMs = 1000 / options.streamHz;
  const streams = clients.map(
    (c) =>
      new Ping(sim, {
        from: c.handle,
        to: serverHandle,
        src: clientInner(c.replica),
        dst: SERVER_INNER,
        interval: streamIntervalMs,
        size: scenario.streamSize ?? 48,
        stop: scenario.durationMs,
      }),
  );
  if (scenario.load) startLoad(sim, scenario, clients, serverHandle);

  let records = [...scenario.endpoints];
  for (const fault of scenario.faults) {
    sim.at(fault.at, () => {
      if ('dns' in fault) records = [...fault.dns];
      else applyFault(sim, table, clients, fault);
    });
  }
  if (scenario.dns && entry.resolves) {
    // pathwire's resolver: a fresh lookup each time the records' TTL runs out.
    const ttl = scenario.dns.ttlMs;
    for (const c of clients) {
      for (let t = ttl; t < scenario.durationMs; t += ttl) {
        c.wire.schedule(t, () => c.device.device.setEndpoints(c.peer, records.map(endpoint), sim.now));
      }
    }
  }
  if (entry.oracle) {
    for (const c of clients) startOracle(sim, entry, context, c, () => records);
  }

  sim.run(scenario.durationMs + 1_000);

  const wire = emptyWireCounters();
  for (const w of [serverWire, ...clients.map((c) => c.wire)]) {
    for (const key of Object.keys(wire) as (keyof WireCounters)[]) wire[key] += w.counters[key];
  }
  return {
    scenario,
    truth,
    streamIntervalMs,
    wire,
    eventsProcessed: sim.eventsProcessed,
    clients: clients.map((c, i) => ({
      stream: streams[i]!.records,
      chosen: c.wire.chosen,
      switches: switchesOf(sim, `client-${c.replica}`),
      wakeups: c.wire.wakeups + c.wire.sideWakeups,
    })),
  };
}

function switchesOf(sim: Sim, source: string): SwitchEvent[] {
  const out: SwitchEvent[] = [];
  for (const e of sim.timeline.entries) {
    if (e.source !== source || e.kind !== 'endpoint-changed') continue;
    const data = e.data as { from?: { address: string }; to: { address: string } };
    if (data.from)
      out.push({ at: e.time, from: endpointKey(data.from.address), to: endpointKey(data.to.address) });
  }
  return out;
}

function applyFault(sim: Sim, table: PathTable, clients: readonly Client[], fault: FaultSpec): void {
  if ('iface' in fault) {
    for (const c of clients) c.host.setInterfaceUp(fault.iface, fault.up);
    return;
  }
  if (!('path' in fault)) return;
  const direction = fault.direction ?? 'both';
  const side = direction === 'up' ? 'forward' : direction === 'down' ? 'reverse' : 'both';
  for (const p of table.named(fault.path)) {
    sim.getPath(p.client, p.server)!.set(linkProps(fault.set), side);
    if (fault.set.maxDatagram !== undefined) {
      if (direction !== 'down') p.up.maxDatagram = fault.set.maxDatagram;
      if (direction !== 'up') p.down.maxDatagram = fault.set.maxDatagram;
    }
  }
}

function startLoad(
  sim: Sim,
  scenario: ScenarioDefinition,
  clients: readonly Client[],
  serverHandle: NodeHandle,
): void {
  const load = scenario.load!;
  const rate = (load.rateMbps * 1e6) / (load.size * 8);
  for (const c of clients) {
    for (const [start, stop] of load.windows) {
      const down = load.direction === 'down';
      new Flow(sim, {
        from: down ? serverHandle : c.handle,
        to: down ? c.handle : serverHandle,
        src: down ? SERVER_INNER : clientInner(c.replica),
        dst: down ? clientInner(c.replica) : SERVER_INNER,
        rate,
        size: load.size,
        start,
        stop,
      });
    }
  }
}

function startOracle(
  sim: Sim,
  entry: StrategyEntry,
  context: RunContext,
  client: Client,
  records: () => readonly string[],
): void {
  const process = entry.oracle!(context);
  const { device } = client.device;
  const { peer, wire } = client;
  const strategy = peer.strategy;
  if (!isUserspaceOracle(strategy)) {
    throw new Error(
      `strategy ${entry.name}: an oracle needs a userspace-oracle strategy, got ${strategy.name}`,
    );
  }
  strategy.onNotice = (notice) => process.onNotice?.(notice);
  const view: OracleView = {
    get now() {
      return sim.now;
    },
    lastHandshakeAt: () => {
      const wall = peer.lastHandshakeWallClock;
      return wall === undefined ? undefined : wall - EPOCH;
    },
    endpoints: () => peer.endpoints.list.map((e) => e.key),
    resolve: () => records().map(endpointKey),
    activeEndpoint: () => peer.active?.key,
    select: (key, leaseMs, mode) =>
      device.command(peer, { op: 'select', endpoint: key, mode, until: sim.now + leaseMs }, sim.now),
    probe: (key) => device.command(peer, { op: 'probe', endpoint: key }, sim.now),
    setEndpoints: (keys) =>
      device.setEndpoints(
        peer,
        keys.map((k) => endpoint(addressOf(k))),
        sim.now,
      ),
    after: (ms, fn) => wire.schedule(sim.now + ms, fn),
  };
  // A timer started at a random moment: its phase relative to the faults differs between seeds.
  const phase = Math.floor(sim.forkRandom(`oracle:${client.replica}`).next() * process.periodMs);
  const tick = (at: number) => {
    if (at >= context.scenario.durationMs) return;
    wire.schedule(at, () => {
      process.poll(view);
      tick(at + process.periodMs);
    });
  };
  tick(phase);
}

/** The address of an endpoint key (`192.0.2.1:51820`, `[2001:db8::1]:51820`). */
function addressOf(key: string): string {
  return key.startsWith('[') ? key.slice(1, key.indexOf(']')) : key.slice(0, key.lastIndexOf(':'));
}
