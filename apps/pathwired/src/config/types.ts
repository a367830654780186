/**
 * The daemon's configuration as parsed from a wg-quick file (`man wg-quick`, `man wg`
 * "CONFIGURATION FILE FORMAT") plus pathwire's additions: several comma-separated items in
 * `Endpoint`, and `Strategy = name [key=value ...]` per peer (DESIGN.md, "The daemon's
 * contract with its users").
 *
 * Every section keeps the line of its header and of each key, so that later stages (applying
 * the config, building strategies) can still point at the file.
 */
import type { EndpointItem } from '@pathwire/resolver/parse';

export type { EndpointItem };

/** Keys of `[Interface]`, spelled as `wg showconf` and `man wg-quick` spell them. */
export type InterfaceKey =
  | 'PrivateKey'
  | 'ListenPort'
  | 'FwMark'
  | 'Address'
  | 'DNS'
  | 'MTU'
  | 'Table'
  | 'PreUp'
  | 'PostUp'
  | 'PreDown'
  | 'PostDown'
  | 'SaveConfig';

/** Keys of `[Peer]`: wg's, plus pathwire's `Strategy` and `OracleFallback`. */
export type PeerKey =
  | 'PublicKey'
  | 'PresharedKey'
  | 'AllowedIPs'
  | 'Endpoint'
  | 'PersistentKeepalive'
  | 'Strategy'
  | 'OracleFallback';

/**
 * Where each key was written (1-based line numbers). A key that may repeat (`Address`,
 * `AllowedIPs`, `PostUp`, ...) records its first occurrence.
 */
export type KeyLines<K extends string> = { [P in K]?: number };

export interface InterfaceSection {
  /** Line of the `[Interface]` header. */
  line: number;
  lines: KeyLines<InterfaceKey>;
  /** 32 bytes. */
  privateKey: Uint8Array;
  /** 0 (or absent) lets the kernel choose, as in wg. */
  listenPort?: number;
  /** `off` as written, or the mark (0 to 2^32-1; wg treats 0 as off). */
  fwMark?: number | 'off';
  /** Interface addresses with their prefix length, unmasked (`10.0.0.1/24`); a bare host gets /32 or /128. */
  addresses: string[];
  /** DNS servers (canonical IP text) and search domains, in file order, as wg-quick keeps them. */
  dns: string[];
  /** 576 to 65535, and at least 1280 when an `Address` is IPv6 (RFC 8200 §5). */
  mtu?: number;
  table?: 'off' | 'auto' | number;
  /** Shell commands, in file order; the daemon decides whether it runs them. */
  preUp: string[];
  postUp: string[];
  preDown: string[];
  postDown: string[];
  saveConfig?: boolean;
}

export interface StrategyConfig {
  /** A name known to the registry (`roaming`, `handshake-race`, ...). */
  name: string;
  /** `key=value` pairs as written; the strategy itself interprets them. */
  options: Record<string, string>;
}

export interface PeerSection {
  /** Line of the `[Peer]` header. */
  line: number;
  lines: KeyLines<PeerKey>;
  /** 32 bytes. */
  publicKey: Uint8Array;
  /** The key in canonical base64, as `wg show` prints it. */
  publicKeyText: string;
  /** 32 bytes. */
  presharedKey?: Uint8Array;
  /** Canonical, masked prefixes (`10.1.2.3/8` becomes `10.0.0.0/8`), duplicates dropped. */
  allowedIPs: string[];
  /** The resolver's parsed items, in the order written; empty when there is no `Endpoint`. */
  endpoints: EndpointItem[];
  /** The `Endpoint` value as written (trimmed), when present. */
  endpointText?: string;
  /** Seconds; `off` is 0, as in wg. */
  persistentKeepalive?: number;
  /** `roaming` without options when the peer has no `Strategy` line. */
  strategy: StrategyConfig;
}

export interface DaemonConfig {
  interface: InterfaceSection;
  peers: PeerSection[];
}

export interface ParseConfigOptions {
  /** Strategy names accepted by `Strategy =`; default `['roaming']`. Typically `registry.names()`. */
  strategies?: readonly string[];
}
