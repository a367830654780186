/**
 * Endpoints and addresses. `Endpoint` is the structural type shared across pathwire: an
 * address in canonical text form (IPv4 dotted quad; IPv6 lower-case, compressed per
 * RFC 5952 section 4, no brackets) and a UDP port.
 */
import { canonicalAddress as resolverCanonicalAddress } from '@pathwire/resolver/parse';
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
  // The project's one canonical form (RFC 5952, IPv4-mapped as IPv4), from @pathwire/resolver.
  const canonical = resolverCanonicalAddress(bare);
  if (canonical === undefined)
    throw new NetsimError('INVALID_ADDRESS', `not an IPv4 or IPv6 address: ${text}`);
  return canonical;
}
