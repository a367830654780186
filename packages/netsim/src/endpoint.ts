/**
 * Endpoints and addresses, from @pathwire/ip: `Endpoint` is the structural type shared across
 * pathwire, an address in canonical text (RFC 5952) and a UDP port. Only the throwing,
 * bracket-tolerant `canonicalAddress` of the simulator's configuration API lives here.
 */
import { canonicalAddress as ipCanonicalAddress } from '@pathwire/ip';
import { NetsimError } from './errors.js';

export {
  addressFamily,
  type Endpoint,
  /** `192.0.2.1:51820` or `[2001:db8::1]:51820`. */
  endpointKey as formatEndpoint,
  type IpFamily as AddressFamily,
} from '@pathwire/ip';

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
  const canonical = ipCanonicalAddress(bare);
  if (canonical === undefined)
    throw new NetsimError('INVALID_ADDRESS', `not an IPv4 or IPv6 address: ${text}`);
  return canonical;
}
