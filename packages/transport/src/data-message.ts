/**
 * Transport data messages (whitepaper §5.4.6):
 *
 *   type=4 (1) | reserved=0 (3) | receiver (4, LE) | counter (8, LE) | AEAD(packet ‖ padding)
 *
 * The packet is zero-padded to a multiple of 16 bytes (never past the MTU); a keepalive is an
 * empty packet. Sealing and opening write into caller-provided buffers and allocate nothing
 * with the noble backend.
 */
import type { CryptoBackend } from '@pathwire/crypto';
import {
  DATA_HEADER_LENGTH,
  DATA_TAG_LENGTH,
  MESSAGE_TRANSPORT,
  PADDING_MULTIPLE,
  REPLAY_WINDOW_SIZE,
} from './constants.js';
import type { Keypair } from './keypair.js';

const EMPTY = new Uint8Array(0);

/** Why a data message was not sealed or opened: negative results of `sealData` and `openData`. */
export const DataError = {
  /** Wrong length or type bytes. */
  MALFORMED: -1,
  /** The counter is at or past REJECT_AFTER_MESSAGES (send side: the keypair is exhausted). */
  COUNTER_LIMIT: -2,
  /** The counter was already received, or is older than the replay window. */
  REPLAY: -3,
  /** The tag does not verify. */
  AUTHENTICATION: -4,
  /** The output buffer is too small. */
  BUFFER_TOO_SMALL: -5,
} as const;
export type DataErrorCode = (typeof DataError)[keyof typeof DataError];

/** Length after padding `length` to a multiple of 16, but not beyond `mtu` (whitepaper §5.4.6). */
export function paddedLength(length: number, mtu = Number.POSITIVE_INFINITY): number {
  // As Linux send.c and wireguard-go: only the part beyond whole MTUs is padded, never past the MTU.
  const last = length > mtu ? length % mtu : length;
  const padded = Math.ceil(last / PADDING_MULTIPLE) * PADDING_MULTIPLE;
  return length + Math.min(padded, mtu) - last;
}

/** Bytes a sealed message of a `length`-byte packet takes. */
export function sealedLength(length: number, mtu = Number.POSITIVE_INFINITY): number {
  return DATA_HEADER_LENGTH + paddedLength(length, mtu) + DATA_TAG_LENGTH;
}

/** Whether a datagram has the shape of a data message (type 4, at least a keepalive long). */
export function isDataMessage(datagram: Uint8Array): boolean {
  return (
    datagram.length >= DATA_HEADER_LENGTH + DATA_TAG_LENGTH &&
    datagram[0] === MESSAGE_TRANSPORT &&
    datagram[1] === 0 &&
    datagram[2] === 0 &&
    datagram[3] === 0
  );
}

/** The receiver index of a data message (bytes 4–8, little-endian). */
export function readReceiverIndex(message: Uint8Array): number {
  return (message[4]! | (message[5]! << 8) | (message[6]! << 16) | (message[7]! << 24)) >>> 0;
}

/** The 64-bit counter of a data message as a number; values beyond 2^53 read as Infinity. */
export function readCounter(message: Uint8Array): number {
  const low = (message[8]! | (message[9]! << 8) | (message[10]! << 16) | (message[11]! << 24)) >>> 0;
  const high = (message[12]! | (message[13]! << 8) | (message[14]! << 16) | (message[15]! << 24)) >>> 0;
  return high >= 0x20_0000 ? Number.POSITIVE_INFINITY : high * 0x1_0000_0000 + low;
}

function writeHeader(out: Uint8Array, receiverIndex: number, counter: number): void {
  out[0] = MESSAGE_TRANSPORT;
  out[1] = 0;
  out[2] = 0;
  out[3] = 0;
  out[4] = receiverIndex & 255;
  out[5] = (receiverIndex >>> 8) & 255;
  out[6] = (receiverIndex >>> 16) & 255;
  out[7] = receiverIndex >>> 24;
  const high = Math.floor(counter / 0x1_0000_0000);
  const low = counter >>> 0;
  out[8] = low & 255;
  out[9] = (low >>> 8) & 255;
  out[10] = (low >>> 16) & 255;
  out[11] = low >>> 24;
  out[12] = high & 255;
  out[13] = (high >>> 8) & 255;
  out[14] = (high >>> 16) & 255;
  out[15] = high >>> 24;
}

/**
 * Seals `packet` (empty for a keepalive) into `out` with the keypair's next counter. Returns the
 * message length, or a negative `DataError`. `packet` may already sit at `out[16..]` (in place).
 */
export function sealData(
  backend: CryptoBackend,
  keypair: Keypair,
  packet: Uint8Array,
  out: Uint8Array,
  mtu = Number.POSITIVE_INFINITY,
): number {
  if (keypair.sendExhausted) return DataError.COUNTER_LIMIT;
  const padded = paddedLength(packet.length, mtu);
  const total = DATA_HEADER_LENGTH + padded + DATA_TAG_LENGTH;
  if (out.length < total) return DataError.BUFFER_TOO_SMALL;
  const body = out.subarray(DATA_HEADER_LENGTH, DATA_HEADER_LENGTH + padded);
  if (packet.buffer !== out.buffer || packet.byteOffset !== out.byteOffset + DATA_HEADER_LENGTH)
    body.set(packet);
  body.fill(0, packet.length);
  const counter = keypair.sendCounter++;
  writeHeader(out, keypair.remoteIndex, counter);
  backend.seal(keypair.sendKey, counter, body, EMPTY, out.subarray(DATA_HEADER_LENGTH, total));
  return total;
}

/**
 * Opens a data message into `out`. The counter is checked against the replay window before
 * decryption and recorded only after the tag verified. Returns the padded plaintext length (0
 * for a keepalive) or a negative `DataError`. The caller has already matched the receiver index
 * to `keypair`.
 */
export function openData(
  backend: CryptoBackend,
  keypair: Keypair,
  message: Uint8Array,
  out: Uint8Array,
): number {
  return open(backend, keypair, message, out, false);
}

/**
 * Opens a data message whose counter fell BEHIND the replay window (a packet overtaken by more
 * than REPLAY_WINDOW_SIZE others, e.g. on a slower path), without recording it. Returns the
 * padded plaintext length, `DataError.REPLAY` when the counter is not behind the window (a
 * duplicate inside it), or another negative `DataError`. The plaintext carries no replay
 * protection from WireGuard: the caller must bring its own (the engine accepts only in-band
 * probes this way, with their per-path sequence window) and must bound how often it calls this.
 */
export function openStale(
  backend: CryptoBackend,
  keypair: Keypair,
  message: Uint8Array,
  out: Uint8Array,
): number {
  return open(backend, keypair, message, out, true);
}

/** Both opens: `stale` selects the window rule (inside and recorded, or behind and not recorded). */
function open(
  backend: CryptoBackend,
  keypair: Keypair,
  message: Uint8Array,
  out: Uint8Array,
  stale: boolean,
): number {
  if (!isDataMessage(message)) return DataError.MALFORMED;
  const length = message.length - DATA_HEADER_LENGTH - DATA_TAG_LENGTH;
  if (out.length < length) return DataError.BUFFER_TOO_SMALL;
  const counter = readCounter(message);
  if (!(counter < keypair.limits.rejectAfterMessages)) return DataError.COUNTER_LIMIT;
  const window = keypair.replay;
  if (stale ? !(counter + REPLAY_WINDOW_SIZE < window.greatestCounter) : !window.mayAccept(counter))
    return DataError.REPLAY;
  const opened = backend.open(keypair.receiveKey, counter, message.subarray(DATA_HEADER_LENGTH), EMPTY, out);
  if (!opened) return DataError.AUTHENTICATION;
  if (!stale && !window.accept(counter)) return DataError.REPLAY;
  return length;
}
