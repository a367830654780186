/**
 * IPv4 / IPv6 prefixes in CIDR notation ("10.0.0.1/24", "fd00::1/64") parsed to network-order
 * bytes for rtnetlink, through @pathwire/ip. A bare address means a host prefix (/32 or /128);
 * the host bits are kept (an interface address names its host and its subnet).
 */
import { parseInterfaceAddress } from '@pathwire/ip';
import { TunError } from './errors.js';

export interface Cidr {
  readonly family: 4 | 6;
  readonly address: Uint8Array;
  readonly prefixLength: number;
}

/** Parses `text`; throws `TunError` `INVALID_ADDRESS` saying what is wrong. */
export function parseCidr(text: string): Cidr {
  try {
    const { family, bytes, bits } = parseInterfaceAddress(text);
    return { family, address: bytes, prefixLength: bits };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TunError(
      'INVALID_ADDRESS',
      `${JSON.stringify(text)} is not an IP prefix: ${reason}`,
      undefined,
      undefined,
      {
        cause: error,
      },
    );
  }
}
