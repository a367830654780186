/**
 * The daemon's config file: wg-quick's format plus several endpoints per peer and a
 * `Strategy` per peer (DESIGN.md, "The daemon's contract with its users").
 *
 * @example
 * ```ts
 * import { loadConfig } from './config/index.js';
 * const config = await loadConfig('/etc/wireguard/wg0.conf', { strategies: registry.names() });
 * ```
 */
export { ConfigError, type ConfigErrorCode, type ConfigErrorInit } from './errors.js';
export { formatConfig, formatEndpoint } from './format-config.js';
export { loadConfig } from './load-config.js';
export { DEFAULT_STRATEGY, parseConfig } from './parse-config.js';
export type {
  DaemonConfig,
  EndpointItem,
  InterfaceKey,
  InterfaceSection,
  KeyLines,
  ParseConfigOptions,
  PeerKey,
  PeerSection,
  StrategyConfig,
} from './types.js';
export { MAX_MTU, MIN_MTU, MIN_MTU_IPV6 } from './values.js';
export { formatWgKey, parseWgKey } from './wg-key.js';
