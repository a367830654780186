/**
 * WireGuard's AEAD nonce (whitepaper §5.4.6): 32 bits of zeros followed by the 64-bit
 * little-endian message counter.
 */
import { CryptoError } from './errors.js';

export const NONCE_LENGTH = 12;

/** Writes the nonce for `counter` into a 12-byte buffer. */
export function writeNonce(nonce: Uint8Array, counter: number): Uint8Array {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new CryptoError(
      'COUNTER_OUT_OF_RANGE',
      `counter must be a non-negative safe integer, got ${counter}`,
    );
  }
  nonce[0] = 0;
  nonce[1] = 0;
  nonce[2] = 0;
  nonce[3] = 0;
  const low = counter >>> 0;
  const high = Math.floor(counter / 0x1_0000_0000);
  nonce[4] = low & 255;
  nonce[5] = (low >>> 8) & 255;
  nonce[6] = (low >>> 16) & 255;
  nonce[7] = low >>> 24;
  nonce[8] = high & 255;
  nonce[9] = (high >>> 8) & 255;
  nonce[10] = (high >>> 16) & 255;
  nonce[11] = high >>> 24;
  return nonce;
}
