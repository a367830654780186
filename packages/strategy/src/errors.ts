/** Errors of the strategy layer, with stable codes. */
import { PathwireError } from '@pathwire/errors';
export type StrategyErrorCode = 'UNKNOWN_STRATEGY' | 'BAD_OPTION' | 'UNSUPPORTED_VERSION';

const marker = 'pathwire.error.StrategyError';
const symbol = Symbol.for(marker);

export class StrategyError extends PathwireError<StrategyErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'StrategyError';

  static override isInstance(error: unknown): error is StrategyError {
    return PathwireError.hasMarker(error, marker);
  }
}
