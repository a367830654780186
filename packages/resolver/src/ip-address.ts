/**
 * IP address text forms: IPv4 dotted-quad (RFC 791, no leading zeros, since inet_aton would
 * read them as octal), IPv6 (RFC 4291 §2.2, including the embedded dotted-quad form and an
 * RFC 4007 §11 `%zone`), written back in the canonical form of RFC 5952 §4 (lower case, no
 * leading zeros, the longest run of two or more zero groups compressed to `::`). IPv4-mapped
 * IPv6 addresses (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) are normalised to plain IPv4, since the
 * socket that sends to them is an IPv4 path.
 *
 * Pure: no `node:` import, so it runs in a browser.
 */

/** An address split into its family, its bytes and its optional zone. */
export interface ParsedAddress {
  readonly family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Uint8Array;
  /** RFC 4007 zone (interface name or index), IPv6 only. */
  readonly zone?: string;
}

const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
/** Interface names and numeric indices; excludes separators of the endpoint syntax. */
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

/** Parses an IPv6 address without brackets or zone; `undefined` if it is not one. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const groups: number[] = [];
  const tailGroups: number[] = [];
  const pushGroups = (parts: string[], into: number[], mayEndWithIPv4: boolean): boolean => {
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
  };
  const compressed = halves.length === 2;
  if (!pushGroups(head, groups, !compressed)) return undefined;
  if (compressed && !pushGroups(tail, tailGroups, true)) return undefined;
  const explicit = groups.length + tailGroups.length;
  if (compressed ? explicit > 7 : explicit !== 8) return undefined;
  const all = [...groups, ...new Array<number>(8 - explicit).fill(0), ...tailGroups];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = all[i]! >> 8;
    bytes[2 * i + 1] = all[i]! & 0xff;
  }
  return bytes;
}

/** True for `::ffff:0:0/96`, the IPv4-mapped IPv6 block. */
export function isIPv4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
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

/** True if `text` is a syntactically valid zone identifier (interface name or index). */
export function isValidZone(zone: string): boolean {
  return ZONE.test(zone);
}

/** Formats 16 bytes as RFC 5952 canonical IPv6 text. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // RFC 5952 §4.2: compress the longest run (first one on a tie) of at least two zero groups.
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
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Formats a parsed address canonically: dotted quad, or RFC 5952 IPv6 with `%zone` kept. */
export function formatAddress(address: ParsedAddress): string {
  if (address.family === 4) return Array.from(address.bytes).join('.');
  const text = formatIPv6(address.bytes);
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
