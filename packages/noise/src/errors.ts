/**
 * Handshake rejections. The public API never throws on input: a rejected message is a result
 * `{ ok: false, error: { code, message } }` whose `error` is a frozen constant, one per code,
 * not an `Error`: an attacker's packet must cost no allocation and no stack capture (DESIGN.md,
 * "Hot path discipline"). The engine counts the code as a drop reason. A caller that wants to
 * throw builds a `HandshakeError` (a `PathwireError`) with `HandshakeError.from(result.error)`.
 */
import { PathwireError } from '@pathwire/errors';

export type HandshakeErrorCode =
  | 'BAD_LENGTH'
  | 'BAD_TYPE'
  | 'BAD_MAC1'
  | 'BAD_MAC2'
  | 'UNKNOWN_PEER'
  | 'UNKNOWN_INDEX'
  | 'DECRYPT_FAILED'
  | 'REPLAYED_TIMESTAMP'
  | 'INITIATION_FLOOD'
  | 'WRONG_STATE'
  | 'BAD_PUBLIC_KEY';

/** Why a handshake message was refused: a stable code and a fixed sentence for people. */
export interface HandshakeRejection {
  readonly code: HandshakeErrorCode;
  readonly message: string;
}

const MESSAGES: Readonly<Record<HandshakeErrorCode, string>> = {
  BAD_LENGTH: 'the message has the wrong length for its type',
  BAD_TYPE: 'the message does not start with the expected type',
  BAD_MAC1: 'mac1 does not verify (whitepaper §5.4.4)',
  BAD_MAC2: 'mac2 does not verify against the current cookie',
  UNKNOWN_PEER: 'the initiator static key is not a configured peer',
  UNKNOWN_INDEX: 'no handshake in flight with this receiver index',
  DECRYPT_FAILED: 'an AEAD field does not authenticate',
  REPLAYED_TIMESTAMP: 'the initiation timestamp is not newer than the last accepted one',
  INITIATION_FLOOD: 'more than one initiation from this peer within 20 ms',
  WRONG_STATE: 'the handshake is not in a state that accepts this message',
  BAD_PUBLIC_KEY: 'a public key is a low-order point',
};

export type Rejected = { readonly ok: false; readonly error: HandshakeRejection };

const REJECTED = Object.fromEntries(
  (Object.keys(MESSAGES) as HandshakeErrorCode[]).map((code) => [
    code,
    Object.freeze({ ok: false, error: Object.freeze({ code, message: MESSAGES[code] }) }),
  ]),
) as unknown as Readonly<Record<HandshakeErrorCode, Rejected>>;

export type Result<T> = ({ readonly ok: true } & T) | Rejected;

/** The constant rejection for `code`: no allocation. */
export function reject(code: HandshakeErrorCode): Rejected {
  return REJECTED[code];
}

const marker = 'pathwire.error.HandshakeError';
const symbol = Symbol.for(marker);

/**
 * A rejection turned into something to throw, for callers outside the hot path.
 *
 * @example
 * ```ts
 * const consumed = responder.consumeInitiation(message, now);
 * if (!consumed.ok) throw HandshakeError.from(consumed.error); // HandshakeError: BAD_MAC1 ...
 * ```
 */
export class HandshakeError extends PathwireError<HandshakeErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'HandshakeError';

  static from(rejection: HandshakeRejection): HandshakeError {
    return new HandshakeError(rejection.code, `${rejection.code}: ${rejection.message}`);
  }

  static override isInstance(error: unknown): error is HandshakeError {
    return PathwireError.hasMarker(error, marker);
  }
}
