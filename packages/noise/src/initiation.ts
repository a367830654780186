/**
 * The handshake initiation (whitepaper §5.4.2), 148 bytes:
 *
 *   type=1 (1) | reserved=0 (3) | sender (4, LE) | ephemeral (32) | static (32+16) |
 *   timestamp (12+16) | mac1 (16) | mac2 (16)
 *
 * Noise IK message 1 with psk2: `-> e, es, s, ss` (+ the TAI64N payload).
 */
import { CryptoError, wipe } from '@pathwire/crypto';
import { INITIATION_LENGTH, INITIATION_MIN_INTERVAL_MS, MESSAGE_INITIATION } from './constants.js';
import { type Result, reject } from './errors.js';
import type { HandshakePeer, StaticIdentity } from './identity.js';
import { verifyMac1, writeMacs } from './macs.js';
import { messageHeaderError } from './message-type.js';
import { timestampAfter } from './tai64n.js';

export interface CreateInitiationOptions {
  /** Our sender index for this handshake (chosen by the caller, unique on the device). */
  readonly senderIndex: number;
  /** TAI64N of the wall clock (see `tai64n`). */
  readonly timestamp: Uint8Array;
  /** Time for the MAC2 cookie freshness, milliseconds on the caller's clock. */
  readonly now: number;
  /** For tests and vectors only: a fixed ephemeral secret instead of a fresh random one. */
  readonly ephemeralPrivate?: Uint8Array;
}

/** Builds an initiation to `peer` and remembers the handshake state on it. */
export function createInitiation(
  peer: HandshakePeer,
  options: CreateInitiationOptions,
): Result<{ message: Uint8Array }> {
  const identity = peer.identity;
  const backend = identity.backend;
  if (peer.unusable) return reject('BAD_PUBLIC_KEY');
  peer.clearHandshake();
  const symmetric = peer.initiatorStart.clone();
  const ephemeralPrivate = options.ephemeralPrivate
    ? Uint8Array.from(options.ephemeralPrivate)
    : backend.generateSecretKey();
  const ephemeralPublic = backend.publicKey(ephemeralPrivate);

  const message = new Uint8Array(INITIATION_LENGTH);
  const view = new DataView(message.buffer);
  view.setUint32(0, MESSAGE_INITIATION, true);
  view.setUint32(4, options.senderIndex >>> 0, true);
  // e
  message.set(ephemeralPublic, 8);
  symmetric.mixChainingKey(ephemeralPublic);
  symmetric.mixHash(ephemeralPublic);
  // es
  const es = backend.sharedSecret(ephemeralPrivate, peer.remote.publicKey);
  let key = symmetric.mixKey(es);
  wipe(es);
  // s
  message.set(symmetric.encryptAndHash(key, identity.publicKey), 40);
  // ss
  key = symmetric.mixKey(peer.staticStatic);
  // payload: TAI64N
  message.set(symmetric.encryptAndHash(key, options.timestamp), 88);
  writeMacs(backend, peer, message, options.now);

  peer.state = {
    kind: 'initiation-created',
    symmetric,
    ephemeralPrivate,
    localIndex: options.senderIndex >>> 0,
  };
  return { ok: true, message };
}

export interface ConsumeInitiationOptions {
  /** Finds the peer with this static public key, if it is configured. */
  readonly lookupPeer: (publicKey: Uint8Array) => HandshakePeer | undefined;
  readonly now: number;
}

/**
 * Verifies MAC1, decrypts an initiation, identifies the peer and applies the replay (TAI64N
 * strictly newer) and flood (one per 20 ms) rules. On success the peer holds the state for
 * `createResponse`. MAC2 under load is the caller's check (`CookieChecker`), made before this.
 */
export function consumeInitiation(
  identity: StaticIdentity,
  message: Uint8Array,
  options: ConsumeInitiationOptions,
): Result<{ peer: HandshakePeer; remoteIndex: number }> {
  const headerError = messageHeaderError(message, MESSAGE_INITIATION, INITIATION_LENGTH);
  if (headerError) return headerError;
  const backend = identity.backend;
  if (!verifyMac1(backend, identity.derived.mac1Key, message)) return reject('BAD_MAC1');

  const symmetric = identity.responderStart.clone();
  // e
  const ephemeral = message.slice(8, 40);
  symmetric.mixChainingKey(ephemeral);
  symmetric.mixHash(ephemeral);
  // es
  let es: Uint8Array;
  try {
    es = backend.sharedSecret(identity.privateKey, ephemeral);
  } catch (error) {
    if (error instanceof CryptoError) return reject('BAD_PUBLIC_KEY');
    throw error;
  }
  let key = symmetric.mixKey(es);
  wipe(es);
  // s
  const staticPublic = symmetric.decryptAndHash(key, message.subarray(40, 88));
  if (!staticPublic) return reject('DECRYPT_FAILED');
  const peer = options.lookupPeer(staticPublic);
  if (!peer) return reject('UNKNOWN_PEER');
  if (peer.unusable) return reject('BAD_PUBLIC_KEY');
  // ss
  key = symmetric.mixKey(peer.staticStatic);
  // payload: TAI64N
  const timestamp = symmetric.decryptAndHash(key, message.subarray(88, 116));
  if (!timestamp) return reject('DECRYPT_FAILED');
  if (!timestampAfter(timestamp, peer.lastTimestamp)) {
    return reject('REPLAYED_TIMESTAMP');
  }
  if (options.now - peer.lastInitiationConsumedAt <= INITIATION_MIN_INTERVAL_MS) {
    return reject('INITIATION_FLOOD');
  }
  peer.lastTimestamp = timestamp;
  peer.lastInitiationConsumedAt = options.now;
  peer.clearHandshake();
  const remoteIndex = new DataView(message.buffer, message.byteOffset).getUint32(4, true);
  peer.state = { kind: 'initiation-consumed', symmetric, remoteEphemeral: ephemeral, remoteIndex };
  return { ok: true, peer, remoteIndex };
}
