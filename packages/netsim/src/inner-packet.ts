/**
 * Minimal IPv4 inner packets for traffic generators (RFC 791 header, RFC 768 UDP, RFC 792
 * ICMP echo), carrying a probe payload: magic `PWS1`, flow id, sequence number and send
 * time, padded to the requested size. Checksums are valid, so the packets are real IP.
 */
import {
  echoRequestToReply,
  formatIPv4,
  IPPROTO_ICMP,
  IPPROTO_UDP,
  internetChecksum,
  ipv4PseudoHeaderSum,
  parseIPv4,
  writeIPv4Header,
} from '@pathwire/ip';
import { NetsimError } from './errors.js';

const MAGIC = 0x50575331; // 'PWS1'
const IP_HEADER = 20;
const L4_HEADER = 8;
const PROBE = 20;
/** Smallest packet the generators build: IPv4 + UDP/ICMP header + probe payload. */
export const MIN_PROBE_PACKET = IP_HEADER + L4_HEADER + PROBE;

export { IPPROTO_ICMP, IPPROTO_UDP, internetChecksum };

export type ProbeKind = 'udp' | 'echo-request' | 'echo-reply';

export interface Probe {
  kind: ProbeKind;
  src: string;
  dst: string;
  flowId: number;
  seq: number;
  /** Virtual time (ms) the generator built the packet. */
  sentAt: number;
  /** Total IPv4 packet length. */
  length: number;
}

export interface ProbePacketOptions {
  kind: ProbeKind;
  src: string;
  dst: string;
  flowId: number;
  seq: number;
  sentAt: number;
  /** Total packet size in bytes, at least `MIN_PROBE_PACKET`. Default `MIN_PROBE_PACKET`. */
  size?: number;
  srcPort?: number;
  dstPort?: number;
  ttl?: number;
}

const parsed = new Map<string, Uint8Array>();

function ipv4Bytes(address: string): Uint8Array {
  const known = parsed.get(address);
  if (known) return known;
  const bytes = parseIPv4(address);
  if (bytes === undefined) throw new NetsimError('INVALID_ADDRESS', `inner packets are IPv4; got ${address}`);
  if (parsed.size < 1024) parsed.set(address, bytes);
  return bytes;
}

/** Build an IPv4 UDP or ICMP echo packet carrying a probe payload. */
export function buildProbePacket(options: ProbePacketOptions): Uint8Array {
  const size = options.size ?? MIN_PROBE_PACKET;
  if (!Number.isInteger(size) || size < MIN_PROBE_PACKET || size > 65535) {
    throw new NetsimError(
      'INVALID_ARGUMENT',
      `probe packet size must be ${MIN_PROBE_PACKET}..65535, got ${size}`,
    );
  }
  const src = ipv4Bytes(options.src);
  const dst = ipv4Bytes(options.dst);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const udp = options.kind === 'udp';
  writeIPv4Header(out, {
    source: src,
    destination: dst,
    protocol: udp ? IPPROTO_UDP : IPPROTO_ICMP,
    totalLength: size,
    identification: options.seq,
    ttl: options.ttl ?? 64,
  });
  // probe payload
  const p = IP_HEADER + L4_HEADER;
  view.setUint32(p, MAGIC);
  view.setUint32(p + 4, options.flowId >>> 0);
  view.setUint32(p + 8, options.seq >>> 0);
  view.setFloat64(p + 12, options.sentAt);
  // L4 header
  const l4 = IP_HEADER;
  if (udp) {
    view.setUint16(l4, options.srcPort ?? 40000);
    view.setUint16(l4 + 2, options.dstPort ?? 9);
    view.setUint16(l4 + 4, size - IP_HEADER);
    const pseudo = ipv4PseudoHeaderSum(out, IPPROTO_UDP, size - IP_HEADER);
    // The padding after the probe is zero and adds nothing to the sum.
    const c = internetChecksum(out, l4, l4 + L4_HEADER + PROBE, pseudo);
    view.setUint16(l4 + 6, c === 0 ? 0xffff : c);
  } else {
    out[l4] = options.kind === 'echo-request' ? 8 : 0;
    view.setUint16(l4 + 4, options.flowId & 0xffff); // identifier
    view.setUint16(l4 + 6, options.seq & 0xffff); // sequence number
    view.setUint16(l4 + 2, internetChecksum(out, l4, l4 + L4_HEADER + PROBE)); // zero padding adds nothing
  }
  return out;
}

/**
 * Read a probe back; undefined if `packet` is not one of ours (not IPv4, wrong protocol,
 * bad header checksum, no magic).
 */
export function parseProbePacket(packet: Uint8Array): Probe | undefined {
  if (packet.length < MIN_PROBE_PACKET || packet[0] !== 0x45) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const length = view.getUint16(2);
  if (length > packet.length || length < MIN_PROBE_PACKET) return undefined;
  if (internetChecksum(packet, 0, IP_HEADER) !== 0) return undefined;
  const p = IP_HEADER + L4_HEADER;
  if (view.getUint32(p) !== MAGIC) return undefined;
  let kind: ProbeKind;
  const protocol = packet[9];
  if (protocol === IPPROTO_UDP) kind = 'udp';
  else if (protocol === IPPROTO_ICMP && packet[IP_HEADER] === 8) kind = 'echo-request';
  else if (protocol === IPPROTO_ICMP && packet[IP_HEADER] === 0) kind = 'echo-reply';
  else return undefined;
  return {
    kind,
    src: formatIPv4(packet.subarray(12, 16)),
    dst: formatIPv4(packet.subarray(16, 20)),
    flowId: view.getUint32(p + 4),
    seq: view.getUint32(p + 8),
    sentAt: view.getFloat64(p + 12),
    length,
  };
}

/** The echo reply for an echo request: addresses swapped, type 0, checksums recomputed. */
export function echoReplyFor(request: Uint8Array): Uint8Array | undefined {
  const probe = parseProbePacket(request);
  if (probe?.kind !== 'echo-request') return undefined;
  const reply = request.slice(0, probe.length);
  echoRequestToReply(reply);
  return reply;
}
