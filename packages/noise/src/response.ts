/**
 * The handshake response (whitepaper §5.4.3), 92 bytes:
 *
 *   type=2 (1) | reserved=0 (3) | sender (4, LE) | receiver (4, LE) | ephemeral (32) |
 *   empty (0+16) | mac1 (16) | mac2 (16)
 *
 * Noise IK message 2 with psk2: `<- e, ee, se, psk` (+ an empty payload), then Split().
 */
import { CryptoError, wipe } from '@pathwire/crypto';
import { MESSAGE_RESPONSE, RESPONSE_LENGTH } from './constants.js';
import { type Result, reject } from './errors.js';
import type { HandshakePeer, StaticIdentity } from './identity.js';
import { verifyMac1, writeMacs } from './macs.js';
import { messageHeaderError } from './message-type.js';
import type { SessionKeys } from './session-keys.js';

const EMPTY = new Uint8Array(0);

export interface CreateResponseOptions {
  /** Our sender index for the new session. */
  readonly senderIndex: number;
  readonly now: number;
  /** For tests and vectors only: a fixed ephemeral secret. */
  readonly ephemeralPrivate?: Uint8Array;
}

/** Answers the initiation last consumed from `peer`; returns the response and the session keys. */
export function createResponse(
  peer: HandshakePeer,
  options: CreateResponseOptions,
): Result<{ message: Uint8Array; keys: SessionKeys }> {
  const state = peer.state;
  if (state.kind !== 'initiation-consumed') return reject('WRONG_STATE');
  const backend = peer.identity.backend;
  const symmetric = state.symmetric;
  const ephemeralPrivate = options.ephemeralPrivate
    ? Uint8Array.from(options.ephemeralPrivate)
    : backend.generateSecretKey();
  const ephemeralPublic = backend.publicKey(ephemeralPrivate);

  const message = new Uint8Array(RESPONSE_LENGTH);
  const view = new DataView(message.buffer);
  view.setUint32(0, MESSAGE_RESPONSE, true);
  view.setUint32(4, options.senderIndex >>> 0, true);
  view.setUint32(8, state.remoteIndex, true);
  try {
    // e
    message.set(ephemeralPublic, 12);
    symmetric.mixChainingKey(ephemeralPublic);
    symmetric.mixHash(ephemeralPublic);
    // ee, se
    for (const remote of [state.remoteEphemeral, peer.remote.publicKey]) {
      const shared = backend.sharedSecret(ephemeralPrivate, remote);
      symmetric.mixChainingKey(shared);
      wipe(shared);
    }
  } catch (error) {
    peer.clearHandshake();
    wipe(ephemeralPrivate);
    if (error instanceof CryptoError) return reject('BAD_PUBLIC_KEY');
    throw error;
  }
  wipe(ephemeralPrivate);
  // psk
  const key = symmetric.mixKeyAndHash(peer.presharedKey);
  message.set(symmetric.encryptAndHash(key, EMPTY), 44);
  writeMacs(backend, peer, message, options.now);

  const [receiveKey, sendKey] = symmetric.split();
  const keys: SessionKeys = {
    sendKey,
    receiveKey,
    localIndex: options.senderIndex >>> 0,
    remoteIndex: state.remoteIndex,
    isInitiator: false,
  };
  peer.state = { kind: 'none' };
  return { ok: true, message, keys };
}

export interface ConsumeResponseOptions {
  /** Finds the peer whose handshake in flight has this local (receiver) index. */
  readonly lookupIndex: (receiverIndex: number) => HandshakePeer | undefined;
  readonly now: number;
}

/** Verifies MAC1 and completes our initiation with the response; returns the session keys. */
export function consumeResponse(
  identity: StaticIdentity,
  message: Uint8Array,
  options: ConsumeResponseOptions,
): Result<{ peer: HandshakePeer; keys: SessionKeys }> {
  const headerError = messageHeaderError(message, MESSAGE_RESPONSE, RESPONSE_LENGTH);
  if (headerError) return headerError;
  const backend = identity.backend;
  if (!verifyMac1(backend, identity.derived.mac1Key, message)) return reject('BAD_MAC1');
  const view = new DataView(message.buffer, message.byteOffset);
  const receiverIndex = view.getUint32(8, true);
  const peer = options.lookupIndex(receiverIndex);
  if (!peer) return reject('UNKNOWN_INDEX');
  const state = peer.state;
  if (state.kind !== 'initiation-created' || state.localIndex !== receiverIndex) {
    return reject('WRONG_STATE');
  }
  // Work on a copy: a forged response must not disturb the handshake in flight.
  const symmetric = state.symmetric.clone();
  const ephemeral = message.subarray(12, 44);
  symmetric.mixChainingKey(ephemeral);
  symmetric.mixHash(ephemeral);
  try {
    // ee, se
    for (const local of [state.ephemeralPrivate, identity.privateKey]) {
      const shared = backend.sharedSecret(local, ephemeral);
      symmetric.mixChainingKey(shared);
      wipe(shared);
    }
  } catch (error) {
    symmetric.wipe();
    if (error instanceof CryptoError) return reject('BAD_PUBLIC_KEY');
    throw error;
  }
  const key = symmetric.mixKeyAndHash(peer.presharedKey);
  if (!symmetric.decryptAndHash(key, message.subarray(44, 60))) {
    symmetric.wipe();
    return reject('DECRYPT_FAILED');
  }
  const [sendKey, receiveKey] = symmetric.split();
  peer.clearHandshake();
  const keys: SessionKeys = {
    sendKey,
    receiveKey,
    localIndex: receiverIndex,
    remoteIndex: view.getUint32(4, true),
    isInitiator: true,
  };
  return { ok: true, peer, keys };
}
