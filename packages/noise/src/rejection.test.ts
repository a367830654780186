/** Rejections are counted codes, never Error objects: one frozen constant per code. */
import { describe, expect, it } from 'vitest';
import { reject } from './errors.js';
import { HandshakeError, type HandshakeErrorCode } from './index.js';
import { messageHeaderError } from './message-type.js';

describe('handshake rejections', () => {
  it('are frozen plain values, the same object every time (no allocation, no stack)', () => {
    const first = messageHeaderError(new Uint8Array(3), 1, 148)!;
    const second = messageHeaderError(new Uint8Array(5), 1, 148)!;
    expect(first).toBe(second);
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.error).not.toBeInstanceOf(Error);
    expect(Object.isFrozen(first.error)).toBe(true);
    expect(first.error).toEqual({ code: 'BAD_LENGTH', message: expect.any(String) });
  });

  it('HandshakeError.from turns one into a PathwireError to throw', () => {
    const rejected = reject('BAD_MAC1' satisfies HandshakeErrorCode);
    const error = HandshakeError.from(rejected.error);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('BAD_MAC1');
    expect(error.name).toBe('HandshakeError');
    expect(HandshakeError.isInstance(error)).toBe(true);
    expect(HandshakeError.isInstance(rejected.error)).toBe(false);
  });
});
