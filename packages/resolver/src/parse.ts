/**
 * @pathwire/resolver/parse: the pure half of the package (parsing, canonical addresses,
 * classification, ordering), importing no `node:` module, for browsers and Deno.
 *
 * @example
 * ```ts
 * import { classifyAddress, parseEndpointList } from '@pathwire/resolver/parse';
 * for (const item of parseEndpointList('192.168.1.2:51820, [fd00::2]:51820')) {
 *   if (item.kind === 'address') console.log(item.address, classifyAddress(item.address).class); // private
 * }
 * ```
 */
// Addresses, endpoints and classes live in @pathwire/ip; re-exported for existing importers.
export {
  type AddressClass,
  type AddressClassification,
  canonicalAddress,
  classifyAddress,
  type Endpoint,
  endpointKey,
  formatIPv6,
  isUsableClass,
} from '@pathwire/ip';
export {
  EndpointParseError,
  type ItemPosition,
  type ParseErrorCode,
  ResolverError,
  type ResolverErrorCode,
  UnusableEndpointError,
} from './errors.js';
export { canonicalHostname, type HostnameResult } from './hostname.js';
export { type OrderOptions, orderCandidates } from './order.js';
export {
  type AddressItem,
  type EndpointItem,
  type HostnameItem,
  parseEndpoint,
  parseEndpointList,
} from './parse-endpoints.js';
