/** Errors raised by the simulator's configuration API, each with a stable `code`. */
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

/**
 * Thrown for misuse of the simulator (bad configuration, scheduling in the past, a node that
 * never lets time advance). Network failures are never thrown: they are send results or
 * counted drops.
 */
export class NetsimError extends Error {
  override readonly name = 'NetsimError';
  constructor(
    readonly code: NetsimErrorCode,
    message: string,
  ) {
    super(message);
  }
}
