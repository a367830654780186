/** Errors raised by the simulator's configuration API, each with a stable `code`. */
import { PathwireError } from '@pathwire/errors';
export type NetsimErrorCode =
  | 'INVALID_ADDRESS'
  | 'INVALID_ARGUMENT'
  | 'DUPLICATE_ADDRESS'
  | 'DUPLICATE_HOST'
  | 'DUPLICATE_PATH'
  | 'UNKNOWN_ADDRESS'
  | 'UNKNOWN_INTERFACE'
  | 'PORT_IN_USE'
  | 'TIME_IN_PAST'
  | 'LIVELOCK';

const marker = 'pathwire.error.NetsimError';
const symbol = Symbol.for(marker);

/**
 * Thrown for misuse of the simulator (bad configuration, scheduling in the past, a node that
 * never lets time advance). Network failures are never thrown: they are send results or
 * counted drops.
 */
export class NetsimError extends PathwireError<NetsimErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'NetsimError';

  static override isInstance(error: unknown): error is NetsimError {
    return PathwireError.hasMarker(error, marker);
  }
}
