/**
 * Packet helpers for this package's tests and benchmark (not exported): the checksum and echo
 * rewriting come from @pathwire/ip; here only a UDP datagram writer and a checksum check.
 */
import {
  echoRequestToReply,
  IPPROTO_UDP,
  internetChecksum,
  ipv6PseudoHeaderSum,
  writeIPv4Header,
} from '@pathwire/ip';

export { echoRequestToReply, internetChecksum };

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
  packet.fill(0, 20, 28);
  writeIPv4Header(packet, { source, destination, protocol: IPPROTO_UDP, totalLength: length });
  packet[20] = sourcePort >> 8;
  packet[21] = sourcePort & 0xff;
  packet[22] = destinationPort >> 8;
  packet[23] = destinationPort & 0xff;
  packet[24] = (length - 20) >> 8;
  packet[25] = (length - 20) & 0xff;
  // UDP checksum 0: "none", allowed for IPv4.
}

/** Verifies an IPv4 header checksum, or an IPv6 upper-layer checksum with its pseudo-header. */
export function checksumsValid(packet: Uint8Array): boolean {
  if (packet[0]! >> 4 === 4) return internetChecksum(packet, 0, (packet[0]! & 0x0f) * 4) === 0;
  const pseudo = ipv6PseudoHeaderSum(packet, packet[6]!, packet.length - 40);
  return internetChecksum(packet, 40, packet.length, pseudo) === 0;
}
