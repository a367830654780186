/**
 * @pathwire/engine: a sans-I/O WireGuard device whose peers have several endpoints and a
 * pluggable strategy choosing among them. See `Device` for a runnable example.
 */
export { AllowedIPs } from './allowed-ips.js';
export * from './constants.js';
export { Device, type DeviceCounters, type DeviceOptions, type PeerConfig } from './device.js';
export {
  type DatagramBatch,
  type DatagramPort,
  type PacketBatch,
  type PacketPort,
  RealtimeDriver,
  type RealtimeDriverOptions,
} from './driver.js';
export { EndpointRecord, EndpointSet } from './endpoint-set.js';
export type { DeviceEvent, DeviceIO, DropReason } from './events.js';
export { innerDestination, innerFamily, innerSource, packetLength } from './inner-address.js';
export {
  formatIpAddress,
  formatIpPrefix,
  type IpAddress,
  type IpFamily,
  type IpPrefix,
  IpPrefixError,
  parseIpAddress,
  parseIpPrefix,
} from './ip-prefix.js';
export { Peer } from './peer.js';
export { DeviceNode, type SimNodeIO } from './sim-node.js';
export { TimerQueue } from './timer-queue.js';
