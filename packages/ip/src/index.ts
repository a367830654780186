/**
 * @pathwire/ip: IP addresses (parse, RFC 5952 format), prefixes, the endpoint type and key,
 * address classification, inner IPv4/IPv6 header reading and building, and the RFC 1071
 * checksum. Pure: no `node:` import, runs in a browser.
 *
 * @example
 * ```ts
 * import { canonicalAddress, classifyAddress, endpointKey, parseIpPrefix, ipPrefixContains } from '@pathwire/ip';
 * canonicalAddress('2001:DB8:0:0::1'); // '2001:db8::1'
 * classifyAddress('100.64.0.1').class; // 'cgnat'
 * endpointKey({ address: '2001:db8::1', port: 51820 }); // '[2001:db8::1]:51820'
 * ipPrefixContains(parseIpPrefix('10.0.0.0/8'), new Uint8Array([10, 1, 2, 3])); // true
 * ```
 */
export {
  addressFamily,
  canonicalAddress,
  formatAddress,
  formatIPv4,
  formatIPv6,
  formatIpAddress,
  type IpAddress,
  type IpFamily,
  isIPv4Mapped,
  isValidZone,
  type ParsedAddress,
  parseAddress,
  parseIPv4,
  parseIPv6,
  parseIpAddress,
} from './address.js';
export { internetChecksum, ipv4PseudoHeaderSum, ipv6PseudoHeaderSum, onesComplementSum } from './checksum.js';
export {
  type AddressClass,
  type AddressClassification,
  classifyAddress,
  classifyBytes,
  isUsableClass,
} from './classify.js';
export { type Endpoint, endpointKey } from './endpoint.js';
export { IpError, type IpErrorCode } from './errors.js';
export { innerDestination, innerFamily, innerSource, packetLength } from './inner-header.js';
export {
  buildIcmpEcho,
  echoRequestToReply,
  type IcmpEcho,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_UDP,
  IPV4_HEADER_LENGTH,
  IPV6_HEADER_LENGTH,
  type IPv4HeaderFields,
  type IPv6HeaderFields,
  parseIcmpEcho,
  writeIPv4Header,
  writeIPv6Header,
} from './packet.js';
export {
  formatIpPrefix,
  type IpPrefix,
  ipPrefixContains,
  ipPrefixEquals,
  ipPrefixFromBytes,
  parseInterfaceAddress,
  parseIpPrefix,
} from './prefix.js';
