/**
 * In-band probes (DESIGN.md, heartbeat-probe "Carriage", "Safety with stock peers", "Receiver
 * rules"). Everything the engine does with probes is in this file; the per-peer state is in
 * `probe-state.ts`, the wire format and the per-path anti-replay in `@pathwire/strategy`
 * (`probe-message.ts`, `probe-replay.ts`).
 *
 * - Until the peer answered a HELLO, a `probe` decision sends a HELLO, and only on the ACTIVE
 *   endpoint: a stock peer moves its endpoint to the source of any authenticated packet before
 *   dropping it, so anything else would move it. After HELLO_ATTEMPTS HELLOs went unanswered
 *   while the peer was otherwise answering, the peer is stock (`probeSupport = 'no'`) and no
 *   probe is sent again.
 * - A received probe is recognised BEFORE roaming (`receive.ts` hands it here before
 *   `authenticated`): it never moves the receiver's endpoint nor adds a learned one. A PONG goes
 *   back to the PING's source from the local address it arrived at.
 * - A PING that fell behind WireGuard's replay window (overtaken by more than 8128 data packets
 *   on a faster path) is still answered when the per-path sequence window accepts it; a
 *   replayed one is not.
 * - Rate limits, both ways: PROBE_RATE a second per peer (burst PROBE_BURST) sent, answered,
 *   and stale messages decrypted.
 * - Probes arm none of WireGuard's data timers and do not count as use of a path (`lastSentAt`).
 */

import { endpointKey } from '@pathwire/ip';
import {
  type Endpoint,
  isProbeReply,
  looksLikeProbe,
  PROBE_ERROR_NAMES,
  PROBE_HELLO,
  PROBE_HELLO_ACK,
  PROBE_REQUEST_LENGTH,
  ProbeError,
  readProbe,
  writeProbe,
} from '@pathwire/strategy';
import { type Keypair, openStale, sealData, sealedLength } from '@pathwire/transport';
import { PROBE_TIMEOUT } from './constants.js';
import type { DeviceCore } from './core.js';
import type { DropReason } from './events.js';
import { sendingKeypair } from './keypairs.js';
import type { Peer } from './peer.js';
import { HELLO_ATTEMPTS } from './probe-state.js';
import { DATA_DROP } from './send.js';
import { notifyStrategy } from './strategy-host.js';
import { reschedule, timersAnyAuthenticatedPacketReceived } from './timers.js';

/** Whether a decrypted payload is handled here rather than delivered (a probe, when probes are on). */
export function isProbe(core: DeviceCore, payload: Uint8Array): boolean {
  return core.answerProbes && looksLikeProbe(payload);
}

/**
 * A `probe` decision: a PING to a pathwire peer, a HELLO on the active endpoint to a peer not
 * known yet, nothing to a stock one. `size` pads a PING to test the path MTU.
 */
export function sendProbe(
  core: DeviceCore,
  peer: Peer,
  key: string,
  size: number | undefined,
  now: number,
): void {
  const record = peer.endpoints.get(key);
  const keypair = sendingKeypair(peer, now);
  if (!record || !keypair) {
    core.drop('probe-no-session');
    return;
  }
  const type = peer.probes.admit(record, peer.active, now);
  if (typeof type === 'string') {
    core.drop(type);
    return;
  }
  if (record.probePathId === 0) record.probePathId = Math.floor(core.random() * 0xffff_ffff) >>> 0 || 1;
  const fields = peer.probes.request(type, record, now);
  const padded =
    type === PROBE_HELLO
      ? PROBE_REQUEST_LENGTH
      : Math.min(Math.max(size ?? 0, PROBE_REQUEST_LENGTH), core.mtu);
  const bytes = new Uint8Array(padded);
  writeProbe(bytes, fields);
  sendSealed(core, peer, keypair, bytes, record.endpoint, record.localAddress);
  core.countProbe(type === PROBE_HELLO ? 'hello-sent' : 'ping-sent');
}

/**
 * A decrypted probe from `source` (arrived at `local`). Requests are answered to their source
 * from that local address; replies end a pending probe and tell the strategy. Nothing here
 * roams. `fresh`: the message passed WireGuard's replay window (else it came from behind it).
 */
export function receiveProbe(
  core: DeviceCore,
  peer: Peer,
  source: Endpoint,
  local: string | undefined,
  payload: Uint8Array,
  now: number,
  fresh: boolean,
): void {
  const probes = peer.probes;
  const fields = probes.fields;
  const code = readProbe(payload, fields);
  if (code !== ProbeError.OK) {
    core.drop((PROBE_ERROR_NAMES[code] ?? 'probe-malformed') as DropReason);
    return;
  }
  // Anything that reads as a probe proves the peer speaks them.
  probes.support = 'yes';
  if (isProbeReply(fields.type)) {
    core.countProbe(fields.type === PROBE_HELLO_ACK ? 'hello-ack-received' : 'pong-received');
    // A reply proves the round trip on that path (a request only the way towards us): it counts
    // for the path's statistics. No learning, no roaming.
    const known = peer.endpoints.get(endpointKey(source));
    if (known) {
      known.noteReceived(now);
      if (known === peer.active) {
        peer.lastAuthenticatedAt = now;
        timersAnyAuthenticatedPacketReceived(peer);
      }
    }
    const pending = probes.answered(fields);
    if (!pending) {
      core.drop('probe-unmatched');
      return;
    }
    const record = peer.endpoints.get(pending.endpoint);
    const rttMs = now - pending.sentAt;
    if (record) {
      record.noteRtt(rttMs);
      record.probesAnswered++;
    }
    notifyStrategy(core, peer, {
      type: 'probe-reply',
      endpoint: pending.endpoint,
      rttMs,
      peerReceived: fields.received,
      sent: pending.sent,
    });
    return;
  }
  const verdict = probes.guard.accept(fields.pathId, fields.sequence, fresh);
  if (verdict !== 'accepted') {
    core.drop(verdict === 'unknown-path' ? 'probe-unknown-path' : 'probe-replay');
    return;
  }
  core.countProbe(fields.type === PROBE_HELLO ? 'hello-received' : 'ping-received');
  if (!probes.answerBucket.take(now)) {
    core.drop('probe-rate-limited');
    return;
  }
  const keypair = sendingKeypair(peer, now);
  if (!keypair) {
    core.drop('probe-no-session');
    return;
  }
  const reply = probes.reply(fields, payload.length, core.probeReply);
  const bytes = new Uint8Array(reply.length);
  writeProbe(bytes, reply);
  // To the PING's source (copied: the driver may reuse its endpoint object), from the local
  // address it arrived at, not to the active endpoint.
  sendSealed(core, peer, keypair, bytes, { address: source.address, port: source.port }, local);
  core.countProbe(fields.type === PROBE_HELLO ? 'hello-ack-sent' : 'pong-sent');
}

/**
 * A data message behind the replay window (`openData` said REPLAY): answered only if it is a
 * probe its path's window accepts. Returns whether it was handled as one.
 */
export function receiveStaleProbe(
  core: DeviceCore,
  peer: Peer,
  keypair: Keypair,
  source: Endpoint,
  local: string | undefined,
  message: Uint8Array,
  now: number,
): boolean {
  if (!core.answerProbes || !peer.probes.staleBucket.take(now)) return false;
  const length = openStale(core.backend, keypair, message, core.receiveBuffer);
  if (length <= 0 || !looksLikeProbe(core.receiveBuffer)) return false;
  peer.rxBytes += message.length;
  receiveProbe(core, peer, source, local, core.receiveBuffer.subarray(0, length), now, false);
  reschedule(core, peer);
  return true;
}

/** Probes unanswered for PROBE_TIMEOUT are lost; HELLOs unanswered while the peer answers other traffic make it stock. */
export function expireProbes(core: DeviceCore, peer: Peer, now: number): void {
  const probes = peer.probes;
  if (probes.pending.size === 0) return;
  for (const [id, probe] of probes.pending) {
    if (now - probe.sentAt < PROBE_TIMEOUT) continue;
    probes.pending.delete(id);
    const record = peer.endpoints.get(probe.endpoint);
    if (record) {
      record.noteLost();
      record.probesLost++;
    }
    core.countProbe('lost');
    if (
      probe.hello &&
      probes.support === 'unknown' &&
      peer.lastAuthenticatedAt !== undefined &&
      peer.lastAuthenticatedAt > probe.sentAt &&
      ++probes.hellosUnanswered >= HELLO_ATTEMPTS
    ) {
      probes.support = 'no';
    }
  }
}

/** A `duplicate` decision: data on the active endpoint also goes to `key` (pathwire peers only). */
export function setDuplicate(core: DeviceCore, peer: Peer, key: string | undefined): void {
  const record = key === undefined ? undefined : peer.endpoints.get(key);
  // Never towards a peer that has not answered a HELLO (a stock peer would roam to it).
  if (record && peer.probes.support !== 'yes') core.drop('probe-refused');
  peer.probes.duplicateTo = record && peer.probes.support === 'yes' ? record : undefined;
}

/**
 * Seals a probe and queues it. Unlike data it arms none of WireGuard's data timers and does not
 * count as use of the path: probing an idle tunnel must not keep it "in use".
 */
function sendSealed(
  core: DeviceCore,
  peer: Peer,
  keypair: Keypair,
  payload: Uint8Array,
  to: Endpoint,
  from: string | undefined,
): void {
  const out = new Uint8Array(sealedLength(payload.length, core.mtu));
  const length = sealData(core.backend, keypair, payload, out, core.mtu);
  if (length < 0) {
    core.drop(DATA_DROP[length] ?? 'counter-limit');
    return;
  }
  peer.txBytes += length;
  core.outputs.datagram(to, out, from);
}
