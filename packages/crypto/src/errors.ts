/** Errors raised by the crypto layer, each with a stable `code`. */
export type CryptoErrorCode =
  | 'X25519_ZERO_SHARED_SECRET'
  | 'BAD_KEY_LENGTH'
  | 'BAD_NONCE_LENGTH'
  | 'BAD_OUTPUT_LENGTH'
  | 'COUNTER_OUT_OF_RANGE';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function expectLength(what: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) {
    throw new CryptoError('BAD_KEY_LENGTH', `${what} must be ${length} bytes, got ${bytes.length}`);
  }
}
