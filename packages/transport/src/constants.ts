/** Transport constants (whitepaper §5.4.6 and §6.1; wireguard-go `device/constants.go`). */

export const MESSAGE_TRANSPORT = 4;
/** type (4) | receiver index (4) | counter (8). */
export const DATA_HEADER_LENGTH = 16;
export const DATA_TAG_LENGTH = 16;
/** A keepalive: header + the tag of an empty payload. */
export const KEEPALIVE_LENGTH = DATA_HEADER_LENGTH + DATA_TAG_LENGTH;
export const PADDING_MULTIPLE = 16;

/** Rekey after this many messages (2^60). */
export const REKEY_AFTER_MESSAGES = 2 ** 60;
/**
 * WireGuard rejects counters at or beyond 2^64 − 2^13 − 1. Counters are JavaScript numbers
 * here, exact up to 2^53, so the effective limit is the largest safe integer: a sender would
 * need 285 years at a billion packets per second to reach it, and any counter beyond it is
 * refused before decryption.
 */
export const REJECT_AFTER_MESSAGES = Number.MAX_SAFE_INTEGER - 1;

/** Bits kept by the replay window: 8192 as in Linux (`COUNTER_BITS_TOTAL`). */
export const REPLAY_BITS_TOTAL = 8192;
/** Window size: 8192 − 64 = 8128, as in Linux on 64-bit (`COUNTER_WINDOW_SIZE`). */
export const REPLAY_WINDOW_SIZE = 8128;
