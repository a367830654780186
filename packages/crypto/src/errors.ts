/** Errors raised by the crypto layer, each with a stable `code`. */
import { PathwireError } from '@pathwire/errors';
export type CryptoErrorCode =
  | 'X25519_ZERO_SHARED_SECRET'
  | 'BAD_KEY_LENGTH'
  | 'BAD_NONCE_LENGTH'
  | 'BAD_OUTPUT_LENGTH'
  | 'COUNTER_OUT_OF_RANGE';

const marker = 'pathwire.error.CryptoError';
const symbol = Symbol.for(marker);

export class CryptoError extends PathwireError<CryptoErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'CryptoError';

  static override isInstance(error: unknown): error is CryptoError {
    return PathwireError.hasMarker(error, marker);
  }
}

export function expectLength(
  what: string,
  bytes: Uint8Array,
  length: number,
  code: CryptoErrorCode = 'BAD_KEY_LENGTH',
): void {
  if (bytes.length !== length) {
    throw new CryptoError(code, `${what} must be ${length} bytes, got ${bytes.length}`);
  }
}

/** Returns `output` cut to `length` bytes, or throws `BAD_OUTPUT_LENGTH` when it is too short. */
export function outputView(output: Uint8Array, length: number): Uint8Array {
  if (output.length < length) {
    throw new CryptoError('BAD_OUTPUT_LENGTH', `output must hold ${length} bytes, got ${output.length}`);
  }
  return output.subarray(0, length);
}
