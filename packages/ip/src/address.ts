/**
 * IP address text forms: IPv4 dotted quads (RFC 791; no leading zeros, which inet_aton would
 * read as octal), IPv6 (RFC 4291 §2.2, including the embedded dotted-quad form, and an
 * RFC 4007 §11 `%zone`), written back in the canonical form of RFC 5952 §4 (lower case, no
 * leading zeros, the longest run of two or more zero groups compressed to `::`, the first on a
 * tie), with IPv4-mapped addresses ending in a dotted quad (RFC 5952 §5).
 *
 * Two readings of IPv4-mapped IPv6 (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2):
 * - `parseAddress`/`canonicalAddress` (endpoints) normalise it to plain IPv4, since the
 *   socket that sends to it is an IPv4 path;
 * - `parseIpAddress` (allowed IPs, inner packets) keeps it IPv6, as wireguard-go does.
 */
import { IpError } from './errors.js';

export type IpFamily = 4 | 6;

/** A single address: 4 or 16 bytes, network order. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
}

/** An address with its optional RFC 4007 zone (interface name or index, IPv6 only). */
export interface ParsedAddress extends IpAddress {
  readonly zone?: string;
}

const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
/** Interface names and numeric indices; excludes the separators of the endpoint syntax. */
const ZONE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Parses a strict dotted-quad IPv4 address; `undefined` if it is not one. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!DECIMAL_OCTET.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

/** Pushes the 16-bit groups of `parts`; the last may be a dotted quad when `mayEndWithIPv4`. */
function pushGroups(parts: readonly string[], into: number[], mayEndWithIPv4: boolean): boolean {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (mayEndWithIPv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (!v4) return false;
      into.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (HEX_GROUP.test(part)) {
      into.push(Number.parseInt(part, 16));
    } else {
      return false;
    }
  }
  return true;
}

/** Parses RFC 4291 §2.2 IPv6 text without brackets or zone; `undefined` if it is not one. */
export function parseIPv6(text: string): Uint8Array | undefined {
  // 45 characters is the longest valid form (six 4-digit groups and a 15-character quad).
  if (text.length === 0 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head: number[] = [];
  const tail: number[] = [];
  if (halves[0] !== '' && !pushGroups(halves[0]!.split(':'), head, !compressed)) return undefined;
  if (compressed && halves[1] !== '' && !pushGroups(halves[1]!.split(':'), tail, true)) return undefined;
  const explicit = head.length + tail.length;
  // Without "::" there must be eight groups; with it, "::" stands for at least one zero group.
  if (compressed ? explicit > 7 : explicit !== 8) return undefined;
  const bytes = new Uint8Array(16);
  const put = (group: number, index: number): void => {
    bytes[2 * index] = group >>> 8;
    bytes[2 * index + 1] = group & 0xff;
  };
  for (let i = 0; i < head.length; i++) put(head[i]!, i);
  for (let i = 0; i < tail.length; i++) put(tail[i]!, 8 - tail.length + i);
  return bytes;
}

/** True for `::ffff:0:0/96`, the IPv4-mapped IPv6 block (RFC 4291 §2.5.5.2). */
export function isIPv4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** True if `zone` is a syntactically valid zone identifier (interface name or index). */
export function isValidZone(zone: string): boolean {
  return ZONE.test(zone);
}

/**
 * Parses an IPv4 or IPv6 address (IPv6 optionally with `%zone`), normalising IPv4-mapped IPv6
 * to IPv4. Returns `undefined` when the text is neither.
 */
export function parseAddress(text: string): ParsedAddress | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const percent = text.indexOf('%');
  const bare = percent === -1 ? text : text.slice(0, percent);
  const zone = percent === -1 ? undefined : text.slice(percent + 1);
  if (zone !== undefined && !ZONE.test(zone)) return undefined;
  const v6 = parseIPv6(bare);
  if (!v6) return undefined;
  if (isIPv4Mapped(v6)) return { family: 4, bytes: v6.slice(12) };
  return zone === undefined ? { family: 6, bytes: v6 } : { family: 6, bytes: v6, zone };
}

/**
 * Parses one IPv4 or IPv6 address with no zone and no prefix length, keeping IPv4-mapped
 * addresses IPv6. Throws `IpError` `BAD_ADDRESS` naming the text.
 */
export function parseIpAddress(text: string): IpAddress {
  const bytes = text.includes(':') ? parseIPv6(text) : parseIPv4(text);
  if (bytes === undefined) {
    throw new IpError('BAD_ADDRESS', `bad IP address "${text}": not an IPv4 or IPv6 address`);
  }
  return { family: bytes.length === 4 ? 4 : 6, bytes };
}

/** Dotted-quad text of 4 bytes. */
export function formatIPv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** RFC 5952 canonical text of 16 bytes; IPv4-mapped addresses end in a dotted quad (§5). */
export function formatIPv6(bytes: Uint8Array): string {
  if (isIPv4Mapped(bytes)) return `::ffff:${formatIPv4(bytes.subarray(12))}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // §4.2: compress the longest run (the first one on a tie) of at least two zero groups.
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
  // §4.3: lower case; §4.1: no leading zeros.
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Canonical text of a 4- or 16-byte address; throws `IpError` `BAD_ADDRESS` for another length. */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return formatIPv4(bytes);
  if (bytes.length === 16) return formatIPv6(bytes);
  throw new IpError('BAD_ADDRESS', `an IP address is 4 or 16 bytes, got ${bytes.length}`);
}

/** Canonical text of a parsed address, with its `%zone` kept. */
export function formatAddress(address: ParsedAddress): string {
  const text = formatIpAddress(address.bytes);
  return address.zone === undefined ? text : `${text}%${address.zone}`;
}

/**
 * The canonical text of an IP address (see the module comment), or `undefined` if `text` is
 * not an IP address.
 *
 * @example
 * ```ts
 * canonicalAddress('2001:DB8:0:0::7'); // '2001:db8::7'
 * canonicalAddress('::ffff:192.0.2.1'); // '192.0.2.1'
 * ```
 */
export function canonicalAddress(text: string): string | undefined {
  const parsed = parseAddress(text);
  return parsed && formatAddress(parsed);
}

/** Family of a canonical address text: anything containing ':' is IPv6. */
export function addressFamily(address: string): IpFamily {
  return address.includes(':') ? 6 : 4;
}
