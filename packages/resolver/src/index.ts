/**
 * @pathwire/resolver: endpoint lists as users write them (`Endpoint = 203.0.113.7:51820,
 * [2001:db8::7]:51820, vpn.example.org:51820`), turned into a living set of endpoints:
 * parsing, A/AAAA resolution with TTLs, classification and Happy Eyeballs ordering.
 *
 * @example
 * ```ts
 * import { EndpointResolver } from '@pathwire/resolver';
 * const resolver = new EndpointResolver('203.0.113.7:51820, vpn.example.org:51820');
 * resolver.on('change', ({ added, removed }) => console.log(added.length, removed.length));
 * await resolver.start();
 * console.log(resolver.endpoints().map((e) => `${e.key} ${e.class}`));
 * resolver.close();
 * ```
 */
export { type Clock, systemClock } from './clock.js';
export {
  createDnsLookup,
  type DnsAnswer,
  type DnsLookup,
  type DnsLookupOptions,
  type DnsRecord,
} from './dns-lookup.js';
export {
  type DnsSource,
  type EndpointChange,
  EndpointResolver,
  type EndpointResolverEvents,
  type EndpointSource,
  type LiteralSource,
  type NameStatus,
  type ResolvedEndpoint,
  type ResolveOutcome,
  type ResolveReport,
} from './endpoint-resolver.js';
export * from './parse.js';
export { DEFAULTS as RESOLVER_DEFAULTS, type EndpointResolverOptions } from './resolver-options.js';
