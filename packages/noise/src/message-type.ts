/** Message type dispatch (whitepaper §5.4): the first 4 bytes are the type, little-endian, with 3 zero bytes. */
import { type Result, reject } from './errors.js';

/** The message type (1–4) of a datagram, or undefined when the first 4 bytes are not a known type. */
export function messageType(datagram: Uint8Array): number | undefined {
  if (datagram.length < 4 || datagram[1] !== 0 || datagram[2] !== 0 || datagram[3] !== 0) return undefined;
  const type = datagram[0]!;
  return type >= 1 && type <= 4 ? type : undefined;
}

/** The rejection for a message of the wrong length or type, or undefined when the header fits. */
export function messageHeaderError(
  message: Uint8Array,
  type: number,
  length: number,
): Result<never> | undefined {
  if (message.length !== length) return reject('BAD_LENGTH');
  if (messageType(message) !== type) {
    return reject('BAD_TYPE');
  }
  return undefined;
}
