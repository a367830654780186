/**
 * Cookies under load (whitepaper §5.3 and §5.4.7). A responder under load answers a
 * handshake message without a valid mac2 with a 64-byte cookie reply:
 *
 *   type=3 (1) | reserved=0 (3) | receiver (4, LE) | nonce (24) | cookie (16+16)
 *
 * where cookie = MAC(R_m, source address and port), R_m a random secret changed every
 * 120 s, sealed with XAEAD(HASH(LABEL_COOKIE || S_responder_pub), nonce, cookie, mac1 of the
 * message being answered).
 */
import {
  type CryptoBackend,
  constantTimeEqual,
  KEY_LENGTH,
  MAC_LENGTH,
  XNONCE_LENGTH,
} from '@pathwire/crypto';
import { COOKIE_REFRESH_TIME_MS, COOKIE_REPLY_LENGTH, MESSAGE_COOKIE_REPLY } from './constants.js';
import { type Result, reject } from './errors.js';
import type { HandshakePeer, StaticIdentity } from './identity.js';
import { mac1Offset, mac2Offset } from './macs.js';
import { messageHeaderError } from './message-type.js';

/** The responder's side: the rotating secret, mac2 verification and cookie replies. */
export class CookieChecker {
  private readonly backend: CryptoBackend;
  private readonly secret = new Uint8Array(KEY_LENGTH);
  private secretCreatedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly identity: StaticIdentity) {
    this.backend = identity.backend;
  }

  /** MAC(R_m, source): the cookie a client at `source` must use; rotates R_m every 120 s. */
  private cookieFor(source: Uint8Array, now: number): Uint8Array {
    if (now - this.secretCreatedAt >= COOKIE_REFRESH_TIME_MS) {
      this.backend.randomBytes(this.secret);
      this.secretCreatedAt = now;
    }
    return this.backend.mac(this.secret, source);
  }

  /** True when the message's mac2 is the cookie for `source` (checked in constant time). */
  verifyMac2(message: Uint8Array, source: Uint8Array, now: number): boolean {
    if (message.length < 2 * MAC_LENGTH + 4) return false;
    const m2 = mac2Offset(message);
    const expected = this.backend.mac(this.cookieFor(source, now), message.subarray(0, m2));
    return constantTimeEqual(expected, message.subarray(m2, m2 + MAC_LENGTH));
  }

  /** The cookie reply to a handshake message (initiation or response) received from `source`. */
  createReply(message: Uint8Array, source: Uint8Array, now: number): Uint8Array {
    const reply = new Uint8Array(COOKIE_REPLY_LENGTH);
    reply[0] = MESSAGE_COOKIE_REPLY;
    reply.set(message.subarray(4, 8), 4);
    const nonce = this.backend.randomBytes(reply.subarray(8, 8 + XNONCE_LENGTH));
    const m1 = mac1Offset(message);
    const sealed = this.backend.xseal(
      this.identity.derived.cookieKey,
      nonce,
      this.cookieFor(source, now),
      message.subarray(m1, m1 + MAC_LENGTH),
    );
    reply.set(sealed, 32);
    return reply;
  }
}

export interface ConsumeCookieReplyOptions {
  /** Finds the peer we sent a handshake message with this sender index to. */
  readonly lookupIndex: (receiverIndex: number) => HandshakePeer | undefined;
  readonly now: number;
}

/** The initiator's side: decrypts a cookie reply and stores the cookie for the next mac2. */
export function consumeCookieReply(
  reply: Uint8Array,
  options: ConsumeCookieReplyOptions,
): Result<{ peer: HandshakePeer }> {
  const headerError = messageHeaderError(reply, MESSAGE_COOKIE_REPLY, COOKIE_REPLY_LENGTH);
  if (headerError) return headerError;
  const receiverIndex = new DataView(reply.buffer, reply.byteOffset).getUint32(4, true);
  const peer = options.lookupIndex(receiverIndex);
  if (!peer) return reject('UNKNOWN_INDEX');
  if (!peer.lastSentMac1) return reject('WRONG_STATE');
  const cookie = peer.identity.backend.xopen(
    peer.remote.cookieKey,
    reply.subarray(8, 32),
    reply.subarray(32, 64),
    peer.lastSentMac1,
  );
  if (!cookie) return reject('DECRYPT_FAILED');
  peer.cookie = cookie;
  peer.cookieReceivedAt = options.now;
  return { ok: true, peer };
}
