/**
 * IP addresses and prefixes for cryptokey routing (WireGuard whitepaper §2) come from
 * @pathwire/ip; re-exported here so the engine's importers keep their paths.
 * `IpPrefixError` is @pathwire/ip's `IpError` (codes `BAD_PREFIX`, `BAD_ADDRESS`,
 * `BAD_PREFIX_LENGTH`).
 */
export {
  formatIpAddress,
  formatIpPrefix,
  type IpAddress,
  IpError as IpPrefixError,
  type IpErrorCode as IpPrefixErrorCode,
  type IpFamily,
  type IpPrefix,
  ipPrefixContains,
  ipPrefixEquals,
  ipPrefixFromBytes,
  parseIpAddress,
  parseIpPrefix,
} from '@pathwire/ip';
