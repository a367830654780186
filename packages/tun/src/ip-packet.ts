/**
 * Minimal IPv4/IPv6 packet helpers for this package's tests and benchmark (not exported):
 * the Internet checksum (RFC 1071), the IPv6 pseudo-header (RFC 8200 §8.1), building UDP
 * datagrams, and turning an ICMP/ICMPv6 echo request into its reply (RFC 792, RFC 4443).
 */

/** Ones'-complement sum of 16-bit words, not yet folded or inverted. */
export function sum16(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  return sum;
}

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  return fold(sum16(bytes, start, end, initial));
}

function put16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >> 8;
  bytes[at + 1] = value & 0xff;
}

/** The IPv6 pseudo-header's sum: source, destination, upper-layer length, next header. */
function ipv6PseudoSum(packet: Uint8Array, payloadLength: number, nextHeader: number): number {
  return sum16(packet, 8, 40) + (payloadLength >>> 16) + (payloadLength & 0xffff) + nextHeader;
}

/**
 * Rewrites an ICMPv4 echo request (type 8) or ICMPv6 echo request (type 128) in place into
 * the matching reply: addresses swapped, type 0 / 129, checksums recomputed. Returns false
 * when the packet is not an echo request without IPv6 extension headers.
 */
export function echoRequestToReply(packet: Uint8Array): boolean {
  const version = packet[0]! >> 4;
  if (version === 4) {
    const headerLength = (packet[0]! & 0x0f) * 4;
    if (packet[9] !== 1 || packet[headerLength] !== 8) return false;
    const source = packet.slice(12, 16);
    packet.copyWithin(12, 16, 20);
    packet.set(source, 16);
    packet[8] = 64;
    put16(packet, 10, 0);
    put16(packet, 10, internetChecksum(packet, 0, headerLength));
    packet[headerLength] = 0;
    put16(packet, headerLength + 2, 0);
    put16(packet, headerLength + 2, internetChecksum(packet, headerLength, packet.length));
    return true;
  }
  if (version === 6) {
    if (packet[6] !== 58 || packet[40] !== 128) return false;
    const source = packet.slice(8, 24);
    packet.copyWithin(8, 24, 40);
    packet.set(source, 24);
    packet[7] = 64;
    packet[40] = 129;
    put16(packet, 42, 0);
    const payloadLength = packet.length - 40;
    put16(packet, 42, internetChecksum(packet, 40, packet.length, ipv6PseudoSum(packet, payloadLength, 58)));
    return true;
  }
  return false;
}

/** Writes an IPv4/UDP datagram of `length` bytes (headers included) at `into[at]`. */
export function writeUdp4(
  into: Uint8Array,
  at: number,
  length: number,
  source: readonly number[],
  destination: readonly number[],
  sourcePort: number,
  destinationPort: number,
): void {
  const packet = into.subarray(at, at + length);
  packet.fill(0, 0, 28);
  packet[0] = 0x45;
  put16(packet, 2, length);
  packet[8] = 64;
  packet[9] = 17;
  packet.set(source, 12);
  packet.set(destination, 16);
  put16(packet, 10, internetChecksum(packet, 0, 20));
  put16(packet, 20, sourcePort);
  put16(packet, 22, destinationPort);
  put16(packet, 24, length - 20);
  // UDP checksum 0: "none", allowed for IPv4.
}

/** Verifies an IPv4 header checksum, or an ICMPv6 checksum with its pseudo-header. */
export function checksumsValid(packet: Uint8Array): boolean {
  if (packet[0]! >> 4 === 4) return internetChecksum(packet, 0, (packet[0]! & 0x0f) * 4) === 0;
  return (
    internetChecksum(packet, 40, packet.length, ipv6PseudoSum(packet, packet.length - 40, packet[6]!)) === 0
  );
}
