/**
 * `pathwire showconf IFACE`: the running interface in pathwire's config format, as `wg showconf`
 * writes wg's: `[Interface]` with the private key, port and fwmark, then each peer with every
 * endpoint as configured (host names included, from `pathwire_endpoints=`) and its `Strategy`
 * with options. A peer that only has a `wg set` endpoint gets that one. The private key is in
 * it: treat the output as secret. `wg showconf` keeps working on the same socket (one endpoint,
 * the active one).
 */
import type { EndpointItem, StrategyConfig } from './config/index.js';
import { DEFAULT_STRATEGY, formatEndpoint } from './config/index.js';
import { parseGetReply } from './uapi/index.js';
import { uapiRequest } from './uapi-client.js';

/** The daemon's extra `get=1` lines for a peer (see showconf). */
export function peerConfigLines(
  items: readonly EndpointItem[] | undefined,
  strategy: StrategyConfig | undefined,
): string[] {
  const lines: string[] = [];
  if (items && items.length > 0) lines.push(`pathwire_endpoints=${items.map(formatEndpoint).join(', ')}`);
  if (strategy) {
    const options = Object.entries(strategy.options).map(([key, value]) => `${key}=${value}`);
    lines.push(`pathwire_strategy_config=${[strategy.name, ...options].join(' ')}`);
  }
  return lines;
}

const base64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');
const isZero = (hex: string): boolean => /^0*$/.test(hex);

/** The config text of a `get=1` reply. */
export function formatShowconf(reply: string): string {
  const device = parseGetReply(reply);
  if (device.errno) throw new Error(`the daemon answered errno ${device.errno}`);
  const lines = ['[Interface]'];
  if (device.listenPort) lines.push(`ListenPort = ${device.listenPort}`);
  if (device.fwmark) lines.push(`FwMark = 0x${device.fwmark.toString(16)}`);
  if (device.privateKey && !isZero(device.privateKey))
    lines.push(`PrivateKey = ${base64(device.privateKey)}`);
  for (const peer of device.peers) {
    lines.push('', '[Peer]', `PublicKey = ${base64(peer.publicKey)}`);
    if (peer.presharedKey && !isZero(peer.presharedKey))
      lines.push(`PresharedKey = ${base64(peer.presharedKey)}`);
    if (peer.allowedIPs.length > 0) lines.push(`AllowedIPs = ${peer.allowedIPs.join(', ')}`);
    const endpoints = peer.endpointList ?? peer.endpoint;
    if (endpoints) lines.push(`Endpoint = ${endpoints}`);
    if (peer.persistentKeepaliveInterval)
      lines.push(`PersistentKeepalive = ${peer.persistentKeepaliveInterval}`);
    const strategy = peer.strategyConfig ?? peer.strategy;
    if (strategy && strategy !== DEFAULT_STRATEGY) lines.push(`Strategy = ${strategy}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function showconf(iface: string): Promise<string> {
  return formatShowconf(await uapiRequest(iface, 'get=1\n\n'));
}
