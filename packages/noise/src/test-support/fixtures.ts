/**
 * Test-only fixtures (excluded from the build): the two crypto backends, a seeded PRNG, a pair of
 * identities with their peer entries, and small helpers to run and tamper with handshakes.
 */
import { bytesToHex, type CryptoBackend, hexToBytes, MAC_LENGTH, nobleBackend } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import { HandshakePeer, StaticIdentity } from '../identity.js';
import { createInitiation } from '../initiation.js';
import { tai64n } from '../tai64n.js';

export const backends: readonly CryptoBackend[] = [nobleBackend, nodeBackend];

export const hex = hexToBytes;
export const toHex = bytesToHex;

/** xorshift32: deterministic "random" cases, so a failure replays. */
export function prng(seed: number): { int(max: number): number; bytes(length: number): Uint8Array } {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return {
    int: (max) => next() % max,
    bytes: (length) => Uint8Array.from({ length }, () => next() & 255),
  };
}

/** Fixed secrets so that messages are reproducible (any 32 bytes are a valid X25519 secret). */
export const FIXED = {
  initiatorStatic: hex('e84b5a6c1b4c9e0a3f1d2c3b4a5968778695a4b3c2d1e0f00112233445566778'),
  responderStatic: hex('c0ffee00112233445566778899aabbccddeeff00112233445566778899aabb40'),
  initiatorEphemeral: hex('a8b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e5f'),
  responderEphemeral: hex('5827364554637281900a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f70'),
  psk: hex('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20'),
} as const;

/** A base wall-clock time (Unix ms) for timestamps; steps of a second never share a whitening bucket. */
export const T0 = 1_700_000_000_000;
export const stamp = (step: number): Uint8Array => tai64n(T0 + step * 1000);

export interface Pair {
  readonly backend: CryptoBackend;
  readonly initiator: StaticIdentity;
  readonly responder: StaticIdentity;
  /** The responder as the initiator knows it. */
  readonly atInitiator: HandshakePeer;
  /** The initiator as the responder knows it. */
  readonly atResponder: HandshakePeer;
  readonly lookupPeer: (publicKey: Uint8Array) => HandshakePeer | undefined;
  /** Looks up the initiator's in-flight handshake by the index it sent. */
  readonly lookupIndex: (index: number) => HandshakePeer | undefined;
}

export interface PairOptions {
  readonly fixed?: boolean;
  readonly psk?: Uint8Array;
  /** A PSK configured only on the responder's side (for mismatch tests). */
  readonly responderPsk?: Uint8Array;
  /** Index the initiator uses (the lookupIndex answers only this one). */
  readonly initiatorIndex?: number;
}

export const INITIATOR_INDEX = 0x11223344;
export const RESPONDER_INDEX = 0xa1b2c3d4;

export function makePair(backend: CryptoBackend, options: PairOptions = {}): Pair {
  const initiator = new StaticIdentity(
    backend,
    options.fixed ? Uint8Array.from(FIXED.initiatorStatic) : backend.generateSecretKey(),
  );
  const responder = new StaticIdentity(
    backend,
    options.fixed ? Uint8Array.from(FIXED.responderStatic) : backend.generateSecretKey(),
  );
  const atInitiator = new HandshakePeer(initiator, responder.publicKey, options.psk);
  const atResponder = new HandshakePeer(responder, initiator.publicKey, options.responderPsk ?? options.psk);
  const index = options.initiatorIndex ?? INITIATOR_INDEX;
  return {
    backend,
    initiator,
    responder,
    atInitiator,
    atResponder,
    lookupPeer: (publicKey) =>
      bytesToHex(publicKey) === bytesToHex(initiator.publicKey) ? atResponder : undefined,
    lookupIndex: (i) => (i === index ? atInitiator : undefined),
  };
}

/** Creates an initiation from the pair's initiator; throws on failure (fixtures only). */
export function initiate(pair: Pair, step: number, now = 0, ephemeralPrivate?: Uint8Array): Uint8Array {
  const result = createInitiation(pair.atInitiator, {
    senderIndex: INITIATOR_INDEX,
    timestamp: stamp(step),
    now,
    ...(ephemeralPrivate ? { ephemeralPrivate } : {}),
  });
  if (!result.ok) throw result.error;
  return result.message;
}

/** A copy of `message` with byte `offset` XORed with `mask`. */
export function flip(message: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  const copy = Uint8Array.from(message);
  copy[offset]! ^= mask;
  return copy;
}

/** Rewrites mac1 (with the receiver's MAC1 key) so a tampered message gets past the MAC1 check. */
export function remac1(backend: CryptoBackend, receiverMac1Key: Uint8Array, message: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(message);
  const m1 = copy.length - 2 * MAC_LENGTH;
  copy.set(backend.mac(receiverMac1Key, copy.subarray(0, m1)), m1);
  return copy;
}

/** A copy of `message` placed at an odd offset inside a larger buffer (exercises byteOffset handling). */
export function unaligned(message: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(message.length + 7);
  buffer.fill(0xee);
  buffer.set(message, 3);
  return buffer.subarray(3, 3 + message.length);
}
