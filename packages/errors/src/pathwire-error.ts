/**
 * The one base of pathwire's errors. Every error a pathwire package throws (or returns, for
 * bad configuration) is a `PathwireError` with a stable, documented `code`; the message is for
 * people and may change. Modelled on vercel/ai `AISDKError`: instead of `instanceof`, which
 * fails when two copies of a package are installed (a bundler duplicating it, a plugin with
 * its own node_modules), each class sets a property keyed by a global `Symbol.for` marker, and
 * `isInstance` looks for it.
 *
 * Hot paths never construct one: a dropped packet is a counted code (DESIGN.md, "Hot path
 * discipline"), since an `Error` captures a stack on every construction.
 */

const MARKER = 'pathwire.error';
const SYMBOL = Symbol.for(MARKER);

/** Options accepted by every pathwire error. */
export interface PathwireErrorOptions {
  /** The underlying error, kept as the standard `Error.cause`. */
  readonly cause?: unknown;
}

/**
 * @example
 * ```ts
 * import { PathwireError } from '@pathwire/errors';
 *
 * const marker = 'pathwire.error.MyError';
 * const symbol = Symbol.for(marker);
 * class MyError extends PathwireError<'BAD_THING'> {
 *   protected readonly [symbol] = true;
 *   override readonly name: string = 'MyError';
 *   static override isInstance(error: unknown): error is MyError {
 *     return PathwireError.hasMarker(error, marker);
 *   }
 * }
 * try {
 *   throw new MyError('BAD_THING', 'the thing was bad');
 * } catch (error) {
 *   if (PathwireError.isInstance(error)) console.log(error.code); // 'BAD_THING'
 * }
 * ```
 */
export class PathwireError<Code extends string = string> extends Error {
  protected readonly [SYMBOL] = true;
  override readonly name: string = 'PathwireError';
  /** Stable, machine-readable; documented by the package that throws it. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: PathwireErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /** True for any pathwire error, whichever copy of this package created it. */
  static isInstance(error: unknown): error is PathwireError {
    return PathwireError.hasMarker(error, MARKER);
  }

  /** True if `error` carries the marker `Symbol.for(marker)`: the basis of every `isInstance`. */
  protected static hasMarker(error: unknown, marker: string): boolean {
    const symbol = Symbol.for(marker);
    return (
      typeof error === 'object' &&
      error !== null &&
      symbol in error &&
      (error as Record<symbol, unknown>)[symbol] === true
    );
  }
}
