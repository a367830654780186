/** The interop proof against wireguard-go (private tooling, not published). */
export { DgramPort } from './dgram-port.js';
export { buildEcho, type Echo, parseEcho } from './icmp.js';
export { ManualTunnel, type ManualTunnelOptions } from './manual-tunnel.js';
export {
  createWorld,
  INNER,
  type InteropCase,
  type InteropResult,
  type InteropWorld,
  runCase,
} from './scenario.js';
