/** The interop proof against wireguard-go (private tooling, not published). */
export { buildIcmpEcho as buildEcho, type IcmpEcho as Echo, parseIcmpEcho as parseEcho } from '@pathwire/ip';
export { ManualTunnel, type ManualTunnelOptions } from './manual-tunnel.js';
export {
  createWorld,
  INNER,
  type InteropCase,
  type InteropResult,
  type InteropWorld,
  runCase,
} from './scenario.js';
