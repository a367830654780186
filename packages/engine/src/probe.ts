/**
 * In-band probes (packages/strategy `probe-message.ts`): the plaintext of an ordinary transport
 * data message whose first byte has IP version nibble 0, so a stock peer drops it. Sending a
 * probe a strategy asked for, answering a request from the endpoint it came through, matching
 * replies (RTT, `probe-reply` event) and timing out unanswered ones (loss, probe support).
 * Everything about probes is in this file.
 */
import { PROBE_REPLY, PROBE_REQUEST, readProbe, writeProbe } from '@pathwire/strategy';
import { PROBE_TIMEOUT } from './constants.js';
import type { DeviceCore } from './core.js';
import type { EndpointRecord } from './endpoint-set.js';
import { sendingKeypair } from './keypairs.js';
import type { Peer } from './peer.js';
import { sendData } from './send.js';
import { notifyStrategy } from './strategy-host.js';

/** Whether a decrypted payload is a probe rather than an IP packet (version nibble 0). */
export function isProbe(payload: Uint8Array): boolean {
  return payload[0]! >> 4 === 0;
}

/** A `probe` decision: one request through `key`, if there is a session and the peer may answer. */
export function sendProbe(core: DeviceCore, peer: Peer, key: string, now: number): void {
  const record = peer.endpoints.get(key);
  const keypair = sendingKeypair(peer, now);
  if (!record || !keypair || peer.probeSupport === 'no') return;
  const id = Math.floor(core.random() * 0xffff_ffff) >>> 0;
  peer.probes.set(id, { endpoint: key, sentAt: now });
  sendData(core, peer, keypair, writeProbe(PROBE_REQUEST, id), now, record);
}

/** An authenticated probe arrived via `record`: answer a request there; match a reply. */
export function receiveProbe(
  core: DeviceCore,
  peer: Peer,
  record: EndpointRecord,
  payload: Uint8Array,
  now: number,
): void {
  const probe = readProbe(payload);
  if (!probe) {
    core.drop('not-ip');
    return;
  }
  if (probe.kind === PROBE_REQUEST) {
    const keypair = sendingKeypair(peer, now);
    if (keypair) sendData(core, peer, keypair, writeProbe(PROBE_REPLY, probe.id), now, record);
    return;
  }
  const pending = peer.probes.get(probe.id);
  if (!pending) return;
  peer.probes.delete(probe.id);
  peer.probeSupport = 'yes';
  const rttMs = now - pending.sentAt;
  peer.endpoints.get(pending.endpoint)?.noteRtt(rttMs);
  notifyStrategy(core, peer, { type: 'probe-reply', endpoint: pending.endpoint, rttMs });
}

/** Probes unanswered for PROBE_TIMEOUT are lost; a peer that answers data but never probes has no support. */
export function expireProbes(peer: Peer, now: number): void {
  if (peer.probes.size === 0) return;
  for (const [id, probe] of peer.probes) {
    if (now - probe.sentAt < PROBE_TIMEOUT) continue;
    peer.probes.delete(id);
    peer.endpoints.get(probe.endpoint)?.noteLost();
    if (
      peer.probeSupport === 'unknown' &&
      peer.lastAuthenticatedAt !== undefined &&
      peer.lastAuthenticatedAt > probe.sentAt
    ) {
      peer.probeSupport = 'no';
    }
  }
}
