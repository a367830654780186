/** Test helpers shared by pathwire's packages (private, not published). */
export { type Capability, commandCapability, describeWith, isCI, namespaceCapability } from './gate.js';
export { nextJsonLine } from './json-lines.js';
export { type LinkCounters, linkCounters, type UdpCounters, udpCounters } from './kernel-counters.js';
export { type WgKeyPair, wgKeyPair } from './keys.js';
export { releaseLease, takeLease } from './lease.js';
export { hasCommand, run, start, tryRun } from './run.js';
export { type Link, type LinkEnd, Topology, TUNNEL_PREFIX } from './topology.js';
export { waitFor } from './wait.js';
export {
  type StockDevice,
  type StockDeviceConfig,
  type StockPeerConfig,
  startWireguardGo,
} from './wireguard-go.js';
