/**
 * Handshakes (whitepaper §5.4, wireguard-go `send.go` SendHandshakeInitiation and
 * `receive.go` handshake messages): starting and retrying initiations, whose identical copies
 * go where the strategy said; consuming initiations, responses and cookie replies; and the
 * under-load defences in front of them (§5.3).
 */
import { bytesToBase64 } from '@pathwire/crypto';
import {
  consumeCookieReply,
  consumeInitiation,
  consumeResponse,
  createInitiation,
  createResponse,
  type HandshakeErrorCode,
  tai64n,
  verifyMac1,
} from '@pathwire/noise';
import { endpointKey } from '@pathwire/resolver/parse';
import type { Endpoint, HandshakeReason, InitiationTarget } from '@pathwire/strategy';
import { Keypair } from '@pathwire/transport';
import { MAX_HANDSHAKE_ATTEMPTS, REJECT_AFTER_TIME, REKEY_TIMEOUT } from './constants.js';
import type { DeviceCore } from './core.js';
import type { EndpointRecord } from './endpoint-set.js';
import type { DropReason } from './events.js';
import { installInitiatorKeypair, installResponderKeypair } from './keypairs.js';
import type { Peer } from './peer.js';
import { authenticated } from './receive.js';
import { settle } from './selection.js';
import { flushStaged, sendInitiationCopy, sendKeepalive, transmit } from './send.js';
import { notifyStrategy, strategyError } from './strategy-host.js';
import {
  reschedule,
  timersHandshakeComplete,
  timersHandshakeInitiated,
  timersSessionDerived,
} from './timers.js';

const HANDSHAKE_DROP: Partial<Record<HandshakeErrorCode, DropReason>> = {
  BAD_LENGTH: 'malformed',
  BAD_TYPE: 'malformed',
  BAD_MAC1: 'bad-mac1',
  UNKNOWN_PEER: 'unknown-peer',
  UNKNOWN_INDEX: 'unknown-index',
};

/** One TAI64N whitening granule (2^24 ns) and a bit: the smallest step a responder sees as "later". */
const TIMESTAMP_STEP_MS = 17;

/**
 * The TAI64N timestamp of a new initiation (whitepaper §5.4.2), the engine's only use of the
 * wall clock, but never earlier than this peer's last one plus a granule: a responder ignores a
 * timestamp not later than the last it accepted, so after our wall clock steps back our
 * initiations must still go forward, or the peer would ignore them until the clock caught up.
 */
function timestamp(core: DeviceCore, peer: Peer, now: number): Uint8Array {
  const ms = Math.max(core.wallClock(now), peer.lastTimestampMs + TIMESTAMP_STEP_MS);
  peer.lastTimestampMs = ms;
  return tai64n(ms);
}

function handshakeDrop(core: DeviceCore, code: HandshakeErrorCode): void {
  core.drop(HANDSHAKE_DROP[code] ?? 'handshake-rejected');
}

/**
 * The engine wants a handshake: the strategy is asked where its copies go (`handshake-needed`)
 * and the initiation leaves when the strategy has answered, at the end of this input. A new
 * request within REKEY_TIMEOUT of the last initiation is dropped (§6.4); retries count up to
 * MAX_HANDSHAKE_ATTEMPTS, then the peer gives up.
 */
export function requestHandshake(
  core: DeviceCore,
  peer: Peer,
  now: number,
  reason: HandshakeReason,
  retry: boolean,
): void {
  if (peer.handshakeQueued) return;
  if (!retry) {
    if (now - peer.lastInitiationSentAt < REKEY_TIMEOUT) return;
    peer.handshakeAttempts = 0;
  } else if (peer.handshakeAttempts >= MAX_HANDSHAKE_ATTEMPTS) {
    giveUp(core, peer, now);
    return;
  }
  peer.handshakeAttempts++;
  peer.handshakeQueued = true;
  notifyStrategy(core, peer, { type: 'handshake-needed', reason, attempt: peer.handshakeAttempts });
}

/** Sends one initiation: its identical copies to `targets` at their offsets (default: the active endpoint). */
export function initiate(
  core: DeviceCore,
  peer: Peer,
  now: number,
  targets: readonly InitiationTarget[] | undefined,
): void {
  const fallback = peer.active ?? peer.endpoints.list[0];
  const chosen = targets?.length ? targets : fallback ? [{ endpoint: fallback.key, delayMs: 0 }] : [];
  if (chosen.length === 0) {
    // Nowhere to send it: not an attempt. Endpoints arriving later start the handshake.
    core.drop('no-endpoint');
    return;
  }
  if (!core.identity.privateKey.some((byte) => byte !== 0)) {
    // wireguard-go (noise-protocol.go CreateMessageInitiation): no private key, no handshake.
    core.drop('no-private-key');
    return;
  }
  peer.lastInitiationSentAt = now;
  timersHandshakeInitiated(core, peer, now);
  core.indices.delete(peer.initiationIndex);
  const localIndex = core.indices.newIndex();
  const created = createInitiation(peer.handshake, {
    ...core.ephemeral(),
    senderIndex: localIndex,
    timestamp: timestamp(core, peer, now),
    now,
  });
  if (!created.ok) {
    strategyError(core, peer, created.error.message);
    return;
  }
  peer.initiationIndex = localIndex;
  core.indices.set(localIndex, peer, undefined);
  core.counters.handshakesInitiated++;
  peer.pendingCopies = [];
  for (const record of peer.endpoints.list) record.initiationSentAt = undefined;
  const sorted = [...chosen].sort((a, b) => a.delayMs - b.delayMs);
  for (const target of sorted) {
    if (target.delayMs <= 0) sendInitiationCopy(core, peer, target.endpoint, created.message, now);
    else
      peer.pendingCopies.push({
        at: now + target.delayMs,
        endpoint: target.endpoint,
        localIndex,
        message: created.message,
      });
  }
}

/** REKEY_ATTEMPT_TIME passed without a response: staged packets go, keys expire later (§6.4). */
function giveUp(core: DeviceCore, peer: Peer, now: number): void {
  peer.retransmitAt = undefined;
  peer.pendingCopies = [];
  for (let i = 0; i < peer.staged.length; i++) core.drop('handshake-gave-up');
  peer.staged.length = 0;
  if (peer.zeroKeysAt === undefined) peer.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
  core.emit({ type: 'handshake-failed', peer: peer.publicKeyText });
}

/**
 * Under load (whitepaper §5.3): MAC1 first (cheap, stateless), then the cookie and the
 * per-source rate. Not under load, `consumeInitiation`/`consumeResponse` verify MAC1 themselves.
 */
function underLoadCheck(
  core: DeviceCore,
  now: number,
  source: Endpoint,
  local: string | undefined,
  message: Uint8Array,
): boolean {
  if (!core.load.noteHandshake(now)) return true;
  if (!verifyMac1(core.backend, core.identity.derived.mac1Key, message)) {
    core.drop('bad-mac1');
    return false;
  }
  const key = endpointKey(source);
  const sourceBytes = Uint8Array.from(key, (char) => char.charCodeAt(0));
  if (!core.cookies.verifyMac2(message, sourceBytes, now)) {
    if (core.load.allow(`cookie ${source.address}`, now)) {
      core.outputs.datagram(source, core.cookies.createReply(message, sourceBytes, now), local);
      core.counters.cookieRepliesSent++;
    }
    core.drop('cookie-required');
    return false;
  }
  if (!core.load.allow(source.address, now)) {
    core.drop('rate-limited');
    return false;
  }
  return true;
}

/** A handler of one kind of incoming message (`local`: the address it arrived at, if known). */
export type Receiver = (
  core: DeviceCore,
  now: number,
  source: Endpoint,
  local: string | undefined,
  message: Uint8Array,
) => void;

/** New keys from a handshake, either role: the zero-key timer, counters, the event, the strategy. */
function completed(
  core: DeviceCore,
  peer: Peer,
  record: EndpointRecord,
  role: 'initiator' | 'responder',
  rttMs: number | undefined,
  now: number,
): void {
  timersSessionDerived(peer, now);
  core.counters.handshakesCompleted++;
  core.emit({ type: 'handshake-complete', peer: peer.publicKeyText, role, endpoint: record.endpoint });
  notifyStrategy(core, peer, { type: 'handshake-complete', endpoint: record.key, role, rttMs });
}

/** A handshake message of the right length that passes the under-load defences. */
function admitted(
  core: DeviceCore,
  now: number,
  source: Endpoint,
  local: string | undefined,
  message: Uint8Array,
  length: number,
): boolean {
  if (message.length !== length) {
    core.drop('malformed');
    return false;
  }
  return underLoadCheck(core, now, source, local, message);
}

/** An initiation (§5.4.2) arrived: answer it; the new keypair waits as next (§5.4.5). */
export const receiveInitiation: Receiver = (core, now, source, local, message) => {
  if (!admitted(core, now, source, local, message, 148)) return;
  const consumed = consumeInitiation(core.identity, message, {
    lookupPeer: (key) => core.peersByKey.get(bytesToBase64(key))?.handshake,
    now,
  });
  if (!consumed.ok) {
    handshakeDrop(core, consumed.error.code);
    return;
  }
  const peer = core.peersByKey.get(bytesToBase64(consumed.peer.remote.publicKey))!;
  if (peer.initiationIndex !== undefined) {
    // Our own initiation in flight is superseded (the handshake state was replaced).
    core.indices.delete(peer.initiationIndex);
    peer.initiationIndex = undefined;
    peer.pendingCopies = [];
  }
  const localIndex = core.indices.newIndex();
  const response = createResponse(peer.handshake, { senderIndex: localIndex, now, ...core.ephemeral() });
  if (!response.ok) {
    core.drop('handshake-rejected');
    return;
  }
  installResponderKeypair(core, peer, new Keypair(response.keys, now));
  const record = authenticated(core, peer, source, local, now);
  transmit(core, peer, record, response.message, now);
  completed(core, peer, record, 'responder', undefined, now);
  reschedule(core, peer);
};

/** A response (§5.4.3) to our initiation arrived: the session is current; staged packets go. */
export const receiveResponse: Receiver = (core, now, source, local, message) => {
  if (!admitted(core, now, source, local, message, 92)) return;
  const done = consumeResponse(core.identity, message, {
    lookupIndex: (index) => {
      const entry = core.indices.get(index);
      return entry && !entry.keypair ? entry.peer.handshake : undefined;
    },
    now,
  });
  if (!done.ok) {
    handshakeDrop(core, done.error.code);
    return;
  }
  const peer = core.indices.get(done.keys.localIndex)!.peer;
  peer.initiationIndex = undefined;
  peer.pendingCopies = [];
  installInitiatorKeypair(core, peer, new Keypair(done.keys, now));
  const record = authenticated(core, peer, source, local, now);
  const rttMs = record.initiationSentAt !== undefined ? now - record.initiationSentAt : undefined;
  if (rttMs !== undefined) record.noteRtt(rttMs);
  for (const other of peer.endpoints.list) other.initiationSentAt = undefined;
  timersHandshakeComplete(core, peer, now);
  completed(core, peer, record, 'initiator', rttMs, now);
  // The strategy may move the peer to the winning endpoint: staged packets follow its answer.
  settle(core, peer, now);
  if (!flushStaged(core, peer, now)) sendKeepalive(core, peer, now);
  reschedule(core, peer);
};

/** A cookie reply (§5.4.7): remembered for the next initiation's MAC2. */
export function receiveCookieReply(core: DeviceCore, now: number, message: Uint8Array): void {
  const result = consumeCookieReply(message, {
    lookupIndex: (index) => core.indices.get(index)?.peer.handshake,
    now,
  });
  if (!result.ok) handshakeDrop(core, result.error.code);
}
