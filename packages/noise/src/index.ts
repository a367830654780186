/**
 * @pathwire/noise: WireGuard's Noise_IKpsk2 handshake, pure and I/O-free.
 *
 * @example
 * ```ts
 * import { nobleBackend } from '@pathwire/crypto';
 * import { HandshakeError, HandshakePeer, StaticIdentity, consumeInitiation, consumeResponse, createInitiation,
 *   createResponse, tai64n } from '@pathwire/noise';
 *
 * const alice = new StaticIdentity(nobleBackend, nobleBackend.generateSecretKey());
 * const bob = new StaticIdentity(nobleBackend, nobleBackend.generateSecretKey());
 * const bobAtAlice = new HandshakePeer(alice, bob.publicKey);
 * const aliceAtBob = new HandshakePeer(bob, alice.publicKey);
 *
 * const init = createInitiation(bobAtAlice, { senderIndex: 1, timestamp: tai64n(Date.now()), now: 0 });
 * if (!init.ok) throw HandshakeError.from(init.error);
 * const consumed = consumeInitiation(bob, init.message, { lookupPeer: () => aliceAtBob, now: 0 });
 * if (!consumed.ok) throw HandshakeError.from(consumed.error);
 * const response = createResponse(aliceAtBob, { senderIndex: 2, now: 0 });
 * if (!response.ok) throw HandshakeError.from(response.error);
 * const done = consumeResponse(alice, response.message, { lookupIndex: () => bobAtAlice, now: 0 });
 * if (!done.ok) throw HandshakeError.from(done.error);
 * // done.keys.sendKey equals response.keys.receiveKey
 * // A rejection is a constant `{ ok: false, error: { code, message } }`, never an Error:
 * // count `error.code` on the hot path; `HandshakeError.from` only where throwing is right.
 * ```
 */
export * from './constants.js';
export {
  type ConsumeCookieReplyOptions,
  CookieChecker,
  consumeCookieReply,
} from './cookie.js';
export {
  HandshakeError,
  type HandshakeErrorCode,
  type HandshakeRejection,
  type Rejected,
  type Result,
} from './errors.js';
export {
  derivePublicKeyKeys,
  HandshakePeer,
  type HandshakeState,
  type PublicKeyDerivatives,
  StaticIdentity,
} from './identity.js';
export {
  type ConsumeInitiationOptions,
  type CreateInitiationOptions,
  consumeInitiation,
  createInitiation,
} from './initiation.js';
export { mac1Offset, mac2Offset, verifyMac1, writeMacs } from './macs.js';
export { messageType } from './message-type.js';
export {
  type ConsumeResponseOptions,
  type CreateResponseOptions,
  consumeResponse,
  createResponse,
} from './response.js';
export type { SessionKeys } from './session-keys.js';
export { SymmetricState } from './symmetric-state.js';
export { tai64n, timestampAfter } from './tai64n.js';
