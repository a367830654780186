/**
 * The Internet checksum (RFC 1071): the one's-complement of the one's-complement sum of the
 * 16-bit big-endian words, an odd last byte padded with zero. Upper-layer checksums (UDP,
 * TCP, ICMPv6) also cover a pseudo-header: RFC 768 for IPv4, RFC 8200 §8.1 for IPv6. Works on
 * ranges of caller buffers: no allocation.
 */

/** One's-complement sum of `bytes[start..end)` plus `initial`, folded to 16 bits, not inverted. */
export function onesComplementSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) {
    sum += (bytes[i]! << 8) | bytes[i + 1]!;
    // Fold now and then so the sum stays a small integer whatever the length.
    if (sum > 0x7fff_ffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (i < end) sum += bytes[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * RFC 1071 checksum of `bytes[start..end)` (plus an `initial` pseudo-header sum). Writing it
 * into the zeroed checksum field makes the checksum of the whole range 0, which is how a
 * receiver verifies it.
 *
 * @example
 * ```ts
 * const header = new Uint8Array(20); // ... fields ...
 * const sum = internetChecksum(header); // store at bytes 10-11 of an IPv4 header
 * ```
 */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  return ~onesComplementSum(bytes, start, end, initial) & 0xffff;
}

/**
 * Sum of the IPv4 pseudo-header (RFC 768): source and destination (bytes 12-19 of the IPv4
 * header in `packet`), zero, `protocol`, and the upper-layer `length`.
 */
export function ipv4PseudoHeaderSum(packet: Uint8Array, protocol: number, length: number): number {
  return onesComplementSum(packet, 12, 20, protocol + length);
}

/**
 * Sum of the IPv6 pseudo-header (RFC 8200 §8.1): source and destination (bytes 8-39 of the
 * IPv6 header in `packet`), the 32-bit upper-layer `length`, and `nextHeader`.
 */
export function ipv6PseudoHeaderSum(packet: Uint8Array, nextHeader: number, length: number): number {
  return onesComplementSum(packet, 8, 40, (length >>> 16) + (length & 0xffff) + nextHeader);
}
