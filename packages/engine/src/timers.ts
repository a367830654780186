/**
 * A peer's protocol timers (whitepaper §6.2–§6.5), named as wireguard-go's `timers.go` names
 * them: the `timers*` hooks arm and disarm deadlines when something happens, the `expired*`
 * functions run when a deadline passes, and `updateTimers` runs every one that is due. Timers
 * are absolute deadlines on the engine's monotonic clock, kept in the `Peer`; the device's one
 * timer queue holds each peer's earliest.
 */
import { KEEPALIVE_TIMEOUT, REJECT_AFTER_TIME, REKEY_TIMEOUT } from './constants.js';
import type { DeviceCore } from './core.js';
import { requestHandshake } from './handshake.js';
import { expireSessions, sendingKeypair } from './keypairs.js';
import type { Peer } from './peer.js';
import { expireProbes } from './probe.js';
import { sendInitiationCopy, sendKeepalive } from './send.js';
import { notifyStrategy } from './strategy-host.js';

/** Data (not a keepalive) was sent: no keepalive needed; expect an answer (§6.5 "new handshake"). */
export function timersDataSent(core: DeviceCore, peer: Peer, now: number): void {
  peer.keepaliveAt = undefined;
  if (peer.newHandshakeAt === undefined)
    peer.newHandshakeAt = now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + core.jitter();
}

/** Data was received: answer within KEEPALIVE_TIMEOUT if we have nothing else to say (§6.5). */
export function timersDataReceived(peer: Peer, now: number): void {
  if (peer.keepaliveAt === undefined) peer.keepaliveAt = now + KEEPALIVE_TIMEOUT;
}

/** Anything authenticated arrived: the peer is alive, no new handshake for silence. */
export function timersAnyAuthenticatedPacketReceived(peer: Peer): void {
  peer.newHandshakeAt = undefined;
}

/** Anything authenticated went out or came in: push the persistent keepalive back (§6.5). */
export function timersAnyAuthenticatedPacketTraversal(peer: Peer, now: number): void {
  if (peer.persistentKeepaliveMs > 0) peer.persistentKeepaliveAt = now + peer.persistentKeepaliveMs;
}

/** An initiation went out: retransmit after REKEY_TIMEOUT plus jitter (§6.4). */
export function timersHandshakeInitiated(core: DeviceCore, peer: Peer, now: number): void {
  peer.retransmitAt = now + REKEY_TIMEOUT + core.jitter();
}

/** A handshake completed: no more retransmits; the attempt count starts over. */
export function timersHandshakeComplete(core: DeviceCore, peer: Peer, now: number): void {
  peer.retransmitAt = undefined;
  peer.handshakeAttempts = 0;
  peer.lastHandshakeWallClock = core.wallClock(now);
}

/** New keys were derived: wipe everything if no new handshake happens within 3 × REJECT_AFTER_TIME (§6.3). */
export function timersSessionDerived(peer: Peer, now: number): void {
  peer.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
}

/**
 * Forgets the sticky source address of the peer's endpoints (wireguard-go
 * `markEndpointSrcForClearing`, Linux `wg_socket_clear_peer_endpoint_src`): the next datagram
 * leaves from whatever address the routing table picks.
 */
export function clearSourceAddresses(peer: Peer): void {
  for (const record of peer.endpoints.list) record.localAddress = undefined;
}

function expiredRetransmitHandshake(core: DeviceCore, peer: Peer, now: number): void {
  for (const record of peer.endpoints.list) if (record.initiationSentAt !== undefined) record.noteLost();
  // wireguard-go timers.go expiredRetransmitHandshake: the source address may be the trouble.
  clearSourceAddresses(peer);
  requestHandshake(core, peer, now, 'retry', true);
}

function expiredSendKeepalive(core: DeviceCore, peer: Peer, now: number): void {
  if (sendingKeypair(peer, now)) sendKeepalive(core, peer, now);
}

function expiredNewHandshake(core: DeviceCore, peer: Peer, now: number): void {
  // wireguard-go timers.go expiredNewHandshake: clear the source address too.
  clearSourceAddresses(peer);
  requestHandshake(core, peer, now, 'keepalive-timeout', false);
}

function expiredZeroKeyMaterial(core: DeviceCore, peer: Peer): void {
  expireSessions(core, peer);
  core.emit({ type: 'session-expired', peer: peer.publicKeyText });
}

/** Runs every timer of `peer` due at or before `now`. */
export function updateTimers(core: DeviceCore, peer: Peer, now: number): void {
  while (peer.pendingCopies[0] && peer.pendingCopies[0].at <= now) {
    const copy = peer.pendingCopies.shift()!;
    if (copy.localIndex === peer.initiationIndex)
      sendInitiationCopy(core, peer, copy.endpoint, copy.message, now);
  }
  if (peer.retransmitAt !== undefined && peer.retransmitAt <= now) {
    peer.retransmitAt = undefined;
    expiredRetransmitHandshake(core, peer, now);
  }
  if (peer.keepaliveAt !== undefined && peer.keepaliveAt <= now) {
    peer.keepaliveAt = undefined;
    expiredSendKeepalive(core, peer, now);
  }
  if (peer.newHandshakeAt !== undefined && peer.newHandshakeAt <= now) {
    peer.newHandshakeAt = undefined;
    expiredNewHandshake(core, peer, now);
  }
  if (peer.persistentKeepaliveAt !== undefined && peer.persistentKeepaliveAt <= now) {
    peer.persistentKeepaliveAt = undefined;
    sendKeepalive(core, peer, now);
  }
  if (peer.zeroKeysAt !== undefined && peer.zeroKeysAt <= now) {
    peer.zeroKeysAt = undefined;
    expiredZeroKeyMaterial(core, peer);
  }
  expireProbes(peer, now);
  if (peer.strategyWakeAt !== undefined && peer.strategyWakeAt <= now) {
    peer.strategyWakeAt = undefined;
    notifyStrategy(core, peer, { type: 'timer' });
  }
}

/** Puts the peer's earliest deadline in the device's timer queue. */
export function reschedule(core: DeviceCore, peer: Peer): void {
  const at = peer.nextDeadline();
  if (at === peer.scheduledAt) return;
  if (!core.owns(peer)) return;
  peer.scheduledAt = at;
  core.timers.schedule(peer, at);
}
