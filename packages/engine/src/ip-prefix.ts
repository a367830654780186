/**
 * IP prefixes as `wg` reads and prints them in `AllowedIPs` (WireGuard whitepaper §2,
 * "cryptokey routing"): `10.0.0.0/8`, `2001:db8::/32`, a bare host address meaning /32 or
 * /128. Addresses follow RFC 791 dotted quads and RFC 4291 §2.2 IPv6 text; output is the
 * RFC 5952 canonical form. Prefixes are masked on parsing (`10.1.2.3/8` → `10.0.0.0/8`), and
 * an IPv4-mapped IPv6 address stays IPv6, as in wireguard-go.
 */
import { formatIPv6 } from '@pathwire/resolver/parse';

export type IpFamily = 4 | 6;

/** A masked prefix: `bytes` holds 4 (IPv4) or 16 (IPv6) bytes with every bit past `bits` clear. */
export interface IpPrefix {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** A single address: 4 or 16 bytes. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
}

export type IpPrefixErrorCode = 'BAD_PREFIX' | 'BAD_ADDRESS' | 'BAD_PREFIX_LENGTH';

/** Thrown for text or bytes that are not an IP address or prefix; `code` is stable. */
export class IpPrefixError extends Error {
  override readonly name = 'IpPrefixError';
  constructor(
    readonly code: IpPrefixErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Bytes of `text` as a dotted quad, or `undefined`. Leading zeros are refused, as inet_pton does. */
function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (part.length > 3 || !DECIMAL.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return bytes;
}

/** Bytes of `text` as RFC 4291 §2.2 IPv6 text (with an optional dotted-quad tail), or `undefined`. */
function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups: number[][] = [];
  for (const half of halves) {
    const out: number[] = [];
    groups.push(out);
    if (half === '') continue;
    const fields = half.split(':');
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (HEX_GROUP.test(field)) {
        out.push(Number.parseInt(field, 16));
        continue;
      }
      // A dotted quad may only close the whole address.
      const last = i === fields.length - 1 && out === groups[halves.length - 1];
      const v4 = last ? parseIpv4(field) : undefined;
      if (v4 === undefined) return undefined;
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    }
  }
  const head = groups[0]!;
  const tail = groups[1] ?? [];
  const count = head.length + tail.length;
  // Without "::" there must be eight groups; with it, "::" stands for at least one zero group.
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const bytes = new Uint8Array(16);
  const put = (group: number, index: number): void => {
    bytes[index * 2] = group >>> 8;
    bytes[index * 2 + 1] = group & 0xff;
  };
  for (let i = 0; i < head.length; i++) put(head[i]!, i);
  for (let i = 0; i < tail.length; i++) put(tail[i]!, 8 - tail.length + i);
  return bytes;
}

function parseAddressBytes(text: string): IpAddress | undefined {
  const bytes = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
  if (bytes === undefined) return undefined;
  return { family: bytes.length === 4 ? 4 : 6, bytes };
}

/** Parses one IPv4 or IPv6 address (no prefix length, no zone). */
export function parseIpAddress(text: string): IpAddress {
  const address = parseAddressBytes(text);
  if (address === undefined) {
    throw new IpPrefixError('BAD_ADDRESS', `bad IP address "${text}": not an IPv4 or IPv6 address`);
  }
  return address;
}

/** Clears every bit of `bytes` past the first `bits`, in place. */
function maskInPlace(bytes: Uint8Array, bits: number): void {
  for (let i = 0; i < bytes.length; i++) {
    const keep = bits - i * 8;
    if (keep >= 8) continue;
    bytes[i] = keep <= 0 ? 0 : bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
}

/**
 * Builds a prefix from 4 or 16 address bytes, copying and masking them. Throws
 * `BAD_ADDRESS` for another byte count and `BAD_PREFIX_LENGTH` for `bits` out of range.
 */
export function ipPrefixFromBytes(bytes: Uint8Array, bits: number): IpPrefix {
  if (bytes.length !== 4 && bytes.length !== 16) {
    throw new IpPrefixError('BAD_ADDRESS', `an IP address is 4 or 16 bytes, got ${bytes.length}`);
  }
  const max = bytes.length * 8;
  if (!Number.isInteger(bits) || bits < 0 || bits > max) {
    throw new IpPrefixError('BAD_PREFIX_LENGTH', `prefix length must be 0 to ${max}, got ${bits}`);
  }
  const copy = bytes.slice();
  maskInPlace(copy, bits);
  return { family: bytes.length === 4 ? 4 : 6, bytes: copy, bits };
}

/**
 * Parses `address/bits` or a bare address (a host route: /32 or /128). The address is masked
 * to the prefix. Throws `BAD_PREFIX` (empty, more than one `/`), `BAD_ADDRESS` or
 * `BAD_PREFIX_LENGTH`, each message quoting `text`.
 */
export function parseIpPrefix(text: string): IpPrefix {
  const bad = (code: IpPrefixErrorCode, reason: string): IpPrefixError =>
    new IpPrefixError(code, `bad IP prefix "${text}": ${reason}`);
  if (text === '') throw bad('BAD_PREFIX', 'empty');
  const parts = text.split('/');
  if (parts.length > 2) throw bad('BAD_PREFIX', 'more than one "/"');
  const addressText = parts[0]!;
  const address = parseAddressBytes(addressText);
  if (address === undefined) {
    throw bad('BAD_ADDRESS', `"${addressText}" is not an IPv4 or IPv6 address`);
  }
  const max = address.family === 4 ? 32 : 128;
  const bitsText = parts[1];
  let bits = max;
  if (bitsText !== undefined) {
    bits = DECIMAL.test(bitsText) ? Number(bitsText) : Number.NaN;
    if (!(bits <= max)) {
      throw bad('BAD_PREFIX_LENGTH', `prefix length must be 0 to ${max} for IPv${address.family}`);
    }
  }
  maskInPlace(address.bytes, bits);
  return { family: address.family, bytes: address.bytes, bits };
}

/** RFC 5952 text of a 16-byte IPv6 address; IPv4-mapped ones end in a dotted quad (RFC 5952 §5). */
function formatIpv6(bytes: Uint8Array): string {
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? `::ffff:${formatIpv4(bytes.subarray(12))}` : formatIPv6(bytes);
}

function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** Canonical text of a 4- or 16-byte address (RFC 5952 for IPv6). */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return formatIpv4(bytes);
  if (bytes.length === 16) return formatIpv6(bytes);
  throw new IpPrefixError('BAD_ADDRESS', `an IP address is 4 or 16 bytes, got ${bytes.length}`);
}

/** Canonical `address/bits` text; the length is always written, as `wg show` does. */
export function formatIpPrefix(prefix: IpPrefix): string {
  return `${formatIpAddress(prefix.bytes)}/${prefix.bits}`;
}

/** Whether `address` (4 or 16 bytes) lies inside `prefix`; families never match each other. */
export function ipPrefixContains(prefix: IpPrefix, address: Uint8Array): boolean {
  if (address.length !== prefix.bytes.length) return false;
  const whole = prefix.bits >>> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== prefix.bytes[i]) return false;
  const rest = prefix.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[whole]! & mask) === prefix.bytes[whole];
}

/** Whether two prefixes are the same family, length and (masked) address. */
export function ipPrefixEquals(a: IpPrefix, b: IpPrefix): boolean {
  return a.bits === b.bits && a.bytes.length === b.bytes.length && ipPrefixContains(a, b.bytes);
}
