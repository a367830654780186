/**
 * Reading the inner IP header of a tunnelled packet, for cryptokey routing (WireGuard
 * whitepaper §2): the destination picks the peer to send to, the source is checked against
 * the sending peer's allowed IPs, and the header's length strips the padding that follows a
 * decrypted packet (§5.4.6). Header layouts: RFC 791 §3.1 (IPv4), RFC 8200 §3 (IPv6). The
 * checks mirror wireguard-go's `device/receive.go` and `device/send.go`. Nothing here
 * throws or copies: malformed input gives `undefined`, addresses are views into the packet.
 */
import type { IpAddress, IpFamily } from './address.js';

const IPV4_HEADER = 20;
const IPV6_HEADER = 40;

/**
 * The IP version of a well-formed packet: 4 when it holds a 20-byte header whose total
 * length lies between 20 and the buffer length, 6 when it holds a 40-byte header and the
 * payload length plus 40 fits the buffer; otherwise `undefined`.
 */
export function innerFamily(packet: Uint8Array): IpFamily | undefined {
  if (packet.length === 0) return undefined;
  const version = packet[0]! >>> 4;
  if (version === 4) {
    if (packet.length < IPV4_HEADER) return undefined;
    const total = (packet[2]! << 8) | packet[3]!;
    return total >= IPV4_HEADER && total <= packet.length ? 4 : undefined;
  }
  if (version === 6) {
    if (packet.length < IPV6_HEADER) return undefined;
    const payload = (packet[4]! << 8) | packet[5]!;
    return payload + IPV6_HEADER <= packet.length ? 6 : undefined;
  }
  return undefined;
}

/**
 * Length of the IP packet according to its own header (IPv4 total length, IPv6 payload
 * length + 40), or `undefined` when malformed. `packet.subarray(0, length)` drops the
 * zero padding WireGuard adds before encryption.
 */
export function packetLength(packet: Uint8Array): number | undefined {
  const family = innerFamily(packet);
  if (family === 4) return (packet[2]! << 8) | packet[3]!;
  if (family === 6) return ((packet[4]! << 8) | packet[5]!) + IPV6_HEADER;
  return undefined;
}

/** Source address of a well-formed packet, as a view into `packet` (4 or 16 bytes). */
export function innerSource(packet: Uint8Array): IpAddress | undefined {
  const family = innerFamily(packet);
  if (family === 4) return { family, bytes: packet.subarray(12, 16) };
  if (family === 6) return { family, bytes: packet.subarray(8, 24) };
  return undefined;
}

/** Destination address of a well-formed packet, as a view into `packet` (4 or 16 bytes). */
export function innerDestination(packet: Uint8Array): IpAddress | undefined {
  const family = innerFamily(packet);
  if (family === 4) return { family, bytes: packet.subarray(16, 20) };
  if (family === 6) return { family, bytes: packet.subarray(24, 40) };
  return undefined;
}
