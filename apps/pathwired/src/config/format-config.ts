/**
 * Writes a `DaemonConfig` back as a config file, the inverse of `parseConfig`: keys in the
 * order `wg showconf` uses, then wg-quick's, then pathwire's; list values joined by `, `
 * (several endpoints on one `Endpoint` line). Endpoints are written canonically
 * (`[2001:db8::1]:51820`, lower-case host names), so `parseConfig(formatConfig(c))` gives
 * back `c` for any `c` that itself came from formatted text, line numbers included.
 * The private key is written: treat the output as secret.
 */
import { endpointKey } from '@pathwire/resolver/parse';
import { DEFAULT_STRATEGY } from './parse-config.js';
import type { DaemonConfig, EndpointItem, InterfaceSection, PeerSection } from './types.js';
import { formatWgKey } from './wg-key.js';

/** Canonical text of one endpoint item. */
export function formatEndpoint(item: EndpointItem): string {
  return item.kind === 'address' ? endpointKey(item) : `${item.hostname}:${item.port}`;
}

function interfaceLines(section: InterfaceSection): string[] {
  const out = ['[Interface]', `PrivateKey = ${formatWgKey(section.privateKey)}`];
  if (section.listenPort !== undefined) out.push(`ListenPort = ${section.listenPort}`);
  if (section.fwMark !== undefined) {
    out.push(`FwMark = ${section.fwMark === 'off' ? 'off' : `0x${section.fwMark.toString(16)}`}`);
  }
  if (section.addresses.length > 0) out.push(`Address = ${section.addresses.join(', ')}`);
  if (section.dns.length > 0) out.push(`DNS = ${section.dns.join(', ')}`);
  if (section.mtu !== undefined) out.push(`MTU = ${section.mtu}`);
  if (section.table !== undefined) out.push(`Table = ${section.table}`);
  for (const command of section.preUp) out.push(`PreUp = ${command}`);
  for (const command of section.postUp) out.push(`PostUp = ${command}`);
  for (const command of section.preDown) out.push(`PreDown = ${command}`);
  for (const command of section.postDown) out.push(`PostDown = ${command}`);
  if (section.saveConfig !== undefined) out.push(`SaveConfig = ${section.saveConfig}`);
  return out;
}

function peerLines(peer: PeerSection): string[] {
  const out = ['[Peer]', `PublicKey = ${peer.publicKeyText}`];
  if (peer.presharedKey !== undefined) out.push(`PresharedKey = ${formatWgKey(peer.presharedKey)}`);
  if (peer.allowedIPs.length > 0) out.push(`AllowedIPs = ${peer.allowedIPs.join(', ')}`);
  if (peer.endpoints.length > 0) out.push(`Endpoint = ${peer.endpoints.map(formatEndpoint).join(', ')}`);
  if (peer.persistentKeepalive !== undefined) {
    out.push(`PersistentKeepalive = ${peer.persistentKeepalive === 0 ? 'off' : peer.persistentKeepalive}`);
  }
  const { name, options } = peer.strategy;
  const entries = Object.entries(options);
  if (name !== DEFAULT_STRATEGY || entries.length > 0) {
    out.push(`Strategy = ${[name, ...entries.map(([k, v]) => `${k}=${v}`)].join(' ')}`);
  }
  return out;
}

/**
 * The config as file text, one blank line between sections, ending with a newline.
 *
 * @example
 * ```ts
 * formatConfig(parseConfig(text, 'wg0.conf')); // "[Interface]\nPrivateKey = ...\n"
 * ```
 */
export function formatConfig(config: DaemonConfig): string {
  const sections = [interfaceLines(config.interface), ...config.peers.map(peerLines)];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
