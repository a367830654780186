/**
 * The WireGuard cross-platform userspace API, "Configuration Protocol"
 * (https://www.wireguard.com/xplatform/), as pure functions over an engine `Device`:
 * `formatGet` writes the `get=1` reply the way wireguard-go's `IpcGetOperation` does, and
 * `applySet` applies a `set=1` transaction with the key semantics of wireguard-go's
 * `IpcSetOperation`, except that the whole transaction is validated before anything is
 * applied (wireguard-go applies line by line and stops at the first error).
 *
 * The `get` reply carries pathwire's extra keys (`pathwire_strategy=`, `pathwire_endpoint=`)
 * after a peer's `allowed_ip=` lines: `wg` skips keys it does not know (wireguard-tools
 * `src/ipc-uapi.h`, `userspace_get_device`), so they are safe as long as every line has a `=`
 * and the key is none of those `wg` reads. `endpoint=` is written once, for the active
 * endpoint: `wg` would keep the last one.
 */
import { nobleBackend } from '@pathwire/crypto';
import type { Device, Peer } from '@pathwire/engine';
import type { Endpoint } from '@pathwire/resolver/parse';
import type { StrategyV1 } from '@pathwire/strategy';
import { UapiError } from './uapi-errors.js';
import {
  devicePrivateKey,
  formatEndpoint,
  formatHexKey,
  parseAllowedIp,
  parseHexKey,
  parseUapiEndpoint,
  parseUnsigned,
} from './uapi-values.js';

/** What a socket hook answers: nothing on success, an error message on failure (sync or async). */
// biome-ignore lint/suspicious/noConfusingVoidType: so that `async (port) => { … }` (Promise<void>) is a valid hook.
export type UapiHookResult = string | undefined | void | Promise<string | undefined | void>;

/** Device settings that live in the daemon (its sockets), not in the engine. */
export interface UapiHooks {
  /** The UDP port the daemon listens on; 0 or absent is not reported. */
  listenPort?(): number;
  /** Rebinds to `port`; an error message (or a rejection) is answered EADDRINUSE. */
  setListenPort?(port: number): UapiHookResult;
  /** The socket mark (SO_MARK); 0 or absent is not reported. */
  fwmark?(): number;
  /** Sets the socket mark; without it only `fwmark=0` is accepted. */
  setFwmark?(mark: number): UapiHookResult;
  /** The strategy of a peer created through UAPI (default: the engine's, roaming). */
  strategyFor?(publicKey: Uint8Array): StrategyV1 | undefined;
  /**
   * pathwire's peer keys in `set=1` (sent by `pathwire set`, never by wg): `pathwire_endpoints=`
   * (an endpoint list as in the config's `Endpoint`) and `pathwire_strategy=` (`name k=v …`).
   * Each parses its value, throwing an Error with the reason when it is bad (nothing applied);
   * the returned function applies it after the engine's peer exists.
   */
  planEndpoints?(text: string): (publicKey: Uint8Array) => void;
  planStrategy?(text: string): StrategyV1;
  /** Extra `pathwire_…=` lines for a peer in the `get=1` reply (its endpoint list as configured). */
  peerLines?(peer: Peer): readonly string[];
  /** Called after a transaction changed the device (e.g. to re-arm the driver's wake-up). */
  changed?(): void;
}

/** The device-level values `formatGet` reports besides the engine's state. */
export interface UapiDeviceInfo {
  readonly listenPort?: number;
  readonly fwmark?: number;
}

export interface UapiSetResult {
  /** 0 on success. */
  readonly errno: number;
  readonly error: UapiError | undefined;
}

// ---------------------------------------------------------------- get

/**
 * The whole `get=1` reply: device keys, then per peer the keys `wg` reads, pathwire's extra
 * keys, and the `errno=0` trailer with its blank line.
 */
export function formatGet(
  device: Device,
  now: number,
  info: UapiDeviceInfo = {},
  peerLines?: (peer: Peer) => readonly string[],
): string {
  const lines: string[] = [];
  const privateKey = devicePrivateKey(device);
  if (privateKey.some((byte) => byte !== 0)) lines.push(`private_key=${formatHexKey(privateKey)}`);
  if (info.listenPort) lines.push(`listen_port=${info.listenPort}`);
  if (info.fwmark) lines.push(`fwmark=${info.fwmark}`);
  // pathwire's device-level drop counters, one reason per line (wg skips unknown keys).
  for (const [reason, count] of Object.entries(device.counters.drops))
    lines.push(`pathwire_drop=${reason} ${count}`);
  for (const peer of device.peers()) {
    formatPeer(lines, device, peer, now);
    if (peerLines) lines.push(...peerLines(peer));
  }
  lines.push('errno=0', '', '');
  return lines.join('\n');
}

function formatPeer(lines: string[], device: Device, peer: Peer, now: number): void {
  lines.push(`public_key=${formatHexKey(peer.publicKey)}`);
  lines.push(`preshared_key=${formatHexKey(peer.handshake.presharedKey)}`);
  lines.push('protocol_version=1');
  if (peer.active) lines.push(`endpoint=${formatEndpoint(peer.active.endpoint)}`);
  const handshakeMs = peer.lastHandshakeWallClock ?? 0;
  const seconds = Math.floor(handshakeMs / 1000);
  lines.push(`last_handshake_time_sec=${seconds}`);
  lines.push(`last_handshake_time_nsec=${Math.floor((handshakeMs - seconds * 1000) * 1e6)}`);
  lines.push(`tx_bytes=${peer.txBytes}`);
  lines.push(`rx_bytes=${peer.rxBytes}`);
  lines.push(`persistent_keepalive_interval=${Math.floor(peer.persistentKeepaliveMs / 1000)}`);
  for (const prefix of device.allowedIPsOf(peer)) lines.push(`allowed_ip=${prefix}`);
  lines.push(`pathwire_strategy=${oneLine(peer.strategy.name)}`);
  const state = strategyState(peer.strategy);
  if (state !== undefined) lines.push(`pathwire_strategy_state=${state}`);
  for (const record of peer.endpoints.list) {
    const fields = [
      `origin=${record.origin}`,
      `state=${record.state}`,
      `class=${oneLine(record.addressClass)}`,
    ];
    if (record === peer.active) fields.push('active=true');
    if (record.rtt) {
      fields.push(
        `rtt_ms=${ms(record.rtt.latest)}`,
        `srtt_ms=${ms(record.rtt.smoothed)}`,
        `min_rtt_ms=${ms(record.rtt.minimum)}`,
      );
    }
    fields.push(`loss=${Number(record.loss.toFixed(3))}`);
    if (record.lastReceivedAt !== undefined)
      fields.push(`rx_ago_ms=${Math.max(0, now - record.lastReceivedAt)}`);
    if (record.lastSentAt !== undefined) fields.push(`tx_ago_ms=${Math.max(0, now - record.lastSentAt)}`);
    fields.push(`send_errors=${record.sendErrors}`);
    lines.push(`pathwire_endpoint=${record.key} ${fields.join(' ')}`);
  }
}

function ms(value: number): string {
  return value.toFixed(1);
}

/** A value may not break the line-oriented reply. */
/** The strategy's own report (`describe()`) as one line of JSON; undefined if it has none or fails. */
function strategyState(strategy: { describe?(): Record<string, unknown> }): string | undefined {
  try {
    const state = strategy.describe?.();
    return state === undefined ? undefined : JSON.stringify(state);
  } catch {
    return undefined;
  }
}

function oneLine(text: string): string {
  return text.replace(/[\s=]+/g, '_');
}

// ---------------------------------------------------------------- set

interface DevicePlan {
  privateKey: Uint8Array | undefined;
  listenPort: number | undefined;
  fwmark: number | undefined;
  replacePeers: boolean;
}

interface PeerPlan {
  readonly publicKey: Uint8Array;
  /** The device's own public key: wireguard-go ignores such a section. */
  readonly own: boolean;
  remove: boolean;
  updateOnly: boolean;
  presharedKey: Uint8Array | undefined;
  endpoint: Endpoint | undefined;
  keepalive: number | undefined;
  replaceAllowedIPs: boolean;
  /** Prefixes added after the last `replace_allowed_ips=true`. */
  allowedIPs: string[];
  /** pathwire's extensions (see UapiHooks.planEndpoints / planStrategy). */
  endpoints: ((publicKey: Uint8Array) => void) | undefined;
  strategy: StrategyV1 | undefined;
}

interface Plan {
  readonly device: DevicePlan;
  readonly peers: PeerPlan[];
}

/**
 * Applies a `set=1` transaction: `request` is its body (the lines after `set=1`, up to the
 * blank line that ends it; anything after a blank line is ignored). All or nothing: any bad
 * line answers EINVAL (EPROTO for a line without `=`) and changes nothing. Asynchronous only
 * because the socket hooks may be; the engine is changed in one synchronous step at the end.
 */
export async function applySet(
  device: Device,
  request: string | readonly string[],
  now: number,
  hooks: UapiHooks = {},
): Promise<UapiSetResult> {
  const lines = typeof request === 'string' ? request.split('\n') : request;
  let plan: Plan;
  try {
    plan = planSet(device, lines, hooks);
  } catch (error) {
    if (error instanceof UapiError) return { errno: error.errno, error };
    throw error;
  }
  return execute(device, plan, now, hooks);
}

/** Pass 1: parse and validate every line, touching nothing. */
function planSet(device: Device, lines: readonly string[], hooks: UapiHooks): Plan {
  const plan: Plan = {
    device: { privateKey: undefined, listenPort: undefined, fwmark: undefined, replacePeers: false },
    peers: [],
  };
  let ownPublicKey: Uint8Array | undefined;
  let peer: PeerPlan | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line === '') break;
    const number = index + 1;
    const equals = line.indexOf('=');
    if (equals === -1) throw new UapiError('PROTOCOL', `no "=" in ${JSON.stringify(line)}`, number);
    const key = line.slice(0, equals);
    const value = line.slice(equals + 1);
    const invalid = (what: string): never => {
      throw new UapiError('INVALID_VALUE', `${key}: ${what}: ${JSON.stringify(value)}`, number);
    };
    const flag = (): true => (value === 'true' ? true : invalid('expected "true"'));

    if (key === 'public_key') {
      const publicKey = parseHexKey(value) ?? invalid('not 64 hex digits');
      if (publicKey.every((byte) => byte === 0)) invalid('the all-zero key is not a public key');
      ownPublicKey ??= plan.device.privateKey
        ? nobleBackend.publicKey(plan.device.privateKey)
        : device.publicKey;
      peer = {
        publicKey,
        own: sameBytes(publicKey, ownPublicKey),
        remove: false,
        updateOnly: false,
        presharedKey: undefined,
        endpoint: undefined,
        keepalive: undefined,
        replaceAllowedIPs: false,
        allowedIPs: [],
        endpoints: undefined,
        strategy: undefined,
      };
      plan.peers.push(peer);
      continue;
    }

    if (!peer) {
      switch (key) {
        case 'private_key': {
          // All zero clears the key (wireguard-go: `wg set IFACE private-key /dev/null`).
          plan.device.privateKey = parseHexKey(value) ?? invalid('not 64 hex digits');
          break;
        }
        case 'listen_port':
          plan.device.listenPort = parseUnsigned(value, 0xffff) ?? invalid('not a port (0-65535)');
          if (!hooks.setListenPort) {
            throw new UapiError('NOT_SUPPORTED', 'listen_port: this daemon cannot change its port', number);
          }
          break;
        case 'fwmark':
          plan.device.fwmark = parseUnsigned(value, 0xffff_ffff) ?? invalid('not a 32-bit unsigned integer');
          if (!hooks.setFwmark && plan.device.fwmark !== 0) {
            throw new UapiError('NOT_SUPPORTED', 'fwmark: this daemon cannot mark its sockets', number);
          }
          break;
        case 'replace_peers':
          plan.device.replacePeers = flag();
          break;
        default:
          throw new UapiError('UNKNOWN_KEY', `invalid UAPI device key: ${key}`, number);
      }
      continue;
    }

    switch (key) {
      case 'update_only':
        peer.updateOnly = flag();
        break;
      case 'remove':
        peer.remove = flag();
        break;
      case 'preshared_key':
        peer.presharedKey = parseHexKey(value) ?? invalid('not 64 hex digits');
        break;
      case 'endpoint':
        peer.endpoint = parseUapiEndpoint(value) ?? invalid('not IP:port or [IPv6]:port');
        break;
      case 'persistent_keepalive_interval':
        peer.keepalive = parseUnsigned(value, 0xffff) ?? invalid('not seconds (0-65535)');
        break;
      case 'replace_allowed_ips':
        peer.replaceAllowedIPs = flag();
        peer.allowedIPs = [];
        break;
      case 'allowed_ip':
        peer.allowedIPs.push(parseAllowedIp(value) ?? invalid('not an IP prefix (address/length)'));
        break;
      case 'protocol_version':
        if (value !== '1') invalid('only protocol version 1 exists');
        break;
      case 'pathwire_endpoints':
      case 'pathwire_strategy': {
        const plan = key === 'pathwire_endpoints' ? hooks.planEndpoints : hooks.planStrategy;
        if (!plan) throw new UapiError('UNKNOWN_KEY', `invalid UAPI peer key: ${key}`, number);
        try {
          if (key === 'pathwire_endpoints') peer.endpoints = hooks.planEndpoints!(value);
          else peer.strategy = hooks.planStrategy!(value);
        } catch (error) {
          invalid((error as Error).message);
        }
        break;
      }
      default:
        throw new UapiError('UNKNOWN_KEY', `invalid UAPI peer key: ${key}`, number);
    }
  }
  return plan;
}

/** Pass 2: the socket settings that can fail first (undone on failure), then the engine. */
async function execute(device: Device, plan: Plan, now: number, hooks: UapiHooks): Promise<UapiSetResult> {
  const { listenPort, fwmark } = plan.device;
  const previousPort = hooks.listenPort?.();
  if (listenPort !== undefined && hooks.setListenPort) {
    const failure = await callHook(() => hooks.setListenPort?.(listenPort));
    if (failure !== undefined) return failed('PORT_IN_USE', `listen_port=${listenPort}: ${failure}`);
  }
  if (fwmark !== undefined && hooks.setFwmark) {
    const failure = await callHook(() => hooks.setFwmark?.(fwmark));
    if (failure !== undefined) {
      if (listenPort !== undefined && previousPort !== undefined && previousPort !== listenPort) {
        await callHook(() => hooks.setListenPort?.(previousPort));
      }
      return failed('PORT_IN_USE', `fwmark=${fwmark}: ${failure}`);
    }
  }
  try {
    if (plan.device.privateKey) device.setPrivateKey(plan.device.privateKey);
    if (plan.device.replacePeers) for (const peer of [...device.peers()]) device.removePeer(peer.publicKey);
    for (const section of plan.peers) applyPeer(device, section, now, hooks);
  } catch (error) {
    // Validated values do not make the engine throw; if it does, say so rather than crash.
    return failed('INTERNAL', error instanceof Error ? error.message : String(error));
  }
  try {
    hooks.changed?.();
  } catch {
    // the change is made; a failing notification does not undo it
  }
  return { errno: 0, error: undefined };
}

/** Runs a socket hook: undefined on success, else the reason. */
async function callHook(hook: () => UapiHookResult): Promise<string | undefined> {
  try {
    const result = await hook();
    return typeof result === 'string' ? result : undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function applyPeer(device: Device, section: PeerPlan, now: number, hooks: UapiHooks): void {
  if (section.own) return;
  const existing = device.peer(section.publicKey);
  if (section.remove) {
    if (existing) device.removePeer(section.publicKey);
    return;
  }
  if (section.updateOnly && !existing) return;
  let allowedIPs: readonly string[] | undefined;
  if (section.replaceAllowedIPs) allowedIPs = section.allowedIPs;
  else if (section.allowedIPs.length > 0)
    allowedIPs = existing ? [...device.allowedIPsOf(existing), ...section.allowedIPs] : section.allowedIPs;
  // setPeer sends a keepalive whenever it is given a non-zero interval; wireguard-go only does
  // when the interval goes from 0 to non-zero, so an unchanged interval is not passed on.
  const keepalive =
    section.keepalive !== undefined &&
    (!existing || section.keepalive * 1000 !== existing.persistentKeepaliveMs)
      ? section.keepalive
      : undefined;
  const strategy = section.strategy ?? (existing ? undefined : hooks.strategyFor?.(section.publicKey));
  const peer = device.setPeer(
    {
      publicKey: section.publicKey,
      ...(section.presharedKey ? { presharedKey: section.presharedKey } : {}),
      ...(allowedIPs ? { allowedIPs } : {}),
      ...(strategy ? { strategy } : {}),
    },
    now,
  );
  section.endpoints?.(section.publicKey);
  if (section.endpoint) device.setActiveEndpoint(peer, section.endpoint, now);
  // Last, as wireguard-go's handlePostConfig: the keepalive it sends goes to the new endpoint.
  if (keepalive !== undefined)
    device.setPeer({ publicKey: section.publicKey, persistentKeepalive: keepalive }, now);
}

function failed(code: 'PORT_IN_USE' | 'INTERNAL', message: string): UapiSetResult {
  const error = new UapiError(code, message);
  return { errno: error.errno, error };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
