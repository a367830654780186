/**
 * @pathwire/transport: WireGuard data messages on a keypair from the handshake.
 *
 * @example
 * ```ts
 * import { nobleBackend } from '@pathwire/crypto';
 * import { Keypair, openData, sealData, sealedLength } from '@pathwire/transport';
 *
 * const key = nobleBackend.generateSecretKey();
 * const a = new Keypair({ sendKey: key, receiveKey: key, localIndex: 1, remoteIndex: 2, isInitiator: true }, 0);
 * const b = new Keypair({ sendKey: key, receiveKey: key, localIndex: 2, remoteIndex: 1, isInitiator: false }, 0);
 * const packet = new Uint8Array([0x45, 0, 0, 20]);
 * const wire = new Uint8Array(sealedLength(packet.length));
 * const length = sealData(nobleBackend, a, packet, wire);
 * const plain = new Uint8Array(wire.length);
 * console.log(length, openData(nobleBackend, b, wire, plain)); // 48 16 (padded to 16)
 * ```
 */
export * from './constants.js';
export {
  DataError,
  type DataErrorCode,
  isDataMessage,
  openData,
  openStale,
  paddedLength,
  readCounter,
  readReceiverIndex,
  sealData,
  sealedLength,
} from './data-message.js';
export { DEFAULT_LIMITS, Keypair, type MessageLimits, type SessionKeyMaterial } from './keypair.js';
export { ReplayWindow } from './replay-window.js';
