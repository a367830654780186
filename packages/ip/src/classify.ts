/**
 * Address classes for endpoint selection, from the IANA special-purpose registries
 * (RFC 6890, updated by RFC 8190): loopback (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3), link-local
 * (RFC 3927, RFC 4291 §2.5.6), private (RFC 1918, and Unique Local fc00::/7 of RFC 4193),
 * shared address space / CGNAT (RFC 6598, 100.64.0.0/10), documentation (RFC 5737, RFC 3849
 * 2001:db8::/32, RFC 9637 3fff::/20), multicast (RFC 5771, RFC 4291 §2.7), unspecified
 * (0.0.0.0/8 "this network", ::/128), limited broadcast (RFC 919), reserved (other
 * not-globally-reachable blocks), and global (everything else).
 *
 * Decisions:
 * - Documentation ranges get their own class, `documentation`, and are treated like global
 *   addresses everywhere (usable, ordered, never filtered): examples and tests use them,
 *   and nothing on a real network should route them anyway.
 * - `unspecified`, `multicast` and `broadcast` can never be a WireGuard peer, so the
 *   resolver drops them from DNS answers and refuses them as literals (`isUsableClass`).
 * - `reserved` (192.0.0.0/24, 198.18.0.0/15 benchmarking, 240.0.0.0/4, 100::/64,
 *   deprecated site-local fec0::/10, IPv6 outside 2000::/3 apart from the blocks above) is
 *   kept: a lab network may well use it.
 * - 64:ff9b::/96 (NAT64, RFC 6052), 2002::/16 (6to4) and 2001::/32 (Teredo) are `global`.
 * - IPv4-mapped IPv6 is normalised to IPv4 before classifying (see `address.ts`).
 */
import { type IpFamily, parseAddress } from './address.js';
import { IpError } from './errors.js';

export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'link-local'
  | 'private'
  | 'cgnat'
  | 'documentation'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'global';

export interface AddressClassification {
  readonly family: IpFamily;
  readonly class: AddressClass;
}

interface Block {
  readonly prefix: readonly number[];
  readonly length: number;
  readonly class: AddressClass;
}

/** IPv4 blocks; the first match wins, so more specific blocks come first. */
const V4_BLOCKS: readonly Block[] = [
  { prefix: [255, 255, 255, 255], length: 32, class: 'broadcast' },
  { prefix: [0], length: 8, class: 'unspecified' },
  { prefix: [127], length: 8, class: 'loopback' },
  { prefix: [169, 254], length: 16, class: 'link-local' },
  { prefix: [10], length: 8, class: 'private' },
  { prefix: [172, 16], length: 12, class: 'private' },
  { prefix: [192, 168], length: 16, class: 'private' },
  { prefix: [100, 64], length: 10, class: 'cgnat' },
  { prefix: [192, 0, 2], length: 24, class: 'documentation' },
  { prefix: [198, 51, 100], length: 24, class: 'documentation' },
  { prefix: [203, 0, 113], length: 24, class: 'documentation' },
  { prefix: [224], length: 4, class: 'multicast' },
  { prefix: [192, 0, 0], length: 24, class: 'reserved' },
  { prefix: [198, 18], length: 15, class: 'reserved' },
  { prefix: [240], length: 4, class: 'reserved' },
];

/** IPv6 blocks (prefix bytes); the first match wins. */
const V6_BLOCKS: readonly Block[] = [
  { prefix: new Array(16).fill(0), length: 128, class: 'unspecified' },
  { prefix: [...new Array(15).fill(0), 1], length: 128, class: 'loopback' },
  { prefix: [0xfe, 0x80], length: 10, class: 'link-local' },
  { prefix: [0xfe, 0xc0], length: 10, class: 'reserved' },
  { prefix: [0xfc], length: 7, class: 'private' },
  { prefix: [0xff], length: 8, class: 'multicast' },
  { prefix: [0x20, 0x01, 0x0d, 0xb8], length: 32, class: 'documentation' },
  { prefix: [0x3f, 0xff], length: 20, class: 'documentation' },
  { prefix: [0x00, 0x64, 0xff, 0x9b], length: 96, class: 'global' },
  { prefix: [0x01, 0x00], length: 64, class: 'reserved' },
  { prefix: [0x20], length: 3, class: 'global' },
];

function matches(bytes: Uint8Array, block: Block): boolean {
  let bits = block.length;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((block.prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Classifies address bytes of the given family. */
export function classifyBytes(family: IpFamily, bytes: Uint8Array): AddressClass {
  const blocks = family === 4 ? V4_BLOCKS : V6_BLOCKS;
  for (const block of blocks) if (matches(bytes, block)) return block.class;
  return family === 4 ? 'global' : 'reserved';
}

/**
 * The family and class of an IP address (any textual form; IPv4-mapped IPv6 counts as IPv4).
 *
 * @example
 * ```ts
 * classifyAddress('100.64.1.1'); // { family: 4, class: 'cgnat' }
 * classifyAddress('fd00::1'); // { family: 6, class: 'private' }
 * ```
 */
export function classifyAddress(address: string): AddressClassification {
  const parsed = parseAddress(address);
  if (!parsed) throw new IpError('BAD_ADDRESS', `not an IP address: ${JSON.stringify(address)}`);
  return { family: parsed.family, class: classifyBytes(parsed.family, parsed.bytes) };
}

/** False for classes that can never be a unicast peer: unspecified, multicast, broadcast. */
export function isUsableClass(addressClass: AddressClass): boolean {
  return addressClass !== 'unspecified' && addressClass !== 'multicast' && addressClass !== 'broadcast';
}
