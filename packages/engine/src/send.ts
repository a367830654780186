/**
 * The send path (whitepaper §5.4.6, wireguard-go `send.go`): a packet from the TUN for one peer
 * is sealed under the current keypair and queued as a datagram to the active endpoint, or staged
 * while a handshake is made; keepalives; initiation copies; the transmit bookkeeping every
 * datagram to a peer goes through.
 */
import { DataError, type Keypair, sealData, sealedLength } from '@pathwire/transport';
import { MAX_STAGED_PACKETS, REKEY_AFTER_TIME } from './constants.js';
import type { DeviceCore } from './core.js';
import type { EndpointRecord } from './endpoint-set.js';
import type { DropReason } from './events.js';
import { requestHandshake } from './handshake.js';
import { sendingKeypair } from './keypairs.js';
import type { Peer } from './peer.js';
import { notifyStrategy } from './strategy-host.js';
import { timersAnyAuthenticatedPacketTraversal, timersDataSent } from './timers.js';

const EMPTY = new Uint8Array(0);

export const DATA_DROP: Record<number, DropReason> = {
  [DataError.MALFORMED]: 'malformed',
  [DataError.COUNTER_LIMIT]: 'counter-limit',
  [DataError.REPLAY]: 'replay',
  [DataError.AUTHENTICATION]: 'authentication',
  [DataError.BUFFER_TOO_SMALL]: 'malformed',
};

/** One packet from the TUN for `peer` (already routed by allowed IPs): seal and send, or stage. */
export function encapsulate(core: DeviceCore, peer: Peer, packet: Uint8Array, now: number): void {
  sendOrHandshake(core, peer, packet, now, 'staged-packet');
}

export function sendKeepalive(core: DeviceCore, peer: Peer, now: number): void {
  sendOrHandshake(core, peer, EMPTY, now, 'keepalive');
}

/** Sends under the current session, or stages a packet and asks for a handshake. */
function sendOrHandshake(
  core: DeviceCore,
  peer: Peer,
  payload: Uint8Array,
  now: number,
  reason: 'staged-packet' | 'keepalive',
): void {
  const keypair = sendingKeypair(peer, now);
  if (!keypair) {
    if (payload.length > 0) stage(core, peer, payload.slice());
    requestHandshake(core, peer, now, reason, false);
    return;
  }
  sendData(core, peer, keypair, payload, now, undefined);
  keepKeyFreshSending(core, peer, keypair, now);
}

/** Seals `payload` (empty: a keepalive) and queues it to `via`, by default the active endpoint. */
export function sendData(
  core: DeviceCore,
  peer: Peer,
  keypair: Keypair,
  payload: Uint8Array,
  now: number,
  via: EndpointRecord | undefined,
): void {
  const target = via ?? peer.active;
  if (!target) {
    core.drop('no-endpoint');
    return;
  }
  const out = new Uint8Array(sealedLength(payload.length, core.mtu));
  const length = sealData(core.backend, keypair, payload, out, core.mtu);
  if (length < 0) {
    core.drop(DATA_DROP[length] ?? 'counter-limit');
    return;
  }
  transmit(core, peer, target, out, now);
  if (payload.length > 0) {
    timersDataSent(core, peer, now);
    if (peer.unansweredSince === undefined && target === peer.active) {
      peer.unansweredSince = now;
      notifyStrategy(core, peer, { type: 'unanswered', endpoint: target.key, since: now });
    }
  }
}

/** Every datagram to a peer: statistics, timers, then out from the sticky local address. */
export function transmit(
  core: DeviceCore,
  peer: Peer,
  record: EndpointRecord,
  bytes: Uint8Array,
  now: number,
): void {
  record.noteSent(now);
  peer.txBytes += bytes.length;
  timersAnyAuthenticatedPacketTraversal(peer, now);
  core.outputs.datagram(record.endpoint, bytes, record.localAddress);
}

/** One copy of an initiation to the endpoint `key` (each copy its own array: the driver owns it). */
export function sendInitiationCopy(
  core: DeviceCore,
  peer: Peer,
  key: string,
  message: Uint8Array,
  now: number,
): void {
  const record = peer.endpoints.get(key);
  if (!record) return;
  record.initiationSentAt = now;
  transmit(core, peer, record, message.slice(), now);
}

function stage(core: DeviceCore, peer: Peer, packet: Uint8Array): void {
  if (peer.staged.length >= MAX_STAGED_PACKETS) {
    peer.staged.shift();
    core.drop('staged-overflow');
  }
  peer.staged.push(packet);
}

/** Sends staged packets; returns whether any went out. */
export function flushStaged(core: DeviceCore, peer: Peer, now: number): boolean {
  const keypair = sendingKeypair(peer, now);
  if (!keypair || peer.staged.length === 0) return false;
  const packets = peer.staged.splice(0);
  for (const packet of packets) sendData(core, peer, keypair, packet, now, undefined);
  return true;
}

/** The initiator rekeys after REKEY_AFTER_TIME or REKEY_AFTER_MESSAGES (§6.2). */
function keepKeyFreshSending(core: DeviceCore, peer: Peer, keypair: Keypair, now: number): void {
  if (keypair.isInitiator && (now - keypair.createdAt >= REKEY_AFTER_TIME || keypair.wantsRekey)) {
    requestHandshake(core, peer, now, 'rekey', false);
  }
}
