/** Errors of the strategy layer, with stable codes. */
export type StrategyErrorCode = 'UNKNOWN_STRATEGY' | 'BAD_OPTION' | 'UNSUPPORTED_VERSION';

export class StrategyError extends Error {
  override readonly name = 'StrategyError';
  constructor(
    readonly code: StrategyErrorCode,
    message: string,
  ) {
    super(message);
  }
}
