/**
 * Run-time configuration of the device (wireguard-go `uapi.go` `handleDeviceLine` /
 * `handlePeerLine` semantics): private key, peers, preshared keys, allowed IPs, endpoints,
 * persistent keepalive. A change never weakens the protocol: re-applying the same key keeps the
 * sessions, and a rebuilt handshake keeps the replay and flood state of the old one.
 */
import { bytesToBase64, constantTimeEqual } from '@pathwire/crypto';
import { CookieChecker, HandshakePeer, StaticIdentity } from '@pathwire/noise';
import { adaptStrategy, createRoaming, type Endpoint, type StrategyV1 } from '@pathwire/strategy';
import type { DeviceCore } from './core.js';
import { EndpointSet } from './endpoint-set.js';
import { requestHandshake } from './handshake.js';
import { parseIpPrefix } from './ip-prefix.js';
import { expireSessions, sendingKeypair } from './keypairs.js';
import { Peer } from './peer.js';
import { activate, endpointsChanged } from './selection.js';
import { sendKeepalive } from './send.js';
import { notifyStrategy } from './strategy-host.js';
import { reschedule } from './timers.js';

export interface PeerConfig {
  readonly publicKey: Uint8Array;
  readonly presharedKey?: Uint8Array;
  readonly allowedIPs?: readonly string[];
  /** Configured endpoints in candidate order (replaces the configured set). */
  readonly endpoints?: readonly Endpoint[];
  /** Seconds; 0 or undefined turns it off. */
  readonly persistentKeepalive?: number;
  readonly strategy?: StrategyV1;
}

/** Changes the device's private key: every session and handshake is dropped (as wireguard-go does). */
export function setPrivateKey(core: DeviceCore, privateKey: Uint8Array): void {
  // The same key again (every `wg setconf`/`syncconf` sends it) changes nothing, as in wireguard-go.
  if (constantTimeEqual(privateKey, core.identity.privateKey)) return;
  core.identity = new StaticIdentity(core.backend, privateKey);
  core.cookies = new CookieChecker(core.identity);
  for (const peer of core.peersByKey.values()) {
    expireSessions(core, peer);
    rebuildHandshake(core, peer, peer.handshake.presharedKey);
  }
}

/**
 * A new handshake state for a peer (new device key or preshared key) that keeps the replay
 * and flood state of the old one: a rebuilt peer must not accept a replayed old initiation.
 */
function rebuildHandshake(core: DeviceCore, peer: Peer, presharedKey: Uint8Array): void {
  const old = peer.handshake;
  const fresh = new HandshakePeer(core.identity, peer.publicKey, presharedKey);
  fresh.lastTimestamp = Uint8Array.from(old.lastTimestamp);
  fresh.lastInitiationConsumedAt = old.lastInitiationConsumedAt;
  if (old.cookie) fresh.cookie = Uint8Array.from(old.cookie);
  fresh.cookieReceivedAt = old.cookieReceivedAt;
  old.destroy();
  peer.handshake = fresh;
}

/** Adds a peer or updates it in place (fields left undefined keep their value). */
export function setPeer(core: DeviceCore, config: PeerConfig, now: number): Peer {
  const text = bytesToBase64(config.publicKey);
  let peer = core.peersByKey.get(text);
  if (!peer) {
    peer = new Peer(
      Uint8Array.from(config.publicKey),
      text,
      new HandshakePeer(core.identity, config.publicKey, config.presharedKey),
      new EndpointSet(),
      adaptStrategy(config.strategy ?? createRoaming({})),
    );
    core.peersByKey.set(text, peer);
    notifyStrategy(core, peer, { type: 'start' });
  } else {
    if (config.presharedKey && !constantTimeEqual(config.presharedKey, peer.handshake.presharedKey)) {
      rebuildHandshake(core, peer, config.presharedKey);
    }
    if (config.strategy && config.strategy !== peer.strategy) {
      peer.strategy = adaptStrategy(config.strategy);
      notifyStrategy(core, peer, { type: 'start' });
    }
  }
  if (config.allowedIPs) setAllowedIPs(core, peer, config.allowedIPs);
  if (config.endpoints) setEndpoints(core, peer, config.endpoints, now);
  if (config.persistentKeepalive !== undefined) {
    const wasOff = peer.persistentKeepaliveMs === 0;
    peer.persistentKeepaliveMs = config.persistentKeepalive * 1000;
    peer.persistentKeepaliveAt =
      peer.persistentKeepaliveMs > 0 ? now + peer.persistentKeepaliveMs : undefined;
    // wireguard-go sends a keepalive at once when persistent keepalive is turned on.
    // (Without endpoints yet, `setEndpoints` sends it when they arrive.)
    if (wasOff && peer.persistentKeepaliveMs > 0 && peer.endpoints.size > 0) sendKeepalive(core, peer, now);
  }
  reschedule(core, peer);
  return peer;
}

export function removePeer(core: DeviceCore, publicKey: Uint8Array): boolean {
  const text = bytesToBase64(publicKey);
  const peer = core.peersByKey.get(text);
  if (!peer) return false;
  expireSessions(core, peer);
  peer.handshake.destroy();
  core.allowed.removeValue(peer);
  core.timers.schedule(peer, undefined);
  peer.scheduledAt = undefined;
  peer.strategyInbox.length = 0;
  core.peersByKey.delete(text);
  core.emit({ type: 'peer-removed', peer: text });
  return true;
}

/** Replaces a peer's allowed IPs; a prefix owned by another peer moves to this one. */
export function setAllowedIPs(core: DeviceCore, peer: Peer, prefixes: readonly string[]): void {
  const parsed = prefixes.map((text) => parseIpPrefix(text));
  core.allowed.removeValue(peer);
  for (const prefix of parsed) core.allowed.insert(prefix, peer);
}

/** Replaces the configured endpoints (e.g. a resolver update), keeping the statistics of those that stay. */
export function setEndpoints(
  core: DeviceCore,
  peer: Peer,
  endpoints: readonly Endpoint[],
  now: number,
): void {
  if (!core.owns(peer)) return;
  const hadNone = peer.endpoints.size === 0;
  const change = peer.endpoints.setConfigured(endpoints, peer.active?.key);
  if (peer.active && !peer.endpoints.get(peer.active.key)) peer.active = undefined;
  endpointsChanged(core, peer, change);
  // The first endpoints of a peer with work waiting (staged packets, persistent keepalive): go.
  if (hadNone && peer.endpoints.size > 0 && !sendingKeypair(peer, now)) {
    if (peer.staged.length > 0) requestHandshake(core, peer, now, 'staged-packet', false);
    else if (peer.persistentKeepaliveMs > 0) requestHandshake(core, peer, now, 'keepalive', false);
  }
  reschedule(core, peer);
}

/** `wg set … endpoint X`: the peer uses X now; its strategy is told. */
export function setActiveEndpoint(core: DeviceCore, peer: Peer, endpoint: Endpoint, now: number): void {
  if (!core.owns(peer)) return;
  const { record, change } = peer.endpoints.learn(endpoint, now, peer.active?.key);
  if (change) endpointsChanged(core, peer, change);
  activate(core, peer, record);
  notifyStrategy(core, peer, { type: 'user-endpoint', endpoint: record.key });
}
