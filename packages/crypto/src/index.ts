/**
 * @pathwire/crypto: WireGuard's primitives behind one backend contract.
 *
 * @example
 * ```ts
 * import { nobleBackend, kdf2 } from '@pathwire/crypto';
 * const [a, b] = kdf2(nobleBackend, new Uint8Array(32), new Uint8Array(0));
 * console.log(a.length + b.length); // 64
 * ```
 */
export {
  type CryptoBackend,
  HASH_LENGTH,
  KEY_LENGTH,
  MAC_LENGTH,
  TAG_LENGTH,
  XNONCE_LENGTH,
} from './backend.js';
export {
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  concatBytes,
  constantTimeEqual,
  decodeKey,
  hexToBytes,
  isAllZero,
  wipe,
} from './bytes.js';
export { CryptoError, type CryptoErrorCode } from './errors.js';
export { kdf, kdf1, kdf2, kdf3 } from './kdf.js';
export { createNobleBackend, nobleBackend } from './noble-backend.js';
export { NONCE_LENGTH, writeNonce } from './nonce.js';
