/**
 * Minimal IPv4/IPv6 ICMP echo packets for interop tests (RFC 791, RFC 792, RFC 8200, RFC 4443):
 * the inner packets sent through the tunnel, with valid checksums.
 */

export interface Echo {
  readonly source: string;
  readonly destination: string;
  /** 8 for an IPv4 echo request, 0 for a reply; 128 / 129 for ICMPv6. */
  readonly type: number;
  readonly identifier: number;
  readonly sequence: number;
  readonly payload: Uint8Array;
}

function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

const checksum = (bytes: Uint8Array, initial = 0): number => ~onesComplementSum(bytes, initial) & 0xffff;

export function parseIPv4(text: string): Uint8Array {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255)))
    throw new Error(`bad IPv4 address ${text}`);
  return Uint8Array.from(parts);
}

export function parseIPv6(text: string): Uint8Array {
  const [head = '', tail] = text.split('::');
  const groups = (s: string) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 255;
  });
  return out;
}

function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Builds an echo packet; the address family follows the source address. */
export function buildEcho(echo: Echo): Uint8Array {
  const v6 = echo.source.includes(':');
  const icmp = new Uint8Array(8 + echo.payload.length);
  icmp[0] = echo.type;
  icmp[4] = echo.identifier >> 8;
  icmp[5] = echo.identifier & 255;
  icmp[6] = echo.sequence >> 8;
  icmp[7] = echo.sequence & 255;
  icmp.set(echo.payload, 8);
  if (!v6) {
    const packet = new Uint8Array(20 + icmp.length);
    packet[0] = 0x45;
    packet[2] = packet.length >> 8;
    packet[3] = packet.length & 255;
    packet[8] = 64;
    packet[9] = 1;
    packet.set(parseIPv4(echo.source), 12);
    packet.set(parseIPv4(echo.destination), 16);
    const headerSum = checksum(packet.subarray(0, 20));
    packet[10] = headerSum >> 8;
    packet[11] = headerSum & 255;
    const icmpSum = checksum(icmp);
    icmp[2] = icmpSum >> 8;
    icmp[3] = icmpSum & 255;
    packet.set(icmp, 20);
    return packet;
  }
  const packet = new Uint8Array(40 + icmp.length);
  packet[0] = 0x60;
  packet[4] = icmp.length >> 8;
  packet[5] = icmp.length & 255;
  packet[6] = 58;
  packet[7] = 64;
  packet.set(parseIPv6(echo.source), 8);
  packet.set(parseIPv6(echo.destination), 24);
  // Pseudo-header: source, destination, upper-layer length, next header (RFC 8200 §8.1).
  const pseudo = new Uint8Array(40);
  pseudo.set(packet.subarray(8, 40), 0);
  pseudo[34] = icmp.length >> 8;
  pseudo[35] = icmp.length & 255;
  pseudo[39] = 58;
  const sum = checksum(icmp, onesComplementSum(pseudo));
  icmp[2] = sum >> 8;
  icmp[3] = sum & 255;
  packet.set(icmp, 40);
  return packet;
}

/** Parses an echo request or reply (ignoring padding after the IP total length); undefined otherwise. */
export function parseEcho(packet: Uint8Array): Echo | undefined {
  const version = packet[0]! >> 4;
  if (version === 4 && packet.length >= 28 && packet[9] === 1) {
    const headerLength = (packet[0]! & 15) * 4;
    const total = (packet[2]! << 8) | packet[3]!;
    const icmp = packet.subarray(headerLength, total);
    if (checksum(packet.subarray(0, headerLength)) !== 0 || checksum(icmp) !== 0) return undefined;
    return {
      source: formatAddress(packet.subarray(12, 16)),
      destination: formatAddress(packet.subarray(16, 20)),
      type: icmp[0]!,
      identifier: (icmp[4]! << 8) | icmp[5]!,
      sequence: (icmp[6]! << 8) | icmp[7]!,
      payload: icmp.slice(8),
    };
  }
  if (version === 6 && packet.length >= 48 && packet[6] === 58) {
    const length = (packet[4]! << 8) | packet[5]!;
    const icmp = packet.subarray(40, 40 + length);
    return {
      source: formatAddress(packet.subarray(8, 24)),
      destination: formatAddress(packet.subarray(24, 40)),
      type: icmp[0]!,
      identifier: (icmp[4]! << 8) | icmp[5]!,
      sequence: (icmp[6]! << 8) | icmp[7]!,
      payload: icmp.slice(8),
    };
  }
  return undefined;
}
