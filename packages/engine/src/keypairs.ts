/**
 * A peer's keypairs, current/previous/next, and every rotation between them in one place
 * (whitepaper §5.4.5 and §6.1; wireguard-go `keypair.go`, `noise-protocol.go`
 * `BeginSymmetricSession` and `ReceivedWithKeypair`).
 *
 * - Initiator: the keypair from a response is current at once.
 * - Responder: the keypair is `next` until the initiator uses it; the first data message under
 *   it makes it current.
 * - Either way the old current becomes previous (still accepted for receiving) and the old
 *   previous is wiped; an unconfirmed `next` superseded by an initiator session becomes previous.
 */
import type { Keypair } from '@pathwire/transport';
import { REJECT_AFTER_TIME } from './constants.js';
import type { DeviceCore } from './core.js';
import type { Peer } from './peer.js';

/** The keypair to send with, or undefined when a handshake is needed first (§6.1 REJECT_AFTER_*). */
export function sendingKeypair(peer: Peer, now: number): Keypair | undefined {
  const keypair = peer.current;
  if (!keypair || keypair.sendExhausted || now - keypair.createdAt >= REJECT_AFTER_TIME) return undefined;
  return keypair;
}

/** Removes a keypair from the index table and wipes its keys. */
export function retireKeypair(core: DeviceCore, keypair: Keypair | undefined): void {
  if (!keypair) return;
  core.indices.delete(keypair.localIndex);
  keypair.wipe();
}

/** Initiator: a response gave us `keypair`; it is current now. */
export function installInitiatorKeypair(core: DeviceCore, peer: Peer, keypair: Keypair): void {
  core.indices.set(keypair.localIndex, peer, keypair);
  if (peer.next) {
    // As wireguard-go: the unconfirmed next becomes previous, and the old current goes.
    retireKeypair(core, peer.previous);
    retireKeypair(core, peer.current);
    peer.previous = peer.next;
    peer.next = undefined;
  } else {
    retireKeypair(core, peer.previous);
    peer.previous = peer.current;
  }
  peer.current = keypair;
}

/** Responder: our response created `keypair`; it waits as next until the initiator uses it. */
export function installResponderKeypair(core: DeviceCore, peer: Peer, keypair: Keypair): void {
  retireKeypair(core, peer.next);
  peer.next = keypair;
  core.indices.set(keypair.localIndex, peer, keypair);
}

/** Responder: data arrived under `next`, so the initiator has it: it becomes current. */
export function confirmNextKeypair(core: DeviceCore, peer: Peer): void {
  retireKeypair(core, peer.previous);
  peer.previous = peer.current;
  peer.current = peer.next;
  peer.next = undefined;
}

/** Drops every session and the handshake in flight (new private key, zero-key timer, removal). */
export function expireSessions(core: DeviceCore, peer: Peer): void {
  retireKeypair(core, peer.current);
  retireKeypair(core, peer.previous);
  retireKeypair(core, peer.next);
  peer.current = peer.previous = peer.next = undefined;
  core.indices.delete(peer.initiationIndex);
  peer.initiationIndex = undefined;
  peer.pendingCopies = [];
  peer.handshake.clearHandshake();
}
