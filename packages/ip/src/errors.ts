/** The error of @pathwire/ip: text or bytes that are not an IP address or prefix. */
import { PathwireError } from '@pathwire/errors';

export type IpErrorCode = 'BAD_ADDRESS' | 'BAD_PREFIX' | 'BAD_PREFIX_LENGTH';

const marker = 'pathwire.error.IpError';
const symbol = Symbol.for(marker);

/** Thrown by the throwing parsers and formatters; the `parse*` functions returning `undefined` never throw. */
export class IpError extends PathwireError<IpErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'IpError';

  static override isInstance(error: unknown): error is IpError {
    return PathwireError.hasMarker(error, marker);
  }
}
