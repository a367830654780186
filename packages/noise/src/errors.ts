/** Handshake rejections, each with a stable code. The public API returns them; it never throws on input. */
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

export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
  constructor(
    readonly code: HandshakeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type Result<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly error: HandshakeError };

export function reject(code: HandshakeErrorCode, message: string): { ok: false; error: HandshakeError } {
  return { ok: false, error: new HandshakeError(code, message) };
}
