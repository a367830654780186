/**
 * The receive path for transport data (whitepaper §5.4.6, wireguard-go `receive.go`
 * RoutineSequentialReceiver): open under the keypair the receiver index names, confirm a
 * responder's next keypair, learn the source endpoint (roaming, only from authenticated
 * packets), then hand an in-band probe to `probe.ts` or the inner packet to the TUN if its
 * source address is one of the peer's allowed IPs (cryptokey routing, §2).
 */
import type { Endpoint } from '@pathwire/strategy';
import { openData, readReceiverIndex } from '@pathwire/transport';
import { AUTHENTICATED_EVENT_INTERVAL, REJECT_AFTER_TIME, REKEY_ON_RECEIVE_AGE } from './constants.js';
import type { DeviceCore } from './core.js';
import type { EndpointRecord } from './endpoint-set.js';
import { type Receiver, requestHandshake } from './handshake.js';
import { innerSource, packetLength } from './inner-address.js';
import { confirmNextKeypair } from './keypairs.js';
import type { Peer } from './peer.js';
import { isProbe, receiveProbe } from './probe.js';
import { activate, endpointsChanged } from './selection.js';
import { DATA_DROP, flushStaged } from './send.js';
import { notifyStrategy } from './strategy-host.js';
import {
  reschedule,
  timersAnyAuthenticatedPacketReceived,
  timersAnyAuthenticatedPacketTraversal,
  timersDataReceived,
  timersHandshakeComplete,
} from './timers.js';

/** A transport data message from `source`, arrived at local address `local` when known. */
export const decapsulate: Receiver = (core, now, source, local, message) => {
  if (message.length < 32) {
    core.drop('malformed');
    return;
  }
  const entry = core.indices.get(readReceiverIndex(message));
  if (!entry?.keypair) {
    core.drop('unknown-index');
    return;
  }
  const { peer, keypair } = entry;
  if (now - keypair.createdAt >= REJECT_AFTER_TIME) {
    core.drop('expired-keypair');
    return;
  }
  const length = openData(core.backend, keypair, message, core.receiveBuffer);
  if (length < 0) {
    core.drop(DATA_DROP[length] ?? 'malformed');
    return;
  }
  if (keypair === peer.next) {
    // Responder: the initiator used the new keypair, so it becomes current (§5.4.5).
    confirmNextKeypair(core, peer);
    timersHandshakeComplete(core, peer, now);
    flushStaged(core, peer, now);
  }
  peer.rxBytes += message.length;
  const record = authenticated(core, peer, source, local, now);
  if (length > 0) {
    const payload = core.receiveBuffer.subarray(0, length);
    if (isProbe(payload)) receiveProbe(core, peer, record, payload, now);
    else deliver(core, peer, payload, now);
  }
  if (peer.current?.isInitiator && now - peer.current.createdAt >= REKEY_ON_RECEIVE_AGE) {
    requestHandshake(core, peer, now, 'rekey', false);
  }
  reschedule(core, peer);
};

/** The inner packet goes to the TUN if the peer may send from its source address. */
function deliver(core: DeviceCore, peer: Peer, payload: Uint8Array, now: number): void {
  const length = packetLength(payload);
  if (length === undefined || length > payload.length) {
    core.drop('bad-inner-packet');
    return;
  }
  const packet = payload.subarray(0, length);
  const source = innerSource(packet);
  if (!source || core.allowed.lookup(source.bytes) !== peer) {
    core.drop('source-not-allowed');
    return;
  }
  timersDataReceived(peer, now);
  core.outputs.packet(packet);
}

/**
 * Bookkeeping for any authenticated packet from `source`: roaming (the endpoint is learned, and
 * becomes active if none is), statistics, the sticky local address, timers (§6).
 */
export function authenticated(
  core: DeviceCore,
  peer: Peer,
  source: Endpoint,
  local: string | undefined,
  now: number,
): EndpointRecord {
  const active = peer.active;
  let record: EndpointRecord;
  if (active && active.endpoint.port === source.port && active.endpoint.address === source.address) {
    record = active; // the common case, without building the endpoint's key
  } else {
    const learned = peer.endpoints.learn(source, now, active?.key);
    record = learned.record;
    if (learned.change) endpointsChanged(core, peer, learned.change);
  }
  record.noteReceived(now);
  if (local !== undefined) record.localAddress = local;
  peer.lastAuthenticatedAt = now;
  peer.unansweredSince = undefined;
  timersAnyAuthenticatedPacketReceived(peer);
  timersAnyAuthenticatedPacketTraversal(peer, now);
  if (!peer.active) activate(core, peer, record);
  else if (record !== peer.active) {
    const last = peer.authenticatedEventAt.get(record.key) ?? Number.NEGATIVE_INFINITY;
    if (now - last >= AUTHENTICATED_EVENT_INTERVAL) {
      peer.authenticatedEventAt.set(record.key, now);
      notifyStrategy(core, peer, { type: 'authenticated-packet', endpoint: record.key });
    }
  }
  return record;
}
