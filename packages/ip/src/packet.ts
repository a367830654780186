/**
 * Building inner IP packets and rewriting them: IPv4 (RFC 791 §3.1) and IPv6 (RFC 8200 §3)
 * headers with a valid header checksum, and ICMP echo (RFC 792, RFC 4443 §4) requests and
 * replies. For traffic generators, tests and benchmarks; the tunnel itself only reads headers
 * (`inner-header.ts`).
 */
import { formatIpAddress, parseIpAddress } from './address.js';
import { internetChecksum, ipv6PseudoHeaderSum } from './checksum.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
export const IPV4_HEADER_LENGTH = 20;
export const IPV6_HEADER_LENGTH = 40;

export interface IPv4HeaderFields {
  /** 4 bytes. */
  readonly source: ArrayLike<number>;
  /** 4 bytes. */
  readonly destination: ArrayLike<number>;
  readonly protocol: number;
  /** Header plus payload, bytes. */
  readonly totalLength: number;
  /** Default 64. */
  readonly ttl?: number;
  /** Default 0. */
  readonly identification?: number;
}

function put16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 8;
  bytes[at + 1] = value & 0xff;
}

/** Writes a 20-byte IPv4 header (no options, DF clear) at `packet[0..20)`, checksum included. */
export function writeIPv4Header(packet: Uint8Array, fields: IPv4HeaderFields): void {
  packet.fill(0, 0, IPV4_HEADER_LENGTH);
  packet[0] = 0x45;
  put16(packet, 2, fields.totalLength);
  put16(packet, 4, (fields.identification ?? 0) & 0xffff);
  packet[8] = fields.ttl ?? 64;
  packet[9] = fields.protocol;
  packet.set(fields.source, 12);
  packet.set(fields.destination, 16);
  put16(packet, 10, internetChecksum(packet, 0, IPV4_HEADER_LENGTH));
}

export interface IPv6HeaderFields {
  /** 16 bytes. */
  readonly source: ArrayLike<number>;
  /** 16 bytes. */
  readonly destination: ArrayLike<number>;
  readonly nextHeader: number;
  /** Bytes after the 40-byte header. */
  readonly payloadLength: number;
  /** Default 64. */
  readonly hopLimit?: number;
}

/** Writes a 40-byte IPv6 header (traffic class and flow label 0) at `packet[0..40)`. */
export function writeIPv6Header(packet: Uint8Array, fields: IPv6HeaderFields): void {
  packet.fill(0, 0, IPV6_HEADER_LENGTH);
  packet[0] = 0x60;
  put16(packet, 4, fields.payloadLength);
  packet[6] = fields.nextHeader;
  packet[7] = fields.hopLimit ?? 64;
  packet.set(fields.source, 8);
  packet.set(fields.destination, 24);
}

/** An ICMP or ICMPv6 echo message inside its IP packet. */
export interface IcmpEcho {
  /** Canonical address text; the family of the packet follows it. */
  readonly source: string;
  readonly destination: string;
  /** 8 request / 0 reply for ICMP; 128 request / 129 reply for ICMPv6. */
  readonly type: number;
  readonly identifier: number;
  readonly sequence: number;
  readonly payload: Uint8Array;
}

/**
 * Builds an IPv4 ICMP or IPv6 ICMPv6 echo packet with valid checksums.
 *
 * @example
 * ```ts
 * const ping = buildIcmpEcho({
 *   source: '10.0.0.1', destination: '10.0.0.2', type: 8, identifier: 1, sequence: 1,
 *   payload: new Uint8Array(8),
 * });
 * echoRequestToReply(ping); // now the reply 10.0.0.2 -> 10.0.0.1
 * ```
 */
export function buildIcmpEcho(echo: IcmpEcho): Uint8Array {
  const source = parseIpAddress(echo.source);
  const destination = parseIpAddress(echo.destination);
  const v6 = source.family === 6;
  const header = v6 ? IPV6_HEADER_LENGTH : IPV4_HEADER_LENGTH;
  const icmpLength = 8 + echo.payload.length;
  const packet = new Uint8Array(header + icmpLength);
  if (v6) {
    writeIPv6Header(packet, {
      source: source.bytes,
      destination: destination.bytes,
      nextHeader: IPPROTO_ICMPV6,
      payloadLength: icmpLength,
    });
  } else {
    writeIPv4Header(packet, {
      source: source.bytes,
      destination: destination.bytes,
      protocol: IPPROTO_ICMP,
      totalLength: packet.length,
    });
  }
  packet[header] = echo.type;
  put16(packet, header + 4, echo.identifier & 0xffff);
  put16(packet, header + 6, echo.sequence & 0xffff);
  packet.set(echo.payload, header + 8);
  const pseudo = v6 ? ipv6PseudoHeaderSum(packet, IPPROTO_ICMPV6, icmpLength) : 0;
  put16(packet, header + 2, internetChecksum(packet, header, packet.length, pseudo));
  return packet;
}

/**
 * Reads an ICMP or ICMPv6 echo message (ignoring padding past the IP length); `undefined` for
 * anything else, including a wrong checksum.
 */
export function parseIcmpEcho(packet: Uint8Array): IcmpEcho | undefined {
  const version = packet[0]! >>> 4;
  let start: number;
  let end: number;
  let pseudo = 0;
  if (version === 4 && packet.length >= IPV4_HEADER_LENGTH + 8 && packet[9] === IPPROTO_ICMP) {
    start = (packet[0]! & 0x0f) * 4;
    end = (packet[2]! << 8) | packet[3]!;
    if (end > packet.length || start < IPV4_HEADER_LENGTH || end < start + 8) return undefined;
    if (internetChecksum(packet, 0, start) !== 0) return undefined;
  } else if (version === 6 && packet.length >= IPV6_HEADER_LENGTH + 8 && packet[6] === IPPROTO_ICMPV6) {
    start = IPV6_HEADER_LENGTH;
    end = start + ((packet[4]! << 8) | packet[5]!);
    if (end > packet.length || end < start + 8) return undefined;
    pseudo = ipv6PseudoHeaderSum(packet, IPPROTO_ICMPV6, end - start);
  } else {
    return undefined;
  }
  if (internetChecksum(packet, start, end, pseudo) !== 0) return undefined;
  const v6 = version === 6;
  return {
    source: formatIpAddress(v6 ? packet.subarray(8, 24) : packet.subarray(12, 16)),
    destination: formatIpAddress(v6 ? packet.subarray(24, 40) : packet.subarray(16, 20)),
    type: packet[start]!,
    identifier: (packet[start + 4]! << 8) | packet[start + 5]!,
    sequence: (packet[start + 6]! << 8) | packet[start + 7]!,
    payload: packet.slice(start + 8, end),
  };
}

/**
 * Rewrites an ICMP echo request (type 8) or ICMPv6 echo request (type 128) in place into the
 * matching reply: addresses swapped, TTL/hop limit 64, type 0 / 129, checksums recomputed over
 * the whole buffer. Returns false (and leaves the packet alone) for anything else, including
 * IPv6 with extension headers.
 */
export function echoRequestToReply(packet: Uint8Array): boolean {
  const version = packet[0]! >>> 4;
  if (version === 4) {
    const headerLength = (packet[0]! & 0x0f) * 4;
    if (packet[9] !== IPPROTO_ICMP || packet[headerLength] !== 8) return false;
    swap(packet, 12, 16, 4);
    packet[8] = 64;
    put16(packet, 10, 0);
    put16(packet, 10, internetChecksum(packet, 0, headerLength));
    packet[headerLength] = 0;
    put16(packet, headerLength + 2, 0);
    put16(packet, headerLength + 2, internetChecksum(packet, headerLength, packet.length));
    return true;
  }
  if (version === 6) {
    if (packet[6] !== IPPROTO_ICMPV6 || packet[IPV6_HEADER_LENGTH] !== 128) return false;
    swap(packet, 8, 24, 16);
    packet[7] = 64;
    packet[IPV6_HEADER_LENGTH] = 129;
    put16(packet, IPV6_HEADER_LENGTH + 2, 0);
    const pseudo = ipv6PseudoHeaderSum(packet, IPPROTO_ICMPV6, packet.length - IPV6_HEADER_LENGTH);
    put16(
      packet,
      IPV6_HEADER_LENGTH + 2,
      internetChecksum(packet, IPV6_HEADER_LENGTH, packet.length, pseudo),
    );
    return true;
  }
  return false;
}

/** Swaps `length` bytes at `a` and `b` in place, without allocating. */
function swap(bytes: Uint8Array, a: number, b: number, length: number): void {
  for (let i = 0; i < length; i++) {
    const t = bytes[a + i]!;
    bytes[a + i] = bytes[b + i]!;
    bytes[b + i] = t;
  }
}
