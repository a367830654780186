/**
 * TAI64N timestamps (https://cr.yp.to/libtai/tai64.html) as WireGuard sends them in the
 * initiation (whitepaper §5.4.2): 8 bytes big-endian seconds + 2^62 + 10, then 4 bytes
 * big-endian nanoseconds. Like wireguard-go, the nanoseconds are rounded down to 2^24 ns
 * (~16.8 ms) so the timestamp does not leak a precise clock.
 */
import { TIMESTAMP_LENGTH } from './constants.js';

const TAI64_BASE_HIGH = 0x4000_0000;
const TAI64_BASE_LOW = 10;
const WHITENER_MASK = 0x100_0000 - 1;

/** Encodes a wall-clock time (Unix milliseconds) as a 12-byte TAI64N label. */
export function tai64n(unixMs: number): Uint8Array {
  const out = new Uint8Array(TIMESTAMP_LENGTH);
  const view = new DataView(out.buffer);
  const seconds = Math.floor(unixMs / 1000);
  const nanos = Math.floor((unixMs - seconds * 1000) * 1e6);
  const low = seconds + TAI64_BASE_LOW;
  view.setUint32(0, TAI64_BASE_HIGH + Math.floor(low / 0x1_0000_0000));
  view.setUint32(4, low >>> 0);
  view.setUint32(8, (nanos & ~WHITENER_MASK) >>> 0);
  return out;
}

/** Big-endian comparison: true when `a` is strictly later than `b`. */
export function timestampAfter(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < TIMESTAMP_LENGTH; i++) {
    if (a[i] !== b[i]) return a[i]! > b[i]!;
  }
  return false;
}
