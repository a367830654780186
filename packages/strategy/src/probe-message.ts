/**
 * The in-band probe (RFC "Extend WireGuard to perform measurements"; DESIGN.md, heartbeat-probe
 * "Carriage"), wire version 2. A probe travels as the plaintext of an ordinary transport data
 * message, so WireGuard authenticates and encrypts it. Its first byte has IP version nibble 0,
 * which no IP packet has: a stock peer decrypts it, finds no IPv4/IPv6 header and drops it
 * (wireguard-go `receive.go`: "unknown IP version"), but only AFTER it moved its endpoint to
 * the probe's source; that is why HELLO goes on the active endpoint only (see the engine).
 *
 *   offset size  field
 *   0      1     type: 0x01 PING, 0x02 PONG, 0x03 HELLO, 0x04 HELLO_ACK (high nibble 0)
 *   1      3     magic "pwp"
 *   4      1     version: 2 (the 16-byte form reserved before, with an id at 4..7, was never
 *                answered by a released peer and is refused as version ≠ 2)
 *   5      1     flags: 0 (reserved; a receiver refuses anything else)
 *   6      2     length (big-endian): the meaningful bytes, header included; zero padding
 *                may follow up to the payload's size (a full-size PING tests the path MTU)
 *   8      4     path id: the sender's name for the path (random per endpoint), echoed
 *   12     4     sequence: per path id, increasing; echoed
 *   16     8     timestamp: the sender's clock in µs; echoed, only the sender reads it
 *   --- replies (PONG, HELLO_ACK) only ---
 *   24     4     received: how many probes the responder has received on this path id
 *                (this one included), so the sender splits loss by direction
 *   28     2     size: the payload size the request arrived with, padding included
 *   30     2     reserved: 0
 *
 * Requests are 24 bytes, replies 32. A reader accepts a `length` above its type's (future
 * fields it ignores) as long as the payload holds it. Reading and writing use caller-provided
 * buffers and a caller-provided result object: nothing is allocated per probe.
 *
 * @example
 * ```ts
 * import { createProbeFields, PROBE_PING, readProbe, writeProbe } from '@pathwire/strategy';
 * const buffer = new Uint8Array(64);
 * const length = writeProbe(buffer, { ...createProbeFields(), type: PROBE_PING, pathId: 7, sequence: 1 });
 * const fields = createProbeFields();
 * readProbe(buffer.subarray(0, length), fields); // 0 (PROBE_OK); fields.pathId === 7
 * ```
 */

export const PROBE_VERSION = 2;
export const PROBE_PING = 0x01;
export const PROBE_PONG = 0x02;
export const PROBE_HELLO = 0x03;
export const PROBE_HELLO_ACK = 0x04;
export type ProbeType = typeof PROBE_PING | typeof PROBE_PONG | typeof PROBE_HELLO | typeof PROBE_HELLO_ACK;

/** Bytes of a PING or HELLO. */
export const PROBE_REQUEST_LENGTH = 24;
/** Bytes of a PONG or HELLO_ACK. */
export const PROBE_REPLY_LENGTH = 32;
/** The largest payload size a reply can report (16-bit field). */
export const PROBE_MAX_SIZE = 0xffff;

const MAGIC_0 = 0x70; // p
const MAGIC_1 = 0x77; // w
const MAGIC_2 = 0x70; // p

/** `readProbe` results: 0 or a negative reason (a counted drop, never an exception). */
export const ProbeError = {
  OK: 0,
  /** Shorter than the 8-byte header or than its type's length. */
  TRUNCATED: -1,
  /** First nibble not 0 or magic not "pwp": not a probe at all. */
  NOT_PROBE: -2,
  /** Version ≠ 2. */
  VERSION: -3,
  /** Unknown type. */
  TYPE: -4,
  /** Non-zero flags or reserved bytes. */
  RESERVED: -5,
  /** The length field is below the type's length or beyond the payload. */
  LENGTH: -6,
  /** A timestamp of 2^53 µs or more. */
  TIMESTAMP: -7,
} as const;
export type ProbeErrorCode = (typeof ProbeError)[keyof typeof ProbeError];

/** Drop-counter names of the `ProbeError` codes. */
export const PROBE_ERROR_NAMES: Readonly<Record<number, string>> = {
  [ProbeError.TRUNCATED]: 'probe-truncated',
  [ProbeError.NOT_PROBE]: 'probe-malformed',
  [ProbeError.VERSION]: 'probe-version',
  [ProbeError.TYPE]: 'probe-type',
  [ProbeError.RESERVED]: 'probe-reserved',
  [ProbeError.LENGTH]: 'probe-length',
  [ProbeError.TIMESTAMP]: 'probe-timestamp',
};

/** One probe's fields; reused by the caller across reads (see `createProbeFields`). */
export interface ProbeFields {
  type: ProbeType;
  /** The meaningful length (header included), as read or written. */
  length: number;
  pathId: number;
  sequence: number;
  /** The request sender's clock, µs (an integer below 2^53). */
  timestampUs: number;
  /** Replies: probes the responder received on this path id. */
  received: number;
  /** Replies: the payload size the request arrived with. */
  size: number;
}

export function createProbeFields(): ProbeFields {
  return { type: PROBE_PING, length: 0, pathId: 0, sequence: 0, timestampUs: 0, received: 0, size: 0 };
}

export function isProbeReply(type: number): boolean {
  return type === PROBE_PONG || type === PROBE_HELLO_ACK;
}

/** The reply type for a request type (PING → PONG, HELLO → HELLO_ACK). */
export function replyType(request: typeof PROBE_PING | typeof PROBE_HELLO): ProbeType {
  return request === PROBE_HELLO ? PROBE_HELLO_ACK : PROBE_PONG;
}

function typeLength(type: number): number {
  if (type === PROBE_PING || type === PROBE_HELLO) return PROBE_REQUEST_LENGTH;
  if (type === PROBE_PONG || type === PROBE_HELLO_ACK) return PROBE_REPLY_LENGTH;
  return 0;
}

/** Whether a decrypted payload claims to be a probe (first nibble 0 and the magic), before reading it. */
export function looksLikeProbe(payload: Uint8Array): boolean {
  return (
    payload.length >= 4 &&
    payload[0]! >> 4 === 0 &&
    payload[1] === MAGIC_0 &&
    payload[2] === MAGIC_1 &&
    payload[3] === MAGIC_2
  );
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function putU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 255;
  bytes[at + 2] = (value >>> 8) & 255;
  bytes[at + 3] = value & 255;
}

/**
 * Reads a probe from a decrypted payload (padding included) into `out`. Returns `ProbeError.OK`
 * (0) or a negative `ProbeError`; `out` is meaningful only on OK.
 */
export function readProbe(payload: Uint8Array, out: ProbeFields): ProbeErrorCode {
  if (payload.length < 8) return ProbeError.TRUNCATED;
  if (!looksLikeProbe(payload)) return ProbeError.NOT_PROBE;
  if (payload[4] !== PROBE_VERSION) return ProbeError.VERSION;
  const type = payload[0]!;
  const base = typeLength(type);
  if (base === 0) return ProbeError.TYPE;
  if (payload[5] !== 0) return ProbeError.RESERVED;
  if (payload.length < base) return ProbeError.TRUNCATED;
  const length = (payload[6]! << 8) | payload[7]!;
  if (length < base || length > payload.length) return ProbeError.LENGTH;
  out.type = type as ProbeType;
  out.length = length;
  out.pathId = u32(payload, 8);
  out.sequence = u32(payload, 12);
  const high = u32(payload, 16);
  // µs since the sender's clock origin: 2^53 µs is 285 years; a larger value is malformed.
  if (high >= 0x20_0000) return ProbeError.TIMESTAMP;
  out.timestampUs = high * 0x1_0000_0000 + u32(payload, 20);
  if (base === PROBE_REPLY_LENGTH) {
    if (payload[30] !== 0 || payload[31] !== 0) return ProbeError.RESERVED;
    out.received = u32(payload, 24);
    out.size = (payload[28]! << 8) | payload[29]!;
  } else {
    out.received = 0;
    out.size = 0;
  }
  return ProbeError.OK;
}

/**
 * Writes `fields` (its `type`, path id, sequence, timestamp; for replies also `received` and
 * `size`) at the start of `out` and returns the meaningful length (24 or 32). The caller sends
 * `out` up to that length, or up to a larger size with zero padding (a full-size PING).
 */
export function writeProbe(out: Uint8Array, fields: Readonly<ProbeFields>): number {
  const length = typeLength(fields.type);
  if (length === 0) throw new RangeError(`writeProbe: unknown probe type ${fields.type}`);
  if (out.length < length) throw new RangeError(`writeProbe: buffer of ${out.length} bytes < ${length}`);
  out[0] = fields.type;
  out[1] = MAGIC_0;
  out[2] = MAGIC_1;
  out[3] = MAGIC_2;
  out[4] = PROBE_VERSION;
  out[5] = 0;
  out[6] = length >>> 8;
  out[7] = length & 255;
  putU32(out, 8, fields.pathId >>> 0);
  putU32(out, 12, fields.sequence >>> 0);
  const timestamp = Math.max(0, Math.floor(fields.timestampUs));
  putU32(out, 16, Math.floor(timestamp / 0x1_0000_0000) & 0x1f_ffff);
  putU32(out, 20, timestamp >>> 0);
  if (length === PROBE_REPLY_LENGTH) {
    putU32(out, 24, fields.received >>> 0);
    const size = Math.min(Math.max(0, fields.size | 0), PROBE_MAX_SIZE);
    out[28] = size >>> 8;
    out[29] = size & 255;
    out[30] = 0;
    out[31] = 0;
  }
  return length;
}
