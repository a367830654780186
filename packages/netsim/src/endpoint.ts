/**
 * Endpoints and addresses. `Endpoint` is the structural type shared across pathwire: an
 * address in canonical text form (IPv4 dotted quad; IPv6 lower-case, compressed per
 * RFC 5952 section 4, no brackets) and a UDP port.
 */
import { NetsimError } from './errors.js';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export type AddressFamily = 4 | 6;

/** Family of a canonical address: anything containing ':' is IPv6. */
export function addressFamily(address: string): AddressFamily {
  return address.includes(':') ? 6 : 4;
}

/** `192.0.2.1:51820` or `[2001:db8::1]:51820`. */
export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.address.includes(':')
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIpv6(text: string): number[] | undefined {
  let head = text;
  let tail = '';
  const gap = text.indexOf('::');
  if (gap >= 0) {
    if (text.indexOf('::', gap + 1) >= 0) return undefined;
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
  }
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(Number.parseInt(piece, 16));
      }
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  if (gap < 0) return h.length === 8 ? h : undefined;
  if (h.length + t.length > 7) return undefined;
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/**
 * Canonical text of an IPv4 or IPv6 address; throws `INVALID_ADDRESS` otherwise. A zone
 * suffix (`fe80::1%eth0`) is kept as given.
 *
 * @example
 * ```ts
 * canonicalAddress('2001:DB8:0:0::1'); // '2001:db8::1'
 * ```
 */
export function canonicalAddress(text: string): string {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!bare.includes(':')) {
    const v4 = parseIpv4(bare);
    if (!v4) throw new NetsimError('INVALID_ADDRESS', `not an IPv4 or IPv6 address: ${text}`);
    return v4.join('.');
  }
  const zoneAt = bare.indexOf('%');
  const zone = zoneAt >= 0 ? bare.slice(zoneAt) : '';
  const groups = parseIpv6(zoneAt >= 0 ? bare.slice(0, zoneAt) : bare);
  if (!groups) throw new NetsimError('INVALID_ADDRESS', `not an IPv4 or IPv6 address: ${text}`);
  // Longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':') + zone;
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}${zone}`;
}
