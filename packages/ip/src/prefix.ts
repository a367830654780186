/**
 * IP prefixes as `wg` reads and prints them in `AllowedIPs` (WireGuard whitepaper §2,
 * "cryptokey routing") and `ip addr` takes them: `10.0.0.0/8`, `2001:db8::/32`, a bare host
 * address meaning /32 or /128. Output is the RFC 5952 canonical form with the length always
 * written, as `wg show` does. An IPv4-mapped IPv6 address stays IPv6, as in wireguard-go.
 */
import { formatIpAddress, type IpFamily, parseIPv4, parseIPv6 } from './address.js';
import { IpError, type IpErrorCode } from './errors.js';

/** A masked prefix: `bytes` holds 4 (IPv4) or 16 (IPv6) bytes with every bit past `bits` clear. */
export interface IpPrefix {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
  readonly bits: number;
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

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
    throw new IpError('BAD_ADDRESS', `an IP address is 4 or 16 bytes, got ${bytes.length}`);
  }
  const max = bytes.length * 8;
  if (!Number.isInteger(bits) || bits < 0 || bits > max) {
    throw new IpError('BAD_PREFIX_LENGTH', `prefix length must be 0 to ${max}, got ${bits}`);
  }
  const copy = bytes.slice();
  maskInPlace(copy, bits);
  return { family: bytes.length === 4 ? 4 : 6, bytes: copy, bits };
}

/**
 * Parses `address/bits` or a bare address (/32 or /128) WITHOUT masking: an interface
 * address such as `10.0.0.1/24`, which names both the host and its subnet. Throws as
 * `parseIpPrefix` does.
 */
export function parseInterfaceAddress(text: string): IpPrefix {
  const bad = (code: IpErrorCode, reason: string): IpError =>
    new IpError(code, `bad IP prefix "${text}": ${reason}`);
  if (text === '') throw bad('BAD_PREFIX', 'empty');
  const parts = text.split('/');
  if (parts.length > 2) throw bad('BAD_PREFIX', 'more than one "/"');
  const addressText = parts[0]!;
  const bytes = addressText.includes(':') ? parseIPv6(addressText) : parseIPv4(addressText);
  if (bytes === undefined) throw bad('BAD_ADDRESS', `"${addressText}" is not an IPv4 or IPv6 address`);
  const family: IpFamily = bytes.length === 4 ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  const bitsText = parts[1];
  let bits = max;
  if (bitsText !== undefined) {
    bits = DECIMAL.test(bitsText) ? Number(bitsText) : Number.NaN;
    if (!(bits <= max)) throw bad('BAD_PREFIX_LENGTH', `prefix length must be 0 to ${max} for IPv${family}`);
  }
  return { family, bytes, bits };
}

/**
 * Parses `address/bits` or a bare address (a host route: /32 or /128), masking the address to
 * the prefix (`10.1.2.3/8` → `10.0.0.0/8`). Throws `IpError` `BAD_PREFIX` (empty, more than
 * one `/`), `BAD_ADDRESS` or `BAD_PREFIX_LENGTH`, each message quoting `text`.
 *
 * @example
 * ```ts
 * formatIpPrefix(parseIpPrefix('2001:DB8:1::/32')); // '2001:db8::/32'
 * ```
 */
export function parseIpPrefix(text: string): IpPrefix {
  const prefix = parseInterfaceAddress(text);
  maskInPlace(prefix.bytes, prefix.bits);
  return prefix;
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
