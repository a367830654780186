import { internetChecksum, ipv4PseudoHeaderSum, ipv6PseudoHeaderSum } from '@pathwire/ip';
import { xorshiftBytes } from '../bench/xorshift-bytes.js';

/**
 * Crafted TCP/UDP packets for the offload tests, and checks written independently of the
 * addon (byte-wise big-endian RFC 1071 sums here, native-order 32-bit sums there).
 */

export interface SegmentSpec {
  readonly ipv6: boolean;
  readonly source?: number;
  readonly seq: number;
  readonly ack?: number;
  readonly flags?: number;
  /** TCP option bytes (a multiple of 4, at most 40). */
  readonly options?: Uint8Array;
  readonly payload: Uint8Array;
  readonly id?: number;
  readonly ttl?: number;
  readonly sourcePort?: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_CWR = 0x80;

const get16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const get32 = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}
function put32(b: Uint8Array, at: number, v: number): void {
  put16(b, at, v >>> 16);
  put16(b, at + 2, v & 0xffff);
}

export const ipHeaderLength = (p: Uint8Array) => (p[0]! >> 4 === 6 ? 40 : (p[0]! & 0x0f) * 4);

function pseudoSum(p: Uint8Array, protocol: number, length: number): number {
  return p[0]! >> 4 === 6
    ? ipv6PseudoHeaderSum(p, protocol, length)
    : ipv4PseudoHeaderSum(p, protocol, length);
}

/** True when the IPv4 header checksum (if any) and the TCP/UDP checksum verify. */
export function checksumsValid(p: Uint8Array): boolean {
  const ihl = ipHeaderLength(p);
  if (p[0]! >> 4 === 4 && internetChecksum(p, 0, ihl) !== 0) return false;
  const protocol = p[0]! >> 4 === 6 ? p[6]! : p[9]!;
  return internetChecksum(p, ihl, p.length, pseudoSum(p, protocol, p.length - ihl)) === 0;
}

/** Writes a correct transport checksum (and IPv4 header checksum). */
export function fixChecksums(p: Uint8Array): Uint8Array {
  const ihl = ipHeaderLength(p);
  const protocol = p[0]! >> 4 === 6 ? p[6]! : p[9]!;
  const at = ihl + (protocol === 6 ? 16 : 6);
  if (p[0]! >> 4 === 4) {
    put16(p, 10, 0);
    put16(p, 10, internetChecksum(p, 0, ihl));
  }
  put16(p, at, 0);
  let c = internetChecksum(p, ihl, p.length, pseudoSum(p, protocol, p.length - ihl));
  if (protocol === 17 && c === 0) c = 0xffff;
  put16(p, at, c);
  return p;
}

function ipHeader(
  ipv6: boolean,
  protocol: number,
  transportLength: number,
  spec: { source?: number; id?: number; ttl?: number },
): Uint8Array {
  if (ipv6) {
    const h = new Uint8Array(40);
    h[0] = 0x60;
    put16(h, 4, transportLength);
    h[6] = protocol;
    h[7] = spec.ttl ?? 64;
    h.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, spec.source ?? 1], 8);
    h.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 24);
    return h;
  }
  const h = new Uint8Array(20);
  h[0] = 0x45;
  put16(h, 2, 20 + transportLength);
  put16(h, 4, spec.id ?? 0x1234);
  h[6] = 0x40; // DF
  h[8] = spec.ttl ?? 64;
  h[9] = protocol;
  h.set([198, 51, 100, spec.source ?? 1], 12);
  h.set([198, 51, 100, 2], 16);
  return h;
}

/** One TCP segment with correct checksums. */
export function tcpSegment(spec: SegmentSpec): Uint8Array {
  const options = spec.options ?? new Uint8Array(0);
  const tcpLength = 20 + options.length + spec.payload.length;
  const ip = ipHeader(spec.ipv6, 6, tcpLength, spec);
  const p = new Uint8Array(ip.length + tcpLength);
  p.set(ip);
  const t = ip.length;
  put16(p, t, spec.sourcePort ?? 40000);
  put16(p, t + 2, 5201);
  put32(p, t + 4, spec.seq >>> 0);
  put32(p, t + 8, spec.ack ?? 777);
  p[t + 12] = ((20 + options.length) / 4) << 4;
  p[t + 13] = spec.flags ?? TCP_ACK;
  put16(p, t + 14, 502);
  p.set(options, t + 20);
  p.set(spec.payload, t + 20 + options.length);
  return fixChecksums(p);
}

/** One UDP datagram with correct checksums. */
export function udpDatagram(ipv6: boolean, payload: Uint8Array, id?: number): Uint8Array {
  const ip = ipHeader(ipv6, 17, 8 + payload.length, { ...(id !== undefined ? { id } : {}) });
  const p = new Uint8Array(ip.length + 8 + payload.length);
  p.set(ip);
  put16(p, ip.length, 5353);
  put16(p, ip.length + 2, 4444);
  put16(p, ip.length + 4, 8 + payload.length);
  p.set(payload, ip.length + 8);
  return fixChecksums(p);
}

export interface VnetHeader {
  flags: number;
  gsoType: number;
  hdrLen: number;
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
}

/** virtio_net_hdr in host (little-endian) order, followed by `packet`. */
export function withVnet(header: VnetHeader, packet: Uint8Array): Uint8Array {
  const out = new Uint8Array(10 + packet.length);
  const view = new DataView(out.buffer);
  out[0] = header.flags;
  out[1] = header.gsoType;
  view.setUint16(2, header.hdrLen, true);
  view.setUint16(4, header.gsoSize, true);
  view.setUint16(6, header.csumStart, true);
  view.setUint16(8, header.csumOffset, true);
  out.set(packet, 10);
  return out;
}

export function readVnet(write: Uint8Array): { header: VnetHeader; packet: Uint8Array } {
  const view = new DataView(write.buffer, write.byteOffset, write.byteLength);
  return {
    header: {
      flags: write[0]!,
      gsoType: write[1]!,
      hdrLen: view.getUint16(2, true),
      gsoSize: view.getUint16(4, true),
      csumStart: view.getUint16(6, true),
      csumOffset: view.getUint16(8, true),
    },
    packet: write.subarray(10),
  };
}

/** The fields the tests look at. */
export function tcpFields(p: Uint8Array) {
  const ihl = ipHeaderLength(p);
  const thl = (p[ihl + 12]! >> 4) * 4;
  return {
    ipv6: p[0]! >> 4 === 6,
    totalLength: p[0]! >> 4 === 6 ? get16(p, 4) + 40 : get16(p, 2),
    id: get16(p, 4),
    seq: get32(p, ihl + 4),
    flags: p[ihl + 13]!,
    payload: p.subarray(ihl + thl),
    headerLength: ihl + thl,
  };
}

export const udpLength = (p: Uint8Array) => get16(p, ipHeaderLength(p) + 4);

/**
 * A TCP super-packet as the kernel reads it out with TSO: one header, `payload` bytes, the
 * checksum field holding only the pseudo-header sum (CHECKSUM_PARTIAL).
 */
export function superPacket(spec: SegmentSpec, gsoSize: number): Uint8Array {
  const p = tcpSegment(spec);
  const ihl = ipHeaderLength(p);
  put16(p, ihl + 16, pseudoSum(p, 6, p.length - ihl)); // already folded
  const thl = (p[ihl + 12]! >> 4) * 4;
  return withVnet(
    { flags: 1, gsoType: spec.ipv6 ? 4 : 1, hdrLen: ihl + thl, gsoSize, csumStart: ihl, csumOffset: 16 },
    p,
  );
}

/** Deterministic filler bytes. */
export const bytes = (length: number, seed = 1): Uint8Array => xorshiftBytes(length, seed);

export { get16, put16 };
