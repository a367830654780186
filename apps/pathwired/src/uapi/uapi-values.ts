/**
 * Values of the UAPI configuration protocol (https://www.wireguard.com/xplatform/), parsed as
 * strictly as wireguard-go parses them (`device/uapi.go`): keys as 64 hex digits, decimal
 * unsigned integers with a bound (Go `strconv.ParseUint`), prefixes that always carry a
 * length (Go `netip.ParsePrefix`), endpoints that are IP literals only. Each parser returns
 * `undefined` for a bad value; the caller turns that into EINVAL.
 */
import { bytesToHex, hexToBytes } from '@pathwire/crypto';
import type { Device } from '@pathwire/engine';
import { formatIpPrefix, parseIpPrefix } from '@pathwire/engine';
import { type Endpoint, parseEndpoint } from '@pathwire/resolver/parse';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const DECIMAL = /^[0-9]+$/;

/** A 32-byte key written as 64 hex digits (either case, as Go's `hex.Decode`). */
export function parseHexKey(value: string): Uint8Array | undefined {
  return HEX_KEY.test(value) ? hexToBytes(value) : undefined;
}

/** Lowercase hex, as wireguard-go prints keys. */
export function formatHexKey(key: Uint8Array): string {
  return bytesToHex(key);
}

/** A decimal unsigned integer no larger than `max` (leading zeros allowed, no sign). */
export function parseUnsigned(value: string, max: number): number | undefined {
  if (!DECIMAL.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n <= max ? n : undefined;
}

/** `allowed_ip=`: `address/length`, canonical and masked (`10.1.2.3/8` → `10.0.0.0/8`). */
export function parseAllowedIp(value: string): string | undefined {
  // netip.ParsePrefix needs the length and refuses zones; the engine also accepts bare addresses.
  if (!value.includes('/') || value.includes('%')) return undefined;
  try {
    return formatIpPrefix(parseIpPrefix(value));
  } catch {
    return undefined;
  }
}

/** `endpoint=`: `IPv4:port` or `[IPv6(%zone)]:port`; host names are refused (nothing is resolved). */
export function parseUapiEndpoint(value: string): Endpoint | undefined {
  if (value.trim() !== value) return undefined;
  try {
    const item = parseEndpoint(value);
    return item.kind === 'address' ? { address: item.address, port: item.port } : undefined;
  } catch {
    return undefined;
  }
}

/** `ip:port` or `[ip6]:port`, as `wg` writes endpoints. */
export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.address.includes(':')
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}

/** The device's private key, for `private_key=` in a get reply. */
export function devicePrivateKey(device: Device): Uint8Array {
  return device.privateKey;
}
