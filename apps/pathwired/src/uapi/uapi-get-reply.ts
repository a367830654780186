/**
 * Reading a `get=1` reply (https://www.wireguard.com/xplatform/, "Configuration Protocol") the
 * way `wg` does (wireguard-tools `src/ipc-uapi.h`, `userspace_get_device`): `key=value` lines,
 * a `public_key=` starting each peer, unknown keys skipped, the `errno=` trailer. pathwire's
 * `pathwire_strategy=` and `pathwire_endpoint=` keys are read too, for `pathwire status`.
 */
import { UapiError } from './uapi-errors.js';

export interface UapiEndpointStatus {
  /** `ip:port` or `[ip6]:port`. */
  readonly key: string;
  /** The `name=value` fields after the key (`origin`, `state`, `rtt_ms`, …). */
  readonly fields: Readonly<Record<string, string>>;
}

export interface UapiPeerStatus {
  /** Hex, as on the wire. */
  readonly publicKey: string;
  presharedKey: string | undefined;
  protocolVersion: number | undefined;
  endpoint: string | undefined;
  lastHandshakeTimeSec: number;
  lastHandshakeTimeNsec: number;
  txBytes: number;
  rxBytes: number;
  persistentKeepaliveInterval: number;
  readonly allowedIPs: string[];
  strategy: string | undefined;
  /** `pathwire_strategy_config=`: the strategy with its options, as in the config (`name k=v …`). */
  strategyConfig: string | undefined;
  /** `pathwire_endpoints=`: the endpoint list as configured (host names unresolved). */
  endpointList: string | undefined;
  readonly endpoints: UapiEndpointStatus[];
}

export interface UapiDeviceStatus {
  /** Positive (the wire's `errno=-N` is read as N). */
  errno: number | undefined;
  privateKey: string | undefined;
  listenPort: number | undefined;
  fwmark: number | undefined;
  readonly peers: UapiPeerStatus[];
}

/** Parses a reply up to its blank line; throws `UapiError` ('PROTOCOL') on a line without `=`. */
export function parseGetReply(text: string): UapiDeviceStatus {
  const device: UapiDeviceStatus = {
    errno: undefined,
    privateKey: undefined,
    listenPort: undefined,
    fwmark: undefined,
    peers: [],
  };
  let peer: UapiPeerStatus | undefined;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line === '') break;
    const equals = line.indexOf('=');
    if (equals === -1) throw new UapiError('PROTOCOL', `no "=" in ${JSON.stringify(line)}`, index + 1);
    const key = line.slice(0, equals);
    const value = line.slice(equals + 1);
    if (key === 'errno') {
      device.errno = Math.abs(Number(value)); // wireguard-go writes it negated
      continue;
    }
    if (key === 'public_key') {
      peer = {
        publicKey: value,
        presharedKey: undefined,
        protocolVersion: undefined,
        endpoint: undefined,
        lastHandshakeTimeSec: 0,
        lastHandshakeTimeNsec: 0,
        txBytes: 0,
        rxBytes: 0,
        persistentKeepaliveInterval: 0,
        allowedIPs: [],
        strategy: undefined,
        strategyConfig: undefined,
        endpointList: undefined,
        endpoints: [],
      };
      device.peers.push(peer);
      continue;
    }
    if (!peer) {
      if (key === 'private_key') device.privateKey = value;
      else if (key === 'listen_port') device.listenPort = Number(value);
      else if (key === 'fwmark') device.fwmark = Number(value);
      continue;
    }
    switch (key) {
      case 'preshared_key':
        peer.presharedKey = value;
        break;
      case 'protocol_version':
        peer.protocolVersion = Number(value);
        break;
      case 'endpoint':
        peer.endpoint = value;
        break;
      case 'last_handshake_time_sec':
        peer.lastHandshakeTimeSec = Number(value);
        break;
      case 'last_handshake_time_nsec':
        peer.lastHandshakeTimeNsec = Number(value);
        break;
      case 'tx_bytes':
        peer.txBytes = Number(value);
        break;
      case 'rx_bytes':
        peer.rxBytes = Number(value);
        break;
      case 'persistent_keepalive_interval':
        peer.persistentKeepaliveInterval = Number(value);
        break;
      case 'allowed_ip':
        peer.allowedIPs.push(value);
        break;
      case 'pathwire_strategy':
        peer.strategy = value;
        break;
      case 'pathwire_strategy_config':
        peer.strategyConfig = value;
        break;
      case 'pathwire_endpoints':
        peer.endpointList = value;
        break;
      case 'pathwire_endpoint': {
        const [endpointKey = '', ...rest] = value.split(' ');
        const fields: Record<string, string> = {};
        for (const field of rest) {
          const at = field.indexOf('=');
          if (at > 0) fields[field.slice(0, at)] = field.slice(at + 1);
        }
        peer.endpoints.push({ key: endpointKey, fields });
        break;
      }
      default:
        break; // unknown keys are skipped, as `wg` does
    }
  }
  return device;
}
