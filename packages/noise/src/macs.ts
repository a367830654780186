/**
 * MAC1 and MAC2 of handshake messages (whitepaper §5.4.4): every handshake message ends with
 *   mac1 = MAC(HASH(LABEL_MAC1 || S_receiver_pub), msg[0 .. mac1])
 *   mac2 = MAC(cookie, msg[0 .. mac2])   or 16 zero bytes without a fresh cookie
 */
import { type CryptoBackend, constantTimeEqual, MAC_LENGTH } from '@pathwire/crypto';
import { COOKIE_REFRESH_TIME_MS } from './constants.js';
import type { HandshakePeer } from './identity.js';

export function mac1Offset(message: Uint8Array): number {
  return message.length - 2 * MAC_LENGTH;
}

export function mac2Offset(message: Uint8Array): number {
  return message.length - MAC_LENGTH;
}

/** Writes mac1 (and mac2 when a cookie from the peer is fresh) into a message addressed to `peer`. */
export function writeMacs(
  backend: CryptoBackend,
  peer: HandshakePeer,
  message: Uint8Array,
  now: number,
): void {
  const m1 = mac1Offset(message);
  const mac1 = backend.mac(peer.remote.mac1Key, message.subarray(0, m1));
  message.set(mac1, m1);
  peer.lastSentMac1 = mac1;
  const m2 = mac2Offset(message);
  if (peer.cookie && now - peer.cookieReceivedAt < COOKIE_REFRESH_TIME_MS) {
    message.set(backend.mac(peer.cookie, message.subarray(0, m2)), m2);
  } else {
    message.fill(0, m2);
  }
}

/** Verifies mac1 against our own MAC1 key in constant time. */
export function verifyMac1(backend: CryptoBackend, mac1Key: Uint8Array, message: Uint8Array): boolean {
  const m1 = mac1Offset(message);
  const expected = backend.mac(mac1Key, message.subarray(0, m1));
  return constantTimeEqual(expected, message.subarray(m1, m1 + MAC_LENGTH));
}
