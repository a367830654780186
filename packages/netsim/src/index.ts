/**
 * @pathwire/netsim: a deterministic discrete-event network simulator. Virtual time in ms,
 * seeded randomness, hosts with IPv4/IPv6 addresses, direction-aware paths (delay, jitter,
 * loss, reordering, bandwidth, blackholes), faults, traffic generators and summaries.
 *
 * @example
 * ```ts
 * import { Flow, Simulator, TunnelNode, deliveryRatio, latencySummary } from '@pathwire/netsim';
 *
 * const sim = new Simulator({ seed: 7 });
 * const a = sim.addHost('a', { addresses: ['192.0.2.1'] });
 * const b = sim.addHost('b', { addresses: ['198.51.100.1'] });
 * const path = sim.path('192.0.2.1', '198.51.100.1', { delay: 20, jitter: 2, loss: 0.01 });
 * const na = sim.attach(new TunnelNode({ address: '198.51.100.1', port: 51820 }), { host: a, port: 51820 });
 * const nb = sim.attach(new TunnelNode({ address: '192.0.2.1', port: 51820 }), { host: b, port: 51820 });
 * const flow = new Flow(sim, { from: na, to: nb, rate: 50, stop: 10_000 });
 * sim.at(4_000, () => path.blackhole(true));
 * sim.at(5_000, () => path.blackhole(false));
 * sim.run(11_000);
 * console.log(deliveryRatio(flow.records), latencySummary(flow.records).p50);
 * ```
 */

export { Random } from '@pathwire/random';
export {
  type AddressFamily,
  addressFamily,
  canonicalAddress,
  type Endpoint,
  formatEndpoint,
} from './endpoint.js';
export { NetsimError, type NetsimErrorCode } from './errors.js';
export { EventQueue, type Scheduled } from './event-queue.js';
export { applyFault, describeFault, type Fault, scheduleFaults } from './faults.js';
export { Host, type HostSpec, type InterfaceSpec, type NetInterface } from './host.js';
export {
  buildProbePacket,
  echoReplyFor,
  IPPROTO_ICMP,
  IPPROTO_UDP,
  internetChecksum,
  MIN_PROBE_PACKET,
  type Probe,
  type ProbeKind,
  type ProbePacketOptions,
  parseProbePacket,
} from './inner-packet.js';
export {
  DEFAULT_LINK,
  type DropReason,
  type LinkCounters,
  type LinkProps,
  Path,
  PathDirection,
  type PathSide,
} from './link.js';
export type { NodeIO, SendErrorCode, SendResult, SimNode } from './node.js';
export { NodeHandle, type TunnelListener } from './node-handle.js';
export { type AttachOptions, type SimCounters, Simulator, type SimulatorOptions } from './simulator.js';
export {
  deliveryRatio,
  type Gap,
  type LatencySummary,
  latencies,
  latencySummary,
  longestGap,
  longestOutage,
  type Outage,
  outageAround,
  percentile,
} from './stats.js';
export { EchoNode, TunnelNode, type TunnelNodeOptions } from './test-nodes.js';
export { Timeline, type TimelineEntry } from './timeline.js';
export {
  type DeliveryRecord,
  Flow,
  type FlowOptions,
  installEchoResponder,
  Ping,
  type PingOptions,
} from './traffic.js';
