import { describe, expect, it } from 'vitest';
import { PathwireError } from './index.js';

const marker = 'pathwire.error.TestError';
const symbol = Symbol.for(marker);
class TestError extends PathwireError<'BAD_THING' | 'OTHER'> {
  protected readonly [symbol] = true;
  override readonly name: string = 'TestError';
  static override isInstance(error: unknown): error is TestError {
    return PathwireError.hasMarker(error, marker);
  }
}

/** What a second copy of @pathwire/errors would define: same markers, another class object. */
function foreignCopy(): { base: typeof PathwireError } {
  const SYMBOL = Symbol.for('pathwire.error');
  class Other extends Error {
    readonly [SYMBOL] = true;
    constructor(readonly code: string) {
      super(code);
    }
  }
  return { base: Other as unknown as typeof PathwireError };
}

describe('PathwireError', () => {
  it('carries a stable code, a name, the message and the cause', () => {
    const cause = new Error('inner');
    const error = new TestError('BAD_THING', 'the thing was bad', { cause });
    expect(error.code).toBe('BAD_THING');
    expect(error.name).toBe('TestError');
    expect(error.message).toBe('the thing was bad');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(new PathwireError('X', 'm').cause).toBeUndefined();
  });

  it('isInstance recognises the base and each subclass by marker', () => {
    const base = new PathwireError('X', 'm');
    const sub = new TestError('OTHER', 'm');
    expect(PathwireError.isInstance(base)).toBe(true);
    expect(PathwireError.isInstance(sub)).toBe(true);
    expect(TestError.isInstance(sub)).toBe(true);
    expect(TestError.isInstance(base)).toBe(false);
  });

  it('isInstance is false for other values', () => {
    for (const value of [new Error('x'), null, undefined, 0, 'PathwireError', {}, { code: 'X' }]) {
      expect(PathwireError.isInstance(value)).toBe(false);
    }
    expect(PathwireError.isInstance({ [Symbol.for('pathwire.error')]: 'yes' })).toBe(false);
  });

  it('isInstance works across copies of the package, where instanceof does not', () => {
    const { base: Foreign } = foreignCopy();
    const error = new (Foreign as unknown as new (code: string) => Error)('X');
    expect(error instanceof PathwireError).toBe(false);
    expect(PathwireError.isInstance(error)).toBe(true);
  });
});
